import { z } from "zod";

/** Every stream mode LangGraph clients may ask for (the SDK's `StreamMode`). */
export const STREAM_MODES = ["values", "messages", "messages-tuple", "updates", "events", "debug", "tasks", "checkpoints", "custom", "tools", "lifecycle"] as const;

/** A LangGraph stream mode. */
export type StreamMode = (typeof STREAM_MODES)[number];

/** One stream mode, or invalid_request naming the known ones. */
export const streamModeSchema = z.enum(STREAM_MODES);

/** `stream_mode` as bodies and query strings carry it: one mode or a list. */
export const streamModeListSchema = z.union([streamModeSchema, z.array(streamModeSchema).max(STREAM_MODES.length * 2)]);

/**
 * A list in a query string as either SDK sends it: the parameter repeated (SDK 1.x: `stream_mode=a&stream_mode=b`)
 * or the list JSON-encoded in one value (SDK 2.x: `stream_mode=["a","b"]`).
 */
export function queryList<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== "string" || !value.startsWith("[")) return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);
}

/** What a run stream sends when nothing is asked for: LangGraph's default. */
export const DEFAULT_RUN_STREAM_MODES: readonly StreamMode[] = ["values"];

/**
 * What joining a run sends when nothing is asked for. LangGraph replays the modes the run was created with;
 * Threadline does not keep those, so a join gets every mode a chat UI (`useStream`) consumes.
 */
export const DEFAULT_JOIN_STREAM_MODES: readonly StreamMode[] = ["values", "updates", "messages-tuple", "custom"];

/** Normalise `stream_mode` to a non-empty, de-duplicated list. */
export function toStreamModes(raw: z.infer<typeof streamModeListSchema> | undefined, fallback: readonly StreamMode[]): StreamMode[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.length > 0 ? [...new Set(list)] : [...fallback];
}
