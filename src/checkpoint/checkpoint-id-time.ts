/** 100-nanosecond intervals between the Gregorian epoch (1582-10-15) and the Unix epoch (UUID v1/v6 time). */
const GREGORIAN_OFFSET = 122_192_928_000_000_000n;

/**
 * The smallest UUID v6 string of the given instant. LangGraph's checkpoint ids are UUID v6, whose text sorts by
 * creation time, so `checkpoint_id < checkpointIdAt(t)` selects checkpoints created before `t` on the primary key.
 * @example checkpointIdAt(new Date("2026-01-01T00:00:00Z")) // "1f0e6a3c-…-6000-0000-000000000000"-like
 */
export function checkpointIdAt(instant: Date): string {
  const ticks = BigInt(instant.getTime()) * 10_000n + GREGORIAN_OFFSET;
  const hex = ticks.toString(16).padStart(15, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-6${hex.slice(12, 15)}-0000-000000000000`;
}
