import { isDatabaseUnavailable } from "../db/connection-failure.js";

/** The closed set of error codes every transport renders; each maps to one HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_found: 404,
  conflict: 409,
  thread_busy: 409,
  payload_too_large: 413,
  rate_limited: 429,
  model_error: 502,
  tool_error: 500,
  unavailable: 503,
  internal: 500,
} as const;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type of the runtime: a code, a safe message and optional details. */
export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The JSON body shared by HTTP responses and WS error frames. */
  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Recognise an AppError by shape (works across module copies, unlike instanceof). */
export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === "string" &&
    (value as unknown as { code: string }).code in ERROR_STATUS &&
    value.name === "AppError"
  );
}

/** Seconds a client is asked to wait (`Retry-After`) before retrying an `unavailable` request. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Convert anything thrown into an AppError once, at the edge: a database that cannot be reached is `unavailable`
 * (retryable, 503), unknown failures become `internal`.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return new AppError("unavailable", "The database is not reachable; try again shortly", { details: { retry_after_ms: UNAVAILABLE_RETRY_AFTER_SECONDS * 1000 }, cause: error });
  }
  if (isZodLikeError(error)) {
    return new AppError("invalid_request", `Request did not match the expected shape: ${describeIssues(error.issues)}`, { details: error.issues });
  }
  return new AppError("internal", "Internal error", { cause: error });
}

/**
 * The first of a schema's issues as a person reads it — where, then what: `input.messages[0].content: Too big:
 * expected string to have <=100000 characters` — and how many more there are. The issues themselves go out as
 * the error's `details`; a client that prints only the message (the terminal client) still says what to fix.
 */
export function describeIssues(issues: readonly unknown[]): string {
  const [first] = issues as { path?: unknown; message?: unknown }[];
  if (!first) return "no details";
  const path = Array.isArray(first.path) ? formatJsonPath(first.path) : "";
  const message = typeof first.message === "string" ? first.message : "invalid";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${path ? `${path}: ` : ""}${message}${more}`;
}

/** A path into a JSON value as people write it: `["input", "messages", 0, "content"]` → `input.messages[0].content`. */
export function formatJsonPath(path: readonly unknown[]): string {
  return path.reduce<string>((text, step) => (typeof step === "number" ? `${text}[${step}]` : text ? `${text}.${String(step)}` : String(step)), "");
}

function isZodLikeError(error: unknown): error is { issues: unknown[] } {
  return error instanceof Error && error.name === "ZodError" && Array.isArray((error as { issues?: unknown }).issues);
}

/** An error as a log line shows an expected outage (the database down): its message and code, without a stack. */
export function errorSummary(error: unknown): { message: string; code?: unknown } {
  return error instanceof Error ? { message: error.message, code: (error as { code?: unknown }).code } : { message: String(error) };
}

/** Shorthand for the most common not-found case, phrased without leaking existence. */
export function notFound(what: string, id: string): AppError {
  return new AppError("not_found", `${what} ${id} not found`);
}
