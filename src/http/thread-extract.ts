/** A step of an extract path: an object key, or an array index (negative counts from the end). */
export type ExtractStep = string | number;

/** At most this many `extract` entries per search, as LangGraph Platform allows. */
export const MAX_EXTRACT_PATHS = 10;

// A key is anything but the separators; an index is an integer in brackets, e.g. `messages[-1]`.
const SEGMENT = /^([^.[\]]+)((?:\[-?\d+\])*)$/;

/**
 * Parse LangGraph's `extract` path (dot notation for keys, brackets for array indices, e.g.
 * `values.messages[-1].content`) into steps; `undefined` when it is not such a path.
 */
export function parseExtractPath(path: string): ExtractStep[] | undefined {
  const steps: ExtractStep[] = [];
  for (const segment of path.split(".")) {
    const match = SEGMENT.exec(segment);
    if (!match?.[1]) return undefined;
    steps.push(match[1]);
    for (const index of (match[2] ?? "").matchAll(/\[(-?\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/** The value at `steps` in `data`, or null where the path leads nowhere (a missing key, an index out of range). */
export function extractValue(data: unknown, steps: readonly ExtractStep[]): unknown {
  let current = data;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(current)) return null;
      current = current.at(step);
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current) || !Object.hasOwn(current, step)) return null;
      current = (current as Record<string, unknown>)[step];
    }
    if (current === undefined) return null;
  }
  return current;
}
