import { toAppError } from "../errors/app-error.js";
import type { Authenticator } from "./authenticator.js";

/** The periodic re-check of a credential: its user now, refused (revoked or expired), or not known (check failed). */
export type CredentialVerdict = { kind: "user"; userId: string } | { kind: "revoked" } | { kind: "unknown" };

/** What a socket or stream is told when the re-check refuses its credential. */
export const CREDENTIALS_REVOKED_MESSAGE = "Your credentials were revoked or expired; sign in again";

/**
 * Whom a credential authenticates now, for connections that outlive the check that let them open (sockets, SSE
 * streams). A failing check (database down) is `unknown` and ends nothing; only a definite refusal does.
 */
export async function credentialVerdict(authenticator: Authenticator, credential: string | undefined): Promise<CredentialVerdict> {
  try {
    return { kind: "user", userId: (await authenticator.authenticate(credential)).id };
  } catch (error) {
    return { kind: toAppError(error).code === "unauthorized" ? "revoked" : "unknown" };
  }
}

/** Whether a verdict ends a connection opened by `userId`: refused, or now someone else's credential. */
export function endsConnection(verdict: CredentialVerdict, userId: string): boolean {
  return verdict.kind === "revoked" || (verdict.kind === "user" && verdict.userId !== userId);
}
