import { createHash } from "node:crypto";

/**
 * A UUID derived from its parts (name-based, like UUIDv5 but SHA-256): the same firing or delivery always gets
 * the same job or thread id, so enqueueing or creating it twice is a no-op instead of a duplicate.
 */
export function stableUuid(...parts: string[]): string {
  const hash = createHash("sha256").update(parts.join("\u0000")).digest().subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
