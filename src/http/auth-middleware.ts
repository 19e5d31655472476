import type { RequestHandler } from "express";
import { extractToken } from "../auth/authenticator.js";
import type { Services } from "../services.js";

/** Authenticate every request and spend the user's rate-limit budget. */
export function authMiddleware(services: Pick<Services, "authenticator" | "rateLimiter">): RequestHandler {
  return async (request, response, next) => {
    // The LangGraph SDK's `apiKey` option sends `x-api-key`.
    const apiKeyHeader = request.headers["x-api-key"];
    const credential = extractToken(request.headers.authorization, typeof apiKeyHeader === "string" ? apiKeyHeader : null);
    const user = await services.authenticator.authenticate(credential);
    await services.rateLimiter.consume(user.id);
    response.locals.user = user;
    // Long responses (SSE streams) check it again while they last.
    response.locals.credential = credential;
    next();
  };
}
