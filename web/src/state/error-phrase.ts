import { type Phrase, phrase, verbatim } from "../i18n/translator.js";
import { RpcError, errorMessage } from "../protocol/rpc-error.js";

/**
 * An error for a banner: a lost connection in the page's words (the client's own "not connected" is no server
 * message to quote), anything else as the server sent it, code included.
 */
export function errorPhrase(error: unknown): Phrase {
  if (error instanceof RpcError && (error.code === "disconnected" || error.code === "timeout")) return phrase("error.disconnected");
  return verbatim(errorMessage(error));
}
