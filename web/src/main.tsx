import { render } from "preact";
import { App } from "./components/app.js";
import { applyTheme } from "./components/theme-toggle.js";
import { I18nProvider, initialLocale } from "./i18n/i18n-context.js";
import { loadTheme } from "./state/browser-storage.js";

// Apply the remembered theme, and the language's `<html lang>` (index.html says `en` until now), before the
// first paint of the app.
applyTheme(loadTheme());
document.documentElement.lang = initialLocale();
const root = document.getElementById("app");
if (root) {
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
    root,
  );
}
