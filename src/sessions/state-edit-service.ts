import type { BaseMessage } from "@langchain/core/messages";
import type { EventBus } from "../events/event-bus.js";
import type { EventLog } from "../events/event-log.js";
import { RunEventPublisher } from "../events/event-publisher.js";
import { toNewTranscriptMessage } from "../transcript/transcript-message.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { CheckpointRef, ThreadStateService } from "./thread-state-service.js";

/** A state edit as `POST /threads/{id}/state` sends it. */
export interface StateEdit {
  values: unknown;
  as_node?: string;
  checkpoint_id?: string;
}

/**
 * Edits a thread's state so that every window sees the edit: the messages it adds are appended to the transcript
 * and announced as `message.completed` events (no run: `run_id` null). Messages it removes from the working state
 * stay in the transcript, which is append-only.
 */
export class StateEditService {
  constructor(
    private readonly deps: { threadState: ThreadStateService; transcript: TranscriptStore; eventLog: EventLog; bus: EventBus },
  ) {}

  /** Apply the edit (LangGraph's `updateState`), then record and announce the messages it added. */
  async update(userId: string, threadId: string, edit: StateEdit): Promise<CheckpointRef> {
    const graph = await this.deps.threadState.graphOf(userId, threadId);
    const before = messagesOf((await graph.getState({ configurable: { thread_id: threadId, checkpoint_id: edit.checkpoint_id } })).values);
    const ref = await this.deps.threadState.update(userId, threadId, edit);
    const after = messagesOf((await graph.getState({ configurable: { thread_id: threadId } })).values);
    const known = new Set(before.map((message) => message.id));
    const added = after.filter((message) => message.id !== undefined && !known.has(message.id));
    if (added.length === 0) return ref;
    const rows = await this.deps.transcript.append({
      threadId,
      runId: null,
      messages: added.map((message, index) => toNewTranscriptMessage(message, `edit-${ref.checkpoint_id ?? "state"}-${index}`)),
    });
    const publisher = new RunEventPublisher({ log: this.deps.eventLog, bus: this.deps.bus }, { threadId, runId: null });
    for (const message of rows) publisher.emit({ event: "message.completed", data: { message } });
    await publisher.drain();
    return ref;
  }
}

function messagesOf(values: unknown): BaseMessage[] {
  return (values as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
}
