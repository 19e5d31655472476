import { useI18n } from "../i18n/i18n-context.js";
import { isLocale, LOCALE_NAMES, LOCALES } from "../i18n/locale.js";

/** The switch's value for "no language picked: follow the browser" (not a locale, so never stored). */
const FOLLOW_BROWSER = "browser";

/**
 * Picks the page's language; the choice is remembered in this browser and applies at once. Each language is
 * named in itself ("English", "简体中文"), so it can be found from a page in a language one cannot read. The
 * first option goes back to following the browser (the remembered choice is forgotten); it names the language
 * that gives.
 */
export function LanguageSwitch() {
  const { chosen, fromBrowser, setLocale, t } = useI18n();
  return (
    <select
      class="select language-select"
      aria-label={t("language.label")}
      title={t("language.label")}
      value={chosen ?? FOLLOW_BROWSER}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (value === FOLLOW_BROWSER) setLocale(undefined);
        else if (isLocale(value)) setLocale(value);
      }}
    >
      <option value={FOLLOW_BROWSER}>{t("language.followBrowser", { language: LOCALE_NAMES[fromBrowser] })}</option>
      {LOCALES.map((option) => (
        <option key={option} value={option} lang={option}>
          {LOCALE_NAMES[option]}
        </option>
      ))}
    </select>
  );
}
