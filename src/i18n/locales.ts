/**
 * The interface languages the site ships. Adding one: a catalog in messages/ with every key of
 * en.ts (tsc and catalogs.test.ts both refuse a missing one), then a line here.
 */
export const LOCALES = ["en", "ar", "de", "es", "fr", "ja"] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = "en";

/** Each language named in itself, as the picker shows it, and its writing direction. */
export const LOCALE_INFO: Record<Locale, { name: string; dir: "ltr" | "rtl" }> = {
  en: { name: "English", dir: "ltr" },
  ar: { name: "العربية", dir: "rtl" },
  de: { name: "Deutsch", dir: "ltr" },
  es: { name: "Español", dir: "ltr" },
  fr: { name: "Français", dir: "ltr" },
  ja: { name: "日本語", dir: "ltr" },
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}
