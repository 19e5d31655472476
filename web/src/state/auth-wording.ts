import { type Phrase, phrase } from "../i18n/translator.js";

/**
 * The sign-in page's words for the server's auth mode (`GET /info`): API keys come from `threadline keys
 * create`, JWTs from whoever issues them (keys do not work in jwt mode), so each mode names its own credential.
 */
export type AuthMode = "none" | "apikey" | "jwt";

/** "access token" or "API key". */
export function credentialName(mode: AuthMode): Phrase {
  return phrase(mode === "jwt" ? "credential.token" : "credential.apiKey");
}

/** Why a credential typed in the form was refused (the server's 401 message says whether a JWT expired). */
export function refusedMessage(mode: AuthMode, serverMessage: string | undefined): Phrase {
  if (mode !== "jwt") return phrase("auth.keyRefused");
  if (serverMessage && /"exp" claim|expired/i.test(serverMessage)) return phrase("auth.tokenExpired");
  return phrase("auth.tokenRefused");
}

/** Why the remembered credential no longer works on opening the page. */
export function savedRefusedMessage(mode: AuthMode): Phrase {
  return phrase(mode === "jwt" ? "auth.savedTokenRefused" : "auth.savedKeyRefused");
}

/** Why the server closed the socket of an open page (key revoked, token expired). */
export function revokedWhileOpenMessage(mode: AuthMode): Phrase {
  return phrase(mode === "jwt" ? "auth.tokenRevoked" : "auth.keyRevoked");
}
