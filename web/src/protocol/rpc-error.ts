/** A command the server (or the connection) refused; `code` is the server's error code or `disconnected`. */
export class RpcError extends Error {
  override name = "RpcError";

  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Whether an error means "this server does not have that method yet" (features that land later). */
export function isMethodNotFound(error: unknown): boolean {
  return error instanceof RpcError && error.code === "method_not_found";
}

/** A short human message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof RpcError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
