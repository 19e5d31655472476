import { useI18n } from "../i18n/i18n-context.js";
import { isLocale, LOCALE_NAMES, LOCALES } from "../i18n/locale.js";

/**
 * Picks the page's language; the choice is remembered in this browser and applies at once. Each language is
 * named in itself ("English", "简体中文"), so it can be found from a page in a language one cannot read.
 */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <select
      class="select language-select"
      aria-label={t("language.label")}
      title={t("language.label")}
      value={locale}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (isLocale(value)) setLocale(value);
      }}
    >
      {LOCALES.map((option) => (
        <option key={option} value={option} lang={option}>
          {LOCALE_NAMES[option]}
        </option>
      ))}
    </select>
  );
}
