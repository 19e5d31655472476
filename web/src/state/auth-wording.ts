/**
 * The sign-in page's words for the server's auth mode (`GET /info`): API keys come from `threadline keys
 * create`, JWTs from whoever issues them (keys do not work in jwt mode), so each mode names its own credential.
 */
export type AuthMode = "none" | "apikey" | "jwt";

/** "access token" or "API key". */
export function credentialName(mode: AuthMode): string {
  return mode === "jwt" ? "access token" : "API key";
}

/** Why a credential typed in the form was refused (the server's 401 message says whether a JWT expired). */
export function refusedMessage(mode: AuthMode, serverMessage: string | undefined): string {
  if (mode !== "jwt") return "That key was not accepted";
  if (serverMessage && /"exp" claim|expired/i.test(serverMessage)) return "That token has expired; get a new one and sign in again";
  return "That token was not accepted";
}

/** Why the remembered credential no longer works on opening the page. */
export function savedRefusedMessage(mode: AuthMode): string {
  return mode === "jwt"
    ? "Your saved token is no longer accepted (it may have expired); please sign in again."
    : "Your saved key is no longer accepted; please sign in again.";
}

/** Why the server closed the socket of an open page (key revoked, token expired). */
export function revokedWhileOpenMessage(mode: AuthMode): string {
  return mode === "jwt" ? "Your token expired or was refused; please sign in again." : "Your key was revoked or your session expired; please sign in again.";
}
