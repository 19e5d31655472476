import { z } from "zod";

/** What happens to an expired thread: deleted, or pruned to its latest checkpoint. */
export type TtlStrategy = "delete" | "keep_latest";

/** A thread's time to live: minutes without activity before the strategy applies. */
export interface ThreadTtl {
  strategy: TtlStrategy;
  /** Minutes (fractions allowed). */
  ttl: number;
}

/** One week in minutes is far below this; the cap only rejects nonsense. */
const MAX_TTL_MINUTES = 60 * 24 * 365 * 100;

/**
 * LangGraph's `ttl` on `POST /threads` and `PATCH /threads/{id}`: `{strategy?, ttl}` in minutes, or a bare number.
 * @example threadTtlSchema.parse({ strategy: "keep_latest", ttl: 1440 })
 */
export const threadTtlSchema = z.union([
  z.number().positive().max(MAX_TTL_MINUTES).transform((ttl): ThreadTtl => ({ strategy: "delete", ttl })),
  z.object({ strategy: z.enum(["delete", "keep_latest"]).default("delete"), ttl: z.number().positive().max(MAX_TTL_MINUTES) }),
]);

/** `POST /threads/prune`. */
export const pruneThreadsBody = z.object({
  thread_ids: z.array(z.uuid()).min(1).max(1000),
  strategy: z.enum(["delete", "keep_latest"]).default("delete"),
});
