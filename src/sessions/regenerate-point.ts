// Pure (no Node imports): the web page imports this file too, so its Regenerate and the terminal's /retry agree.
// Where a reply can be generated again: the newest checkpoint at which the user's message it answers was the
// state's last message and the graph still had nodes to run — after its input was applied, before anything
// answered it. Replaying from there (`run.start {checkpoint_id}`) runs the reply again as a new branch.

/**
 * The checkpoint to replay the newest reply from, out of a `state.listCheckpoints` answer (newest first).
 * `replyTo`: the id of the user message the newest reply answers (`answeredMessageId`). A checkpoint whose last
 * message is another user message is not it — the reply's own may be pruned, or older than the page read —
 * and replaying from it would drop every turn after that message: none is found then. A checkpoint summary
 * without an id (an older server) is taken on its role alone.
 */
export function regeneratePoint(answer: unknown, replyTo?: string): string | undefined {
  const list = Array.isArray(answer) ? answer : asObject(answer)?.checkpoints;
  if (!Array.isArray(list)) return undefined;
  for (const raw of list) {
    const item = asObject(raw);
    const next = item?.next;
    const last = asObject(item?.last_message);
    if (last?.role !== "user" || !Array.isArray(next) || next.length === 0 || typeof item?.checkpoint_id !== "string") continue;
    if (replyTo === undefined || typeof last.id !== "string" || last.id === replyTo) return item.checkpoint_id;
    return undefined;
  }
  return undefined;
}

/**
 * The id of the user message the newest reply answers: the conversation must end with an assistant's answer (no
 * tool call left), and the nearest user message before it is the one (tool rounds between them are the reply's).
 */
export function answeredMessageId(messages: readonly { id: string; role: string; tool_calls?: readonly unknown[] }[]): string | undefined {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || (last.tool_calls?.length ?? 0) > 0) return undefined;
  for (let index = messages.length - 2; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === "user") return message.id;
  }
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
