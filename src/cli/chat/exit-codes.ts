/** Exit codes of `threadline chat`, so scripts can tell failures apart. */
export const EXIT = {
  ok: 0,
  /** The reply failed (model or tool error), or a command was refused. */
  failed: 1,
  /** Bad flags or an empty message. */
  usage: 2,
  /** The server could not be reached, or refused the key. */
  connection: 3,
  /** The run waits for an approval that was not given (`--once`, or the input ended before the answer). */
  needsApproval: 4,
  /** Stopped with Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** A failure that ends the command with a specific exit code. */
export class ChatExit extends Error {
  override name = "ChatExit";

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
