import type { RequestHandler } from "express";
import { AppError } from "../errors/app-error.js";

/** Routes that read a body of another type themselves: the JSONL import. */
const OWN_BODY_ROUTES = new Set(["/threads/import"]);

/**
 * Refuse a request body that is not JSON (`invalid_request`) where the API reads JSON: unparsed, it read as no body
 * at all, and `POST /threads` with a `text/plain` body created a thread from defaults as if nothing had been sent.
 */
export const jsonBodyOnly: RequestHandler = (request, _response, next) => {
  if (!hasBody(request.headers) || OWN_BODY_ROUTES.has(request.path) || request.is(["application/json", "application/*+json"])) {
    next();
    return;
  }
  throw new AppError("invalid_request", `Send the body as JSON (Content-Type: application/json), not ${request.headers["content-type"] ?? "untyped"}`);
};

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers["transfer-encoding"] !== undefined || (headers["content-length"] !== undefined && headers["content-length"] !== "0");
}
