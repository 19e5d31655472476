import { RpcError, errorMessage } from "../protocol/rpc-error.js";

/** Said when a message was refused because its session is gone; the page has moved to the window's session. */
export const SESSION_DELETED =
  "That session was deleted, perhaps in another window, so the message was not sent. It is still in the message box: send it here to continue in this session.";

/** Said when the open session was deleted in another window (the server told us); nothing was being sent. */
export const SESSION_DELETED_ELSEWHERE =
  "The session you had open was deleted in another window, so this window moved to a session of its own. Anything in the message box is still there.";

/**
 * What to tell the user when the server refused a message (`run.start`). The text always goes back into the
 * message box, so each message says what to do with it rather than offering to resend it unchanged.
 */
export function sendFailureMessage(error: unknown): string {
  const code = error instanceof RpcError ? error.code : "";
  switch (code) {
    case "payload_too_large": {
      const limit = frameLimit(error instanceof Error ? error.message : "");
      return `This message is too long to send${limit ? ` (the server takes up to about ${limit})` : ""}. Shorten it or split it into several messages; it is still in the message box.`;
    }
    case "rate_limited":
      return "Too many messages in a short time. Wait a moment and send again; the message is still in the message box.";
    case "disconnected":
    case "timeout":
      return "The connection to the server was lost, so the message was not sent. It is still in the message box: send it again once reconnected.";
    default:
      return `The message was not sent: ${errorMessage(error)}. It is still in the message box.`;
  }
}

/** "1 MB", "16 KB" from the server's "Frame exceeds 1048576 bytes", or undefined when it says no number. */
function frameLimit(message: string): string | undefined {
  const bytes = Number(/(\d+)\s*bytes/.exec(message)?.[1]);
  if (!Number.isFinite(bytes) || bytes <= 0) return undefined;
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
