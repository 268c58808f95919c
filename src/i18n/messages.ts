import { IntlMessageFormat } from "intl-messageformat";
import { escapeHtml, Html } from "../web/html.ts";
import { DEFAULT_LOCALE, LOCALE_INFO, LOCALES, type Locale } from "./locales.ts";
import { CATALOGS, type MessageKey } from "./messages/index.ts";

export type { MessageKey } from "./messages/index.ts";

export type MessageValues = Record<string, string | number | Date>;

/** What a key that no catalog has does: tests must fail on it, a live site must not show it. */
export type MissingKeyPolicy = "throw" | "fallback";

/**
 * Everything a view needs to speak the request's language, passed in through its view-model
 * (views never see the request): the messages, numbers and dates of one locale.
 */
export interface Messages {
  readonly locale: Locale;
  readonly dir: "ltr" | "rtl";
  /**
   * The page's own path and query, so the footer's language picker comes back to it; empty
   * when unknown (a view not converted yet), and the picker then goes back by the Referer.
   */
  readonly path: string;
  /** A message as plain text (the html template escapes it). */
  t(key: MessageKey, values?: MessageValues): string;
  /**
   * A message with markup: each `<tag>…</tag>` in it is drawn by `tags[tag]`, which receives
   * the (escaped) text inside; the rest of the message is escaped.
   */
  rich(key: MessageKey, tags: Record<string, (inner: Html) => Html>, values?: MessageValues): Html;
  /**
   * A message for a client script, which cannot run ICU: `{name}` stays in the text for the
   * script to fill in; a plural argument becomes one text per plural category of the language
   * (JSON), for the script to choose with Intl.PluralRules (see web/assets/upload.js `say`).
   */
  forScript(key: MessageKey, plural?: string): string;
  number(value: number, options?: Intl.NumberFormatOptions): string;
  /** A date (epoch ms, Date or ISO string) in the locale's own way of writing it. */
  date(value: number | Date | string, options?: Intl.DateTimeFormatOptions): string;
}

type Compiled = Map<MessageKey, IntlMessageFormat>;

const LONG_DATE: Intl.DateTimeFormatOptions = { dateStyle: "long", timeZone: "UTC" };

/**
 * Every catalog compiled once: parsing ICU MessageFormat is the costly part, formatting a
 * compiled message is cheap. A message that does not compile fails start-up, not a page.
 */
export class MessageCatalogs {
  private readonly compiled = new Map<Locale, Compiled>();
  /** Messages that are plain text, no argument, tag or plural: most labels. They need no formatting. */
  private readonly plainTexts = new Map<Locale, Map<MessageKey, string>>();
  private readonly numberFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateFormats = new Map<string, Intl.DateTimeFormat>();
  private readonly dateFormatsByOptions = new WeakMap<Intl.DateTimeFormatOptions, Map<Locale, Intl.DateTimeFormat>>();
  private readonly reportedMissing = new Set<string>();

  constructor(private readonly options: { missing: MissingKeyPolicy; log?: (message: string) => void }) {
    for (const locale of LOCALES) {
      const catalog: Record<string, string> = CATALOGS[locale];
      const messages: Compiled = new Map();
      const plain = new Map<MessageKey, string>();
      for (const [key, text] of Object.entries(catalog)) {
        try {
          const message = new IntlMessageFormat(text, locale);
          messages.set(key as MessageKey, message);
          // Type 0 is the parser's literal text; the text kept is the library's own output.
          if (message.getAst().every((element) => element.type === 0)) plain.set(key as MessageKey, String(message.format()));
        } catch (error) {
          throw new Error(`message "${key}" of the ${locale} catalog does not compile: ${(error as Error).message}`, { cause: error });
        }
      }
      this.compiled.set(locale, messages);
      this.plainTexts.set(locale, plain);
    }
  }

  /** The messages of one locale for one page. */
  for(locale: Locale, path = ""): Messages {
    const info = LOCALE_INFO[locale];
    const format = (key: MessageKey, values: Record<string, unknown>): unknown => this.message(locale, key).format(values as never);
    const plain = this.plainTexts.get(locale);
    return {
      locale,
      dir: info.dir,
      path,
      t: (key, values = {}) => {
        const text = plain?.get(key);
        if (text !== undefined) return text;
        const out = format(key, values);
        return Array.isArray(out) ? out.join("") : String(out);
      },
      rich: (key, tags, values = {}) => {
        const wrapped: Record<string, unknown> = { ...values };
        for (const [name, draw] of Object.entries(tags)) {
          // ICU gives tags and values one namespace: a value named as a tag would be drawn as the tag.
          if (name in values) throw new Error(`message "${key}": the value {${name}} has the name of the tag <${name}>`);
          wrapped[name] = (chunks: unknown[]) => draw(new Html(chunks.map(asHtml).join("")));
        }
        const out = format(key, wrapped);
        return new Html((Array.isArray(out) ? out : [out]).map(asHtml).join(""));
      },
      forScript: (key, plural) => {
        const text = (values: Record<string, unknown>) => {
          const out = format(key, values);
          return Array.isArray(out) ? out.join("") : String(out);
        };
        const names = (CATALOGS[DEFAULT_LOCALE][key].match(/\{\s*(\w+)/g) ?? []).map((m) => m.replace(/^\{\s*/, ""));
        const placeholders = Object.fromEntries(names.map((name) => [name, `{${name}}`]));
        if (!plural) return text(placeholders);
        const forms: Record<string, string> = {};
        for (const [category, sample] of pluralSamples(locale)) {
          forms[category] = text({ ...placeholders, [plural]: sample }).replace(this.numberFormat(locale).format(sample), `{${plural}}`);
        }
        return JSON.stringify(forms);
      },
      number: (value, options) => this.numberFormat(locale, options).format(value),
      date: (value, options) => this.dateFormat(locale, options).format(typeof value === "string" ? new Date(value) : value),
    };
  }

  /** The compiled message, else English's (logged once per key), else an error in tests. */
  private message(locale: Locale, key: MessageKey): IntlMessageFormat {
    const found = this.compiled.get(locale)?.get(key);
    if (found) return found;
    if (this.options.missing === "throw") throw new Error(`message key "${key}" is missing from the ${locale} catalog`);
    const id = `${locale}:${key}`;
    if (!this.reportedMissing.has(id)) {
      this.reportedMissing.add(id);
      this.options.log?.(`message key "${key}" is missing from the ${locale} catalog; showing English`);
    }
    const english = this.compiled.get(DEFAULT_LOCALE)?.get(key);
    // Even English lacks it: show the key's words rather than fail the page.
    return english ?? new IntlMessageFormat(String(key).replace(/[{}<>']/g, ""), DEFAULT_LOCALE);
  }

  private numberFormat(locale: Locale, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
    const id = `${locale}|${JSON.stringify(options)}`;
    let format = this.numberFormats.get(id);
    if (!format) this.numberFormats.set(id, (format = new Intl.NumberFormat(locale, options)));
    return format;
  }

  private dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions = LONG_DATE): Intl.DateTimeFormat {
    // Views pass the same options object each time (a module constant): found by it first, the
    // options need not be written out as JSON for every date on a page of comments.
    let ofOptions = this.dateFormatsByOptions.get(options);
    if (!ofOptions) this.dateFormatsByOptions.set(options, (ofOptions = new Map()));
    let format = ofOptions.get(locale);
    if (!format) {
      const id = `${locale}|${JSON.stringify(options)}`;
      format = this.dateFormats.get(id);
      if (!format) this.dateFormats.set(id, (format = new Intl.DateTimeFormat(locale, options)));
      ofOptions.set(locale, format);
    }
    return format;
  }
}

/** A number in each plural category of a language (Arabic: 0, 1, 2, 3, 11, 100). */
function pluralSamples(locale: Locale): Map<string, number> {
  const rules = new Intl.PluralRules(locale);
  const samples = new Map<string, number>();
  for (const n of [0, 1, 2, 3, 5, 11, 21, 100, 1000, 1_000_000]) {
    const category = rules.select(n);
    if (!samples.has(category)) samples.set(category, n);
  }
  return samples;
}

function asHtml(part: unknown): string {
  return part instanceof Html ? part.value : escapeHtml(String(part));
}

/** Tests (Node's test runner marks its child processes) refuse unknown keys; a live site falls back. */
export function defaultMissingKeyPolicy(env: NodeJS.ProcessEnv = process.env): MissingKeyPolicy {
  return env.NODE_TEST_CONTEXT !== undefined || env.PINHOLE_I18N_STRICT === "1" ? "throw" : "fallback";
}

let shared: MessageCatalogs | null = null;

/**
 * The process's catalogs, compiled on first use (app.ts asks at start-up, so a bad message
 * fails there). Pages not yet converted render with `english()`.
 */
export function catalogs(log?: (message: string) => void): MessageCatalogs {
  shared ??= new MessageCatalogs({ missing: defaultMissingKeyPolicy(), log });
  return shared;
}

export function english(): Messages {
  return catalogs().for(DEFAULT_LOCALE);
}
