// The languages the page speaks and how a browser's preferences map onto them.

/** A language the page has a message catalog for (BCP 47, also used for `<html lang>` and Intl). */
export type Locale = "en" | "zh-CN";

/** Every supported locale, in the order the language switch lists them. */
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];

/** Each language named in itself, so a reader finds theirs whatever the page currently speaks. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", "zh-CN": "简体中文" };

/** Whether a stored or typed value names a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The locale for the browser's preferred languages (`navigator.languages`), first match wins. Every Chinese
 * variant (zh-TW, zh-HK, zh-Hant…) maps to Simplified Chinese: its readers would rather read that than English.
 */
export function matchLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const primary = language.toLowerCase().split(/[-_]/)[0];
    if (primary === "zh") return "zh-CN";
    if (primary === "en") return "en";
  }
  return "en";
}
