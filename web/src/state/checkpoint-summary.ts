// `state.listCheckpoints` answers flat summaries ({checkpoint_id, created_at, step, source, nodes, next,
// message_count, last_message}) and a `next_before` cursor; LangGraph's StateSnapshot/checkpoint-tuple shapes are read too, so the panel
// also works against a server that lists full snapshots.

/** A checkpoint row of the timeline panel. */
export interface CheckpointSummary {
  checkpoint_id: string;
  created_at?: string;
  node?: string;
  step?: number;
  /** The last message (`last_message`), worded by the panel in the page's language. */
  lastMessage?: LastMessage;
  /** A one-line summary given as text (a server's `summary`, a snapshot's last message), shown as is. */
  summary?: string;
  /** Messages in the state at this checkpoint. */
  messageCount?: number;
  /** The checkpoint this one follows (absent for a thread's first). */
  parentId?: string;
}

/** The last message at a checkpoint: who wrote it, its text cut to a line, and the tools it calls. */
export interface LastMessage {
  /** `user`, `assistant`, `tool`, `system`, or whatever the server says; absent when it says none. */
  role?: string;
  text: string;
  toolNames: string[];
}

/** Characters of the last message shown per checkpoint; the full text is in the state view. */
const SUMMARY_CHARS = 100;

type Loose = Record<string, unknown>;

/** Normalise one item of a `state.listCheckpoints` answer; undefined when it carries no checkpoint id. */
export function toCheckpointSummary(raw: unknown): CheckpointSummary | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const item = raw as Loose;
  const checkpoint = asObject(item.checkpoint);
  const configurable = asObject(asObject(item.config)?.configurable);
  const id = item.checkpoint_id ?? checkpoint?.checkpoint_id ?? configurable?.checkpoint_id;
  if (typeof id !== "string") return undefined;
  const parentConfigurable = asObject(asObject(item.parent_config)?.configurable) ?? asObject(asObject(item.parentConfig)?.configurable);
  const parentId = firstString(item.parent_checkpoint_id, asObject(item.parent_checkpoint)?.checkpoint_id, parentConfigurable?.checkpoint_id);
  const metadata = asObject(item.metadata);
  const writes = asObject(metadata?.writes);
  const next = Array.isArray(item.next) ? (item.next as unknown[]) : [];
  const nodes = Array.isArray(item.nodes) ? item.nodes.filter((node): node is string => typeof node === "string") : [];
  // The node that wrote the checkpoint; input and update checkpoints have none, so name their source.
  const node = firstString(item.node, nodes.join(", "), writes ? Object.keys(writes)[0] : undefined, item.source, metadata?.source, next[0]);
  return {
    checkpoint_id: id,
    created_at: firstString(item.created_at, checkpoint?.ts),
    node,
    step: typeof metadata?.step === "number" ? metadata.step : typeof item.step === "number" ? item.step : undefined,
    ...lastMessageOrSummary(item),
    messageCount: typeof item.message_count === "number" ? item.message_count : undefined,
    ...(parentId ? { parentId } : {}),
  };
}

/**
 * The checkpoint list out of an answer that is either an array or `{checkpoints, next_before}`. The server's
 * `next_before` (null on the last page) is trusted; an answer without one (an array, an older server) pages on
 * a guess: a full page (`limit` items) may have older ones, and `before` is its oldest checkpoint.
 */
export function checkpointItems(answer: unknown, limit?: number): { items: CheckpointSummary[]; nextBefore: string | undefined } {
  const object = asObject(answer);
  const list = Array.isArray(answer) ? answer : Array.isArray(object?.checkpoints) ? (object.checkpoints as unknown[]) : [];
  const items = list.map(toCheckpointSummary).filter((item): item is CheckpointSummary => item !== undefined);
  if (object && "next_before" in object) return { items, nextBefore: firstString(object.next_before) };
  const fullPage = limit !== undefined && items.length >= limit ? items.at(-1)?.checkpoint_id : undefined;
  return { items, nextBefore: firstString(object?.next_cursor, fullPage) };
}

/** A server's own `summary` wins; else `last_message: {role, text, tool_calls?}`; else a snapshot's last message text. */
function lastMessageOrSummary(item: Loose): Pick<CheckpointSummary, "lastMessage" | "summary"> {
  const summary = firstString(item.summary);
  if (summary) return { summary };
  const lastMessage = toLastMessage(item.last_message);
  if (lastMessage) return { lastMessage };
  const text = lastMessageText(asObject(item.values)?.messages);
  return text ? { summary: text } : {};
}

/** `last_message` with its text on one line, cut to SUMMARY_CHARS; an assistant message may only call tools. */
function toLastMessage(raw: unknown): LastMessage | undefined {
  const message = asObject(raw);
  if (typeof message?.text !== "string") return undefined;
  const toolNames = Array.isArray(message.tool_calls) ? message.tool_calls.filter((name): name is string => typeof name === "string" && name !== "") : [];
  const text = message.text.replace(/\s+/g, " ").trim();
  const cut = text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
  return { ...(typeof message.role === "string" ? { role: message.role } : {}), text: cut, toolNames };
}

function lastMessageText(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const last = asObject(messages[messages.length - 1]);
  const content = last?.content;
  if (typeof content === "string") return content.slice(0, SUMMARY_CHARS);
  return undefined;
}

function asObject(value: unknown): Loose | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Loose) : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === "string" && value) return value;
  return undefined;
}
