import type { MessageDict } from "./message-dicts.js";

/**
 * A run's state values as its stream shows them: the state the run started from, plus the messages its stored
 * events completed (minus any a rollback removed). Rebuilt from immutable inputs only, so a stream replayed
 * after a restart, or served by another instance, shows exactly the values the live stream showed.
 */
export class RunValues {
  private readonly extra: Record<string, unknown>;
  /** Undefined while the state has no `messages` (a developer's graph without them: its values show none). */
  private messages: MessageDict[] | undefined;

  constructor(base: Record<string, unknown>) {
    const { messages, ...extra } = base;
    this.extra = extra;
    this.messages = Array.isArray(messages) ? messages.filter(isMessageDict) : undefined;
  }

  /** Add a message, or replace the one with the same id (a retried step repeats its messages). */
  upsert(message: MessageDict): void {
    const messages = (this.messages ??= []);
    const index = messages.findIndex((candidate) => candidate.id === message.id);
    if (index >= 0) messages[index] = message;
    else messages.push(message);
  }

  /** Drop messages by id. */
  remove(ids: readonly string[]): void {
    const removed = new Set(ids);
    this.messages = (this.messages ?? []).filter((message) => !removed.has(message.id));
  }

  /** Set a non-message state key (e.g. `structured_response`). */
  set(key: string, value: unknown): void {
    this.extra[key] = value;
  }

  /** The values as LangGraph's `values` stream mode carries them. */
  snapshot(additions: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...this.extra, ...(this.messages ? { messages: [...this.messages] } : {}), ...additions };
  }

  /** Tool calls of the last AI message still waiting for their results (a run resuming after approval). */
  openToolCalls(): string[] {
    const last = this.messages?.at(-1);
    if (last?.type !== "ai" || !Array.isArray(last.tool_calls)) return [];
    return (last.tool_calls as { id?: unknown }[]).flatMap((call) => (typeof call.id === "string" ? [call.id] : []));
  }
}

// Checkpointed messages always carry ids (LangGraph's reducer assigns them); one without is kept, never matched.
function isMessageDict(value: unknown): value is MessageDict {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}
