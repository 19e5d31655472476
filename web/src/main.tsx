import { render } from "preact";
import { App } from "./components/app.js";
import { applyTheme } from "./components/theme-toggle.js";
import { I18nProvider } from "./i18n/i18n-context.js";
import { loadTheme } from "./state/browser-storage.js";

// Apply the remembered theme before the first paint of the app.
applyTheme(loadTheme());
const root = document.getElementById("app");
if (root) {
  render(
    <I18nProvider>
      <App />
    </I18nProvider>,
    root,
  );
}
