import { useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import { type AuthMode, credentialName } from "../state/auth-wording.js";
import { LanguageSwitch } from "./language-switch.js";

/** Asks for an API key or token (AUTH_MODE=apikey|jwt); it is remembered in this browser. */
export function SignInForm(props: { authMode: AuthMode; error: string | undefined; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState("");
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <main class="sign-in">
      <form
        class="sign-in-card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) props.onSubmit(token.trim());
        }}
      >
        <div class="sign-in-head">
          <h1>Threadline</h1>
          <LanguageSwitch />
        </div>
        <p>{t("signIn.prompt", { credential: credentialName(props.authMode)(i18n) })}</p>
        <label for="token-input" class="field-label">
          {props.authMode === "jwt" ? t("signIn.labelToken") : t("signIn.labelApiKey")}
        </label>
        <input
          id="token-input"
          class="text-input"
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? "token-error" : undefined}
          autoFocus
        />
        {props.error && (
          <p id="token-error" class="form-error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit" class="button button-primary" disabled={!token.trim()}>
          {t("signIn.submit")}
        </button>
        {props.authMode === "jwt" ? (
          <p class="hint">{t("signIn.hintToken")}</p>
        ) : (
          <p class="hint">{i18n.parts("signIn.hintApiKey", { command: <code>threadline keys create --user &lt;you&gt;</code> })}</p>
        )}
      </form>
    </main>
  );
}
