import { formatBytes, formatCount } from "../i18n/intl-format.js";
import { type Phrase, phrase } from "../i18n/translator.js";
import { RpcError, errorMessage } from "../protocol/rpc-error.js";

/** Said when a message was refused because its session is gone; the page has moved to the window's session. */
export const SESSION_DELETED: Phrase = phrase("send.sessionDeleted");

/** Said when a session picked in the list turns out to have been deleted elsewhere; the tab stays where it was. */
export const SESSION_PICKED_DELETED: Phrase = phrase("send.sessionPickedDeleted");

/** Said when the open session was deleted in another window (the server told us); nothing was being sent. */
export const SESSION_DELETED_ELSEWHERE: Phrase = phrase("send.sessionDeletedElsewhere");

/**
 * What to tell the user when the server refused a message (`run.start`). The text always goes back into the
 * message box, so each message says what to do with it rather than offering to resend it unchanged. The
 * server's own message (in English) is quoted as sent inside the page's translated framing.
 */
export function sendFailureMessage(error: unknown): Phrase {
  const code = error instanceof RpcError ? error.code : "";
  switch (code) {
    case "payload_too_large": {
      const bytes = frameLimitBytes(error instanceof Error ? error.message : "");
      if (bytes === undefined) return phrase("send.tooLong");
      return ({ t, locale }) => t("send.tooLongLimit", { limit: formatBytes(locale, bytes) });
    }
    case "invalid_request": {
      // A message over the server's length limit (in characters, well under the frame's limit in bytes).
      const chars = contentLimitChars(error instanceof RpcError ? error.details : undefined);
      if (chars === undefined) return ({ t }) => t("send.failed", { error: errorMessage(error) });
      return ({ t, locale }) => t("send.tooLongChars", { limit: formatCount(locale, chars) });
    }
    case "rate_limited":
      return phrase("send.rateLimited");
    case "disconnected":
      return phrase("send.disconnected");
    case "timeout":
      // No answer is not a refusal: the server may have taken the message and be slow to say so.
      return phrase("send.noAnswer");
    default:
      return ({ t }) => t("send.failed", { error: errorMessage(error) });
  }
}

/**
 * 100000 from the schema issue that refused a message's text as too long (`too_big` at `…messages[i].content`), or
 * undefined when the request was refused for something else.
 */
function contentLimitChars(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const issue of details as { code?: unknown; path?: unknown; maximum?: unknown }[]) {
    const path = Array.isArray(issue.path) ? issue.path : [];
    if (issue.code === "too_big" && path.at(-1) === "content" && typeof issue.maximum === "number") return issue.maximum;
  }
  return undefined;
}

/** 1048576 from the server's "Frame exceeds 1048576 bytes", or undefined when it says no number. */
function frameLimitBytes(message: string): number | undefined {
  const bytes = Number(/(\d+)\s*bytes/.exec(message)?.[1]);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}
