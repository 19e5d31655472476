import { type Phrase, phrase } from "../i18n/translator.js";
import { isMethodNotFound, RpcError } from "../protocol/rpc-error.js";

/**
 * What to say when the server refused an answer to an approval or a question (`input.respond`), in the page's
 * language: answered already elsewhere, not supported, or refused — the server's own reason (in English, as it
 * names the tool's fields) quoted inside the translated sentence.
 */
export function answerFailurePhrase(error: unknown): Phrase {
  if (isMethodNotFound(error)) return phrase("approval.unsupported");
  const code = error instanceof RpcError ? error.code : "";
  if (code === "conflict" || code === "not_found") return phrase("answer.alreadyAnswered");
  if (code === "disconnected" || code === "timeout") return phrase("answer.notSent");
  const reason = error instanceof Error ? error.message : String(error);
  return ({ t }) => t("answer.refused", { error: reason });
}
