import { useEffect, useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import type { PlainKey } from "../i18n/translator.js";
import { loadTheme, saveTheme, type ThemePreference } from "../state/browser-storage.js";

const NEXT: Record<ThemePreference, ThemePreference> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemePreference, PlainKey> = { system: "theme.system", light: "theme.light", dark: "theme.dark" };
const ICON: Record<ThemePreference, string> = { system: "◐", light: "☀", dark: "☾" };

/** Apply a theme preference to the document (CSS reads `data-theme`; `system` follows prefers-color-scheme). */
export function applyTheme(theme: ThemePreference): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Cycles system → light → dark, remembered in the browser. */
export function ThemeToggle() {
  const { t } = useI18n();
  const [theme, setTheme] = useState<ThemePreference>(loadTheme);
  const label = t(LABEL[theme]);
  useEffect(() => {
    applyTheme(theme);
    saveTheme(theme);
  }, [theme]);
  return (
    <button type="button" class="icon-button" aria-label={t("theme.change", { theme: label })} title={label} onClick={() => setTheme(NEXT[theme])}>
      <span aria-hidden="true">{ICON[theme]}</span>
    </button>
  );
}
