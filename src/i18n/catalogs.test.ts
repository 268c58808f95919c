import { test } from "node:test";
import assert from "node:assert/strict";
import { IntlMessageFormat } from "intl-messageformat";
import { CATALOGS } from "./messages/index.ts";
import { LOCALES, type Locale } from "./locales.ts";
import { MessageCatalogs, type MessageKey } from "./messages.ts";
import { localeFromAcceptLanguage, negotiateLocale, parseAcceptLanguage } from "./negotiate.ts";
import { html } from "../web/html.ts";

const en = CATALOGS.en;

// The element types of intl-messageformat's AST (@formatjs/icu-messageformat-parser's TYPE).
const ARGUMENT = 1, NUMBER = 2, DATE = 3, TIME = 4, SELECT = 5, PLURAL = 6, TAG = 8;

interface Shape {
  arguments: Set<string>;
  tags: Set<string>;
  plurals: Array<{ name: string; options: string[] }>;
  selects: string[];
}

function shapeOf(text: string, locale: string): Shape {
  const shape: Shape = { arguments: new Set(), tags: new Set(), plurals: [], selects: [] };
  const walk = (elements: any[]): void => {
    for (const element of elements) {
      if ([ARGUMENT, NUMBER, DATE, TIME, SELECT, PLURAL].includes(element.type)) shape.arguments.add(element.value);
      if (element.type === TAG) {
        shape.tags.add(element.value);
        walk(element.children);
      }
      if (element.type === PLURAL) shape.plurals.push({ name: element.value, options: Object.keys(element.options) });
      if (element.type === SELECT) shape.selects.push(`${element.value}: ${Object.keys(element.options).sort().join(" ")}`);
      if (element.type === PLURAL || element.type === SELECT) for (const option of Object.values<any>(element.options)) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as any[]);
  return shape;
}

/** For each plural category of a language, a number that falls in it (ar: 0, 1, 2, 3, 11, 100). */
function samplesFor(locale: string): Map<string, number> {
  const rules = new Intl.PluralRules(locale);
  const samples = new Map<string, number>();
  for (const n of [0, 1, 2, 3, 5, 11, 21, 100, 1000, 1_000_000]) {
    const category = rules.select(n);
    if (!samples.has(category)) samples.set(category, n);
  }
  assert.deepEqual([...samples.keys()].sort(), [...rules.resolvedOptions().pluralCategories].sort(), `a sample for every ${locale} plural category`);
  return samples;
}

test("every catalog has exactly the keys of English", () => {
  const keys = Object.keys(en).sort();
  for (const locale of LOCALES) {
    const catalog: Record<string, string> = CATALOGS[locale];
    assert.deepEqual(Object.keys(catalog).sort(), keys, `${locale} has every English key and no other`);
    for (const [key, text] of Object.entries(catalog)) assert.ok(text.trim().length > 0, `${locale} ${key} is not empty`);
  }
});

test("every message compiles, uses English's values and tags, covers its language's plural categories, and formats for each", () => {
  for (const locale of LOCALES) {
    const samples = samplesFor(locale);
    const categories = new Set(samples.keys());
    for (const [key, text] of Object.entries(CATALOGS[locale] as Record<string, string>)) {
      const english = shapeOf(en[key as MessageKey], "en");
      const shape = shapeOf(text, locale);
      assert.deepEqual([...shape.arguments].sort(), [...english.arguments].sort(), `${locale} ${key} takes the values English does`);
      assert.deepEqual([...shape.tags].sort(), [...english.tags].sort(), `${locale} ${key} has English's markup tags`);
      assert.deepEqual(shape.selects.sort(), english.selects.sort(), `${locale} ${key} chooses among English's cases`);
      for (const plural of shape.plurals) {
        const named = plural.options.filter((option) => !option.startsWith("="));
        for (const category of categories) assert.ok(named.includes(category), `${locale} ${key}: {${plural.name}} has a "${category}" form`);
        for (const option of named) assert.ok(categories.has(option), `${locale} ${key}: "${option}" is not a ${locale} plural category`);
      }
      const format = new IntlMessageFormat(text, locale);
      for (const n of samples.values()) {
        const values: Record<string, unknown> = {};
        for (const name of shape.arguments) values[name] = n;
        for (const tag of shape.tags) values[tag] = (chunks: unknown[]) => `[${chunks.join("")}]`;
        const out = format.format(values as never);
        const textOut = Array.isArray(out) ? out.join("") : String(out);
        assert.ok(textOut.length > 0, `${locale} ${key} formats with ${n}`);
        assert.doesNotMatch(textOut, /[{}]/, `${locale} ${key} leaves no placeholder unformatted`);
      }
    }
  }
});

test("plurals pick the language's forms: Arabic's six, Japanese's one, English's two", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  const forms = (locale: Locale) => [0, 1, 2, 3, 11, 100].map((count) => catalogs.for(locale).t("quota.photosUnlimited", { count }));
  assert.deepEqual(forms("en"), ["0 photos (no limit)", "1 photo (no limit)", "2 photos (no limit)", "3 photos (no limit)", "11 photos (no limit)", "100 photos (no limit)"]);
  assert.equal(new Set(forms("ar").map((s) => s.replace(/[\d٠-٩]+/g, "#"))).size, 5, "zero, one, two, few and many differ (other reads like many)");
  assert.deepEqual(forms("ja").map((s) => s.replace(/\d+/g, "#")), Array(6).fill("写真 # 枚（上限なし）"));
});

test("numbers and dates are written the locale's way", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  assert.equal(catalogs.for("en").number(1234567.5), "1,234,567.5");
  assert.equal(catalogs.for("de").number(1234567.5), "1.234.567,5");
  assert.equal(catalogs.for("fr").number(1234.5).replace(/\s/g, " "), "1 234,5");
  const day = Date.UTC(2024, 2, 9, 12);
  assert.equal(catalogs.for("en").date(day), "March 9, 2024");
  assert.equal(catalogs.for("de").date(day), "9. März 2024");
  assert.equal(catalogs.for("ja").date(day), "2024年3月9日");
  assert.equal(catalogs.for("es").date(day), "9 de marzo de 2024");
  assert.match(catalogs.for("ar").date(day), /مارس/);
});

test("a rich message escapes its text and draws its tags", () => {
  const m = new MessageCatalogs({ missing: "throw" }).for("en");
  const out = m.rich("photo.byline", { link: (inner) => html`<a href="/photos/x">${inner}</a>` }, { username: "<b>&" });
  assert.equal(out.value, 'by <a href="/photos/x">&lt;b&gt;&amp;</a>');
});

test("a key no catalog has throws in tests, and on a live site shows English, logged once", () => {
  const strict = new MessageCatalogs({ missing: "throw" }).for("ja");
  assert.throws(() => strict.t("no.such.key" as MessageKey), /missing from the ja catalog/);
  const logged: string[] = [];
  const live = new MessageCatalogs({ missing: "fallback", log: (line) => logged.push(line) }).for("ja");
  assert.equal(live.t("no.such.key" as MessageKey), "no.such.key");
  live.t("no.such.key" as MessageKey);
  assert.equal(logged.length, 1, "logged once, not on every page");
});

test("Accept-Language is read by q-value, then order; regional tags fall back to the language", () => {
  assert.deepEqual(parseAcceptLanguage("fr;q=0.5, de-CH, en;q=0.9, ja;q=0, *;q=0.1, bad tag"), ["de-ch", "en", "fr", "*"]);
  assert.equal(localeFromAcceptLanguage("de-CH,de;q=0.9"), "de");
  assert.equal(localeFromAcceptLanguage("pt-BR, es;q=0.4"), "es");
  assert.equal(localeFromAcceptLanguage("pt-BR, zh"), null);
  assert.equal(localeFromAcceptLanguage("ja;q=0, *"), "en");
  assert.equal(localeFromAcceptLanguage(undefined), null);
});

test("the footer's choice beats the saved setting, which beats the browser, which beats English", () => {
  assert.equal(negotiateLocale({ cookie: "ar", saved: "de", acceptLanguage: "ja" }), "ar");
  assert.equal(negotiateLocale({ cookie: undefined, saved: "de", acceptLanguage: "ja" }), "de");
  assert.equal(negotiateLocale({ cookie: "xx", saved: null, acceptLanguage: "ja,en;q=0.5" }), "ja", "an unknown cookie value is ignored");
  assert.equal(negotiateLocale({ cookie: undefined, saved: null, acceptLanguage: "pt" }), "en");
});

test("a client script gets its messages with {placeholders} kept and plurals as one text per category", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  assert.equal(catalogs.for("de").forScript("uploadScript.notUploaded"), "Nicht hochgeladen: {reason}");
  assert.deepEqual(JSON.parse(catalogs.for("en").forScript("uploadScript.applied", "count")), { one: "Applied to {count} photo", other: "Applied to {count} photos" });
  const arabic = JSON.parse(catalogs.for("ar").forScript("uploadScript.applied", "count"));
  assert.deepEqual(Object.keys(arabic).sort(), ["few", "many", "one", "other", "two", "zero"]);
  assert.equal(arabic.few, "طُبّق على {count} صور");
});

test("a rich message refuses a value named as one of its tags, which ICU would draw as the tag", () => {
  const m = new MessageCatalogs({ missing: "throw" }).for("en");
  assert.throws(() => m.rich("photo.byline", { link: (inner) => html`<a>${inner}</a>` }, { username: "x", link: "y" }), /the value \{link\} has the name of the tag <link>/);
});

test("Arabic keeps groups and collections apart in every catalog: a group is a جماعة, a collection of albums a مجموعة", () => {
  const ar: Record<string, string> = CATALOGS.ar;
  for (const [key, english] of Object.entries(en as Record<string, string>)) {
    if (/\bgroups?\b/i.test(english)) assert.doesNotMatch(ar[key]!, /مجموع/, `ar ${key} speaks of a group`);
    if (/\bcollections?\b/i.test(english)) assert.doesNotMatch(ar[key]!, /جماع/, `ar ${key} speaks of a collection`);
  }
  assert.equal(ar["groups.title"], "الجماعات");
  assert.equal(ar["stream.collections"], "المجموعات");
});

test("a message of plain text is answered as written, the same as formatting it would give, in every language", () => {
  const catalogs = new MessageCatalogs({ missing: "throw" });
  let plain = 0;
  for (const locale of LOCALES) {
    const messages = catalogs.for(locale);
    for (const [key, text] of Object.entries(CATALOGS[locale])) {
      const compiled = new IntlMessageFormat(text, locale);
      if (!compiled.getAst().every((element) => element.type === 0)) continue;
      plain++;
      assert.equal(messages.t(key as MessageKey), String(compiled.format()), `${locale} ${key}`);
    }
  }
  assert.ok(plain > 100, `most labels are plain text (${plain})`);
  // A message with a plain argument is still formatted with its value.
  const [key, argument] = Object.entries(en)
    .map(([k, text]) => [k, new IntlMessageFormat(text, "en").getAst()] as const)
    .filter(([, ast]) => ast.length > 1 && ast.every((element) => element.type === 0 || element.type === ARGUMENT))
    .map(([k, ast]) => [k, (ast.find((element) => element.type === ARGUMENT) as { value: string }).value] as const)[0]!;
  assert.match(catalogs.for("en").t(key as MessageKey, { [argument]: "ZZZ-value" }), /ZZZ-value/, key);
});
