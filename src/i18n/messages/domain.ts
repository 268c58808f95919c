import type { Locale } from "../locales.ts";

/** One domain's messages in every language: English's keys, each language's own words. */
export type DomainMessages<K extends string> = Readonly<Record<Locale, Readonly<Record<K, string>>>>;

/**
 * A domain's messages, kept beside each other in one file (`messages/<domain>.ts`) so a page's
 * words are translated together and two domains never edit the same file. English fixes the
 * keys; tsc refuses another language's missing or extra key (the keys are not inferred from
 * them), and catalogs.test.ts checks the same at run time.
 */
export function defineMessages<K extends string>(
  messages: { readonly en: Readonly<Record<K, string>> } & { readonly [L in Exclude<Locale, "en">]: Readonly<Record<NoInfer<K>, string>> },
): DomainMessages<K> {
  return messages;
}

export type KeysOf<D> = D extends DomainMessages<infer K> ? K : never;
