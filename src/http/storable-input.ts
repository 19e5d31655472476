import type { RequestHandler } from "express";
import { assertStorableText } from "../errors/storable-text.js";

/**
 * Refuse a request whose JSON body or query string holds text Postgres cannot store (a NUL character, an
 * unpaired surrogate) with `invalid_request`, before any route reads it. Text bodies (JSONL imports) are checked
 * line by line by their parser, which can name the line.
 */
export const storableInput: RequestHandler = (request, _response, next) => {
  if (typeof request.body !== "string") assertStorableText(request.body, "The request body");
  assertStorableText(request.query, "The query string");
  next();
};
