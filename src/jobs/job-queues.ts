/** pg-boss queue names of Threadline's background work (alphanumerics, `_` and `-` only). */
export const JOB_QUEUES = {
  /** One job per cron firing, started at its scheduled time. */
  cronFire: "threadline-cron-fire",
  /** Every minute: re-enqueue firings that are due soon (a safety net; firings normally chain themselves). */
  cronTick: "threadline-cron-tick",
  /** One job per webhook delivery; retried with exponential backoff. */
  webhook: "threadline-webhook",
  /** Periodic thread TTL sweep. */
  ttlSweep: "threadline-ttl-sweep",
} as const;
