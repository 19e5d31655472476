import type { Request, Response } from "express";
import type { User } from "../auth/user.js";
import { AppError } from "../errors/app-error.js";

/** The authenticated user of a request (set by the auth middleware). */
export function currentUser(response: Response): User {
  const user = (response.locals as { user?: User }).user;
  if (!user) throw new AppError("unauthorized", "Not authenticated");
  return user;
}

/** The credential (API key or JWT) the request authenticated with, if any (set by the auth middleware). */
export function currentCredential(response: Response): string | undefined {
  return (response.locals as { credential?: string }).credential;
}

/** A route parameter as a string. */
export function param(request: Request, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (!value) throw new AppError("invalid_request", `Missing path parameter ${name}`);
  return value;
}
