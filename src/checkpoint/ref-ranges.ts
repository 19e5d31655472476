/** A run of consecutive message refs: `[first ref, how many]`. */
export type RefRange = [number, number];

/**
 * Compress a list of refs into runs of consecutive refs. Refs are handed out per thread in the order messages are
 * first stored, so a conversation's list is one run (or a few, around replaced or removed messages) however
 * long it is.
 * @example toRanges([4, 5, 6, 9, 10]) // [[4, 3], [9, 2]]
 */
export function toRanges(refs: readonly number[]): RefRange[] {
  const ranges: RefRange[] = [];
  let last: RefRange | undefined;
  for (const ref of refs) {
    if (last && ref === last[0] + last[1]) last[1] += 1;
    else ranges.push((last = [ref, 1]));
  }
  return ranges;
}

/** Expand runs back into the list of refs, in order. */
export function fromRanges(ranges: readonly RefRange[]): number[] {
  const refs: number[] = [];
  for (const [first, count] of ranges) for (let offset = 0; offset < count; offset += 1) refs.push(first + offset);
  return refs;
}

/** Whether a parsed value is a list of well-formed ranges (guards against reading a foreign payload). */
export function isRangeList(value: unknown): value is RefRange[] {
  return (
    Array.isArray(value) &&
    value.every((range) => Array.isArray(range) && range.length === 2 && Number.isInteger(range[0]) && Number.isInteger(range[1]) && (range[1] as number) > 0)
  );
}
