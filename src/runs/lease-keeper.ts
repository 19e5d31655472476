import type { Logger } from "../logger.js";
import type { RunStore } from "./run-store.js";

/** Why a run's execution was stopped from outside. */
export type StopReason =
  | { kind: "cancel"; action: "interrupt" | "rollback" | "cancel"; message: string }
  | { kind: "lease_lost" }
  | { kind: "shutdown" };

/** The abort reason carried by a run's AbortSignal; recognised by name. */
export class RunStopError extends Error {
  override name = "RunStopError";
  constructor(readonly reason: StopReason) {
    super(reason.kind === "cancel" ? reason.message : reason.kind === "lease_lost" ? "the run's lease was lost" : "server shutting down");
  }
}

/** What a stop requested through another instance says when only its action reached here (the run's flag). */
export const STOPPED_ELSEWHERE = { cancel: "cancelled (requested through another instance)", interrupt: "interrupted (requested through another instance)", rollback: "rolled back (requested through another instance)" } as const;

/** The stop reason of an aborted signal, if it was ours. */
export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === "RunStopError" ? (reason as RunStopError).reason : undefined;
}

/**
 * Renews a running run's lease while it executes (every third of the lease), and stops the run when the lease
 * is lost or a cancel was requested from another instance.
 */
export function keepLease(options: {
  store: RunStore;
  runId: string;
  lease: { owner: string; ms: number };
  controller: AbortController;
  logger: Logger;
}): () => void {
  const { store, runId, lease, controller, logger } = options;
  const timer = setInterval(() => {
    store
      .renewLease(runId, lease)
      .then(({ held, cancelRequested }) => {
        if (controller.signal.aborted) return;
        if (!held) controller.abort(new RunStopError({ kind: "lease_lost" }));
        else if (cancelRequested) controller.abort(new RunStopError({ kind: "cancel", action: cancelRequested, message: STOPPED_ELSEWHERE[cancelRequested] }));
      })
      .catch((error: unknown) => logger.warn({ err: error, runId }, "lease renewal failed"));
  }, Math.max(50, Math.floor(lease.ms / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
