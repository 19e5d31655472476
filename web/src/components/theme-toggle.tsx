import { useEffect, useState } from "preact/hooks";
import { loadTheme, saveTheme, type ThemePreference } from "../state/browser-storage.js";

const NEXT: Record<ThemePreference, ThemePreference> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<ThemePreference, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };
const ICON: Record<ThemePreference, string> = { system: "◐", light: "☀", dark: "☾" };

/** Apply a theme preference to the document (CSS reads `data-theme`; `system` follows prefers-color-scheme). */
export function applyTheme(theme: ThemePreference): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Cycles system → light → dark, remembered in the browser. */
export function ThemeToggle() {
  const [theme, setTheme] = useState<ThemePreference>(loadTheme);
  useEffect(() => {
    applyTheme(theme);
    saveTheme(theme);
  }, [theme]);
  return (
    <button type="button" class="icon-button" aria-label={`${LABEL[theme]} (change)`} title={LABEL[theme]} onClick={() => setTheme(NEXT[theme])}>
      <span aria-hidden="true">{ICON[theme]}</span>
    </button>
  );
}
