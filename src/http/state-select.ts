import { z } from "zod";
import { AppError } from "../errors/app-error.js";
import type { ThreadState } from "../sessions/thread-state-service.js";

/** The fields of a state answer (`ThreadState`): what `select` may name, besides `values.<key>`. */
const STATE_FIELDS: readonly string[] = ["values", "next", "tasks", "checkpoint", "parent_checkpoint", "metadata", "created_at", "interrupts"] satisfies (keyof ThreadState)[];

/** LangGraph's `select` for states: a field name or `values.<key>`, as the SDK sends it (body list or repeated query). */
export const stateSelectSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((select) => (Array.isArray(select) ? select : [select]))
  .pipe(z.array(z.string().min(1).max(200)).min(1).max(50))
  .optional();

/**
 * Keep only the fields `select` names (the SDK's `getState` / `getHistory` `select`): `values.<key>` keeps that key of
 * the values (an absent key stays absent). Fields not selected are omitted; an unknown field is `400`, never ignored.
 */
export function selectStateFields<State extends object>(state: State, select: readonly string[] | undefined): Partial<State> {
  if (!select) return state;
  const fields = state as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of select) {
    if (name.startsWith("values.")) {
      const key = name.slice("values.".length);
      const values = (fields.values ?? {}) as Record<string, unknown>;
      const kept = (picked.values ??= {}) as Record<string, unknown>;
      if (Object.hasOwn(values, key)) kept[key] = values[key];
    } else if (STATE_FIELDS.includes(name)) picked[name] = fields[name];
    else throw new AppError("invalid_request", `select names an unknown field: ${name} (a state has ${STATE_FIELDS.join(", ")}, and values.<key>)`);
  }
  return picked as Partial<State>;
}
