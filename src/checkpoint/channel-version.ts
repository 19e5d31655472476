/** Digits of the random fraction of a numeric channel version. */
const FRACTION_DIGITS = 8;

/**
 * The channel version after `current`: the next integer plus a random fraction, e.g. `8.407113` after `7.90002`.
 *
 * LangGraph compares versions with `>` and takes the maximum, so only the integer part's growth matters to it.
 * The fraction makes versions unique across branches: resuming a thread from an older checkpoint (replay, a
 * rollback) computes the same integer successors as the original branch did, and since blobs are keyed by
 * (thread, namespace, channel, version) and inserted with ON CONFLICT DO NOTHING, PostgresSaver's integer versions
 * make the new branch silently read the old branch's values. (Python's PostgresSaver uses a random suffix too.)
 * String versions, from another saver, continue in Python's format `"<32-digit integer>.<16 digits>"`.
 */
export function nextChannelVersion(current: number | string | undefined): number | string {
  if (typeof current === "string") {
    const integer = Number.parseInt(current.split(".")[0] ?? "0", 10) || 0;
    return `${String(integer + 1).padStart(32, "0")}.${randomDigits(16)}`;
  }
  const integer = current === undefined ? 0 : Math.floor(current);
  // Parsed from its decimal text, so the number prints back as exactly that text (the blob key is its toString()).
  return Number(`${integer + 1}.${randomDigits(FRACTION_DIGITS - 1)}1`);
}

function randomDigits(count: number): string {
  let digits = "";
  for (let index = 0; index < count; index += 1) digits += Math.floor(Math.random() * 10).toString();
  return digits;
}
