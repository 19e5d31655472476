import type { Response } from "express";
import { credentialVerdict, endsConnection } from "../auth/credential-verdict.js";
import type { Services } from "../services.js";
import { currentCredential, currentUser } from "./request-context.js";

/**
 * Check the request's credential again every `WS_REAUTH_MS` while its response stays open (SSE streams, `/wait` and
 * `/join` long-polls): like a WebSocket, such a response outlives the check that let it start, and a key revoked (by
 * another process too) or a JWT that expired must not keep it going. `onRevoked` is called once, on a definite
 * refusal; a check that fails for another reason (database down) ends nothing. Returns a function that stops it.
 */
export function watchCredential(services: Pick<Services, "config" | "authenticator">, response: Response, onRevoked: () => void): () => void {
  if (services.config.AUTH_MODE === "none") return () => undefined;
  const userId = currentUser(response).id;
  const credential = currentCredential(response);
  let stopped = false;
  const check = async () => {
    const ends = endsConnection(await credentialVerdict(services.authenticator, credential), userId);
    if (!ends || stopped) return;
    stop();
    onRevoked();
  };
  const timer = setInterval(() => void check(), services.config.WS_REAUTH_MS);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
