// Pure (no Node imports): the web page imports this file too, so its Regenerate and the terminal's /retry agree.
// Where a reply can be generated again: the newest checkpoint at which the user's message was in the state and the
// graph still had nodes to run — after its input was applied, before anything answered it. Replaying from there
// (`run.start {checkpoint_id}`) runs the reply again as a new branch.

/** The checkpoint to replay the newest reply from, out of a `state.listCheckpoints` answer (newest first). */
export function regeneratePoint(answer: unknown): string | undefined {
  const list = Array.isArray(answer) ? answer : asObject(answer)?.checkpoints;
  if (!Array.isArray(list)) return undefined;
  for (const raw of list) {
    const item = asObject(raw);
    const next = item?.next;
    const role = asObject(item?.last_message)?.role;
    if (role === "user" && Array.isArray(next) && next.length > 0 && typeof item?.checkpoint_id === "string") return item.checkpoint_id;
  }
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
