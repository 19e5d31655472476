import { createPublicKey, type KeyObject } from "node:crypto";
import { jwtVerify } from "jose";
import type { Config } from "../config.js";
import { AppError } from "../errors/app-error.js";
import type { ApiKeyStore } from "./api-key-store.js";
import { LOCAL_USER, type User, userIdProblem } from "./user.js";

/** Turns a bearer token (or its absence) into a user, per AUTH_MODE. */
export interface Authenticator {
  authenticate(token: string | undefined): Promise<User>;
}

/** Build the authenticator for the configured mode. */
export function createAuthenticator(config: Pick<Config, "AUTH_MODE" | "JWT_SECRET" | "JWT_PUBLIC_KEY" | "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_REQUIRE_EXP">, keys: ApiKeyStore): Authenticator {
  switch (config.AUTH_MODE) {
    case "none":
      return { authenticate: () => Promise.resolve(LOCAL_USER) };
    case "apikey":
      return {
        async authenticate(token) {
          const userId = token ? await keys.verify(token) : undefined;
          if (!userId) throw new AppError("unauthorized", token ? "Invalid or revoked API key" : "Missing API key (Authorization: Bearer <key>)");
          return { id: userId };
        },
      };
    case "jwt":
      return jwtAuthenticator(config);
  }
}

function jwtAuthenticator(config: Pick<Config, "JWT_SECRET" | "JWT_PUBLIC_KEY" | "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_REQUIRE_EXP">): Authenticator {
  const key: Uint8Array | KeyObject = config.JWT_PUBLIC_KEY
    ? createPublicKey(config.JWT_PUBLIC_KEY.replace(/\\n/g, "\n"))
    : new TextEncoder().encode(config.JWT_SECRET ?? "");
  // Every asymmetric algorithm jose verifies (it checks that the key fits the algorithm), every HMAC one for a secret.
  const algorithms = config.JWT_PUBLIC_KEY ? ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] : ["HS256", "HS384", "HS512"];
  // A token without `exp` would be valid for ever: a leaked one could never be stopped short of a new key.
  const requiredClaims = config.JWT_REQUIRE_EXP ? ["exp"] : [];
  return {
    async authenticate(token) {
      if (!token) throw new AppError("unauthorized", "Missing token (Authorization: Bearer <jwt>)");
      try {
        const { payload } = await jwtVerify(token, key, { algorithms, requiredClaims, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
        if (typeof payload.sub !== "string" || payload.sub.length === 0) throw new Error("token has no sub");
        // The sub is stored as the user id (`userIdProblem` says which cannot be one).
        const problem = userIdProblem(payload.sub);
        if (problem) throw new Error(`token's sub ${problem}`);
        return { id: payload.sub };
      } catch (error) {
        throw new AppError("unauthorized", `Invalid token: ${(error as Error).message}`);
      }
    },
  };
}

/** The token from `Authorization: Bearer …`, else from `?token=` (browsers cannot set WS headers). */
export function extractToken(authorization: string | undefined, queryToken?: string | null): string | undefined {
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1] ?? queryToken ?? undefined;
}
