import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales.ts";

/** The cookie the footer's language picker sets: a visitor's explicit choice. */
export const LANG_COOKIE = "lang";

/**
 * The languages of an Accept-Language header, best first (RFC 9110 §12.5.4): q-values sort,
 * ties keep the header's order, q=0 means "not this one", malformed entries are skipped.
 */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const ranges: Array<{ tag: string; q: number; index: number }> = [];
  header.split(",").forEach((part, index) => {
    const [rawTag, ...params] = part.trim().split(";");
    const tag = rawTag?.trim().toLowerCase() ?? "";
    if (!/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(tag)) return;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/i.exec(param);
      if (match) q = Number(match[1]);
    }
    if (q > 0 && q <= 1) ranges.push({ tag, q, index });
  });
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map((r) => r.tag);
}

/** The first shipped language the header accepts: "de-CH" is served "de"; "*" means anything, so English. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  for (const tag of parseAcceptLanguage(header)) {
    if (tag === "*") return DEFAULT_LOCALE;
    if (isLocale(tag)) return tag;
    const primary = tag.split("-")[0];
    if (isLocale(primary)) return primary;
  }
  return null;
}

/**
 * Which language a page is in: what the visitor picked in the footer (the cookie), else what
 * the member saved in their settings, else what the browser asks for, else English. The
 * picker comes first because it is the most recent and most deliberate choice on this device.
 */
export function negotiateLocale(input: { cookie: string | undefined; saved: string | null | undefined; acceptLanguage: string | undefined }): Locale {
  if (isLocale(input.cookie)) return input.cookie;
  if (isLocale(input.saved)) return input.saved;
  return localeFromAcceptLanguage(input.acceptLanguage) ?? DEFAULT_LOCALE;
}
