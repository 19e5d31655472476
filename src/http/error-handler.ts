import { isUtf8 } from "node:buffer";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { AppError, errorSummary, toAppError } from "../errors/app-error.js";
import type { Logger } from "../logger.js";

function isJsonText(body: unknown): boolean {
  if (typeof body !== "string") return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * body-parser's `verify`: a UTF-8 body that is not valid UTF-8 is refused. Decoded as it is, each bad byte would
 * become U+FFFD and be stored so, the sender's text silently changed (the transcript import refuses such files too).
 */
export function refuseInvalidUtf8(_request: unknown, _response: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) throw Object.assign(new Error("Request body is not valid UTF-8"), { type: "encoding.invalid" });
}

/** Map body-parser failures to our codes before the generic conversion. */
function fromBodyParser(error: unknown): AppError | undefined {
  const type = (error as { type?: unknown }).type;
  if (type === "entity.too.large") return new AppError("payload_too_large", "Request body is too large");
  if (type === "entity.parse.failed") {
    // Strict JSON bodies are objects or arrays: `null`, `1` or `"text"` parse, but are no request.
    return new AppError("invalid_request", isJsonText((error as { body?: unknown }).body) ? "Request body must be a JSON object" : "Request body is not valid JSON");
  }
  if (type === "encoding.unsupported" || type === "charset.unsupported") return new AppError("invalid_request", "Unsupported body encoding");
  if (type === "encoding.invalid") return new AppError("invalid_request", "Request body is not valid UTF-8: send JSON encoded as UTF-8");
  return undefined;
}

/** The one place HTTP errors are rendered: `{code, message, details?}` with the code's status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  // express recognises error handlers by their four parameters.
  // eslint-disable-next-line max-params
  return (error: unknown, request, response, _next) => {
    const appError = fromBodyParser(error) ?? toAppError(error);
    if (appError.code === "internal") logger.error({ err: error, method: request.method, path: request.path }, "request failed");
    if (appError.code === "unavailable" && appError.cause !== undefined) {
      logger.warn({ err: errorSummary(appError.cause), method: request.method, path: request.path }, "request failed: the database is not reachable");
    }
    const retryAfterMs = (appError.details as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
    if (appError.code === "rate_limited" || appError.code === "unavailable") {
      response.setHeader("Retry-After", String(Math.ceil((typeof retryAfterMs === "number" ? retryAfterMs : 1000) / 1000)));
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(appError.status).json(appError.toJSON());
  };
}

/** Unknown routes answer a typed not_found. */
export const notFoundHandler: RequestHandler = (request, _response, next) => {
  next(new AppError("not_found", `No route ${request.method} ${request.path}`));
};
