import { useState } from "preact/hooks";
import { type AuthMode, credentialName } from "../state/auth-wording.js";

/** Asks for an API key or token (AUTH_MODE=apikey|jwt); it is remembered in this browser. */
export function SignInForm(props: { authMode: AuthMode; error: string | undefined; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState("");
  const what = credentialName(props.authMode);
  return (
    <main class="sign-in">
      <form
        class="sign-in-card"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) props.onSubmit(token.trim());
        }}
      >
        <h1>Threadline</h1>
        <p>Sign in with your {what}.</p>
        <label for="token-input" class="field-label">
          {props.authMode === "jwt" ? "Access token" : "API key"}
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
          Sign in
        </button>
        {props.authMode === "jwt" ? (
          <p class="hint">Use the token (JWT) your organisation's sign-in gives you; API keys do not work on this server. It is stored in this browser only.</p>
        ) : (
          <p class="hint">
            Create a key with <code>threadline keys create --user &lt;you&gt;</code>. It is stored in this browser only.
          </p>
        )}
      </form>
    </main>
  );
}
