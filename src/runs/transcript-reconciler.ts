import type { BaseMessage } from "@langchain/core/messages";
import type { EventLog } from "../events/event-log.js";
import type { RunEventPublisher } from "../events/event-publisher.js";
import type { GraphStateSnapshot, RunnableGraph } from "../registry/graph-registry.js";
import { toNewTranscriptMessage } from "../transcript/transcript-message.js";
import type { TranscriptStore } from "../transcript/transcript-store.js";
import type { Run } from "./run.js";
import type { StreamTranslator } from "./stream-translator.js";

/**
 * Keeps a resumed (or skipped) run's transcript and event log equal to what its checkpoint holds: a crash can fall
 * between a step's durable write and its transcript row or event, or after a row whose step is then redone.
 */
export class TranscriptReconciler {
  constructor(private readonly deps: { transcript: TranscriptStore; eventLog: EventLog }) {}

  /**
   * Before a resumed attempt continues: what the crashed one's checkpoint holds (a tool's result whose write was
   * durable) but the transcript lacks is appended and announced now, in the state's order and with its tool events —
   * after the stream it would follow the answer written after it. What the crashed attempt stored but did not get
   * to announce is announced first; what it stored is marked done, so steps LangGraph replays from their pending
   * writes are not announced twice. `scope.state`: the latest state when the caller has just read it.
   */
  async catchUp(run: Run, graph: RunnableGraph, scope: { translator: StreamTranslator; publisher: RunEventPublisher; state?: GraphStateSnapshot }): Promise<void> {
    const { translator } = scope;
    await this.announceUnannounced(run, scope.publisher);
    const stored = await this.deps.transcript.listRun(run.thread_id, run.run_id);
    translator.markCompleted(stored.map((message) => message.id));
    const have = new Set(stored.map((message) => message.id));
    const state = scope.state ?? (await graph.getState({ configurable: { thread_id: run.thread_id } }));
    const missing = (afterInput(run, messagesOf(state)) ?? []).filter((message) => message.id !== undefined && !have.has(message.id));
    if (missing.length > 0) await translator.handle("updates", { resumed: { messages: missing } });
  }

  /**
   * After the stream: messages the checkpoint has but the transcript lacks (a step finished just before a crash) are
   * appended, so the transcript always ends up equal to what the graph said. Appends are idempotent by message id.
   */
  async reconcile(run: Run, state: GraphStateSnapshot, scope: { publisher: RunEventPublisher; resumed: boolean }): Promise<void> {
    const { publisher } = scope;
    const messages = messagesOf(state);
    if (scope.resumed) {
      // LangGraph streams a step's output before its writes are durable: a crash in between makes the resumed
      // attempt redo the step under new message ids. Drop what the checkpoint does not hold, so nothing doubles.
      const kept = new Set(messages.map((message) => message.id).filter((id): id is string => id !== undefined));
      const removed = await this.deps.transcript.removeRunMessagesExcept(run.thread_id, { runId: run.run_id, keep: [...kept] });
      if (removed.length > 0) publisher.emit({ event: "messages.removed", data: { run_id: run.run_id, message_ids: removed } });
    }
    const tail = afterInput(run, messages);
    if (!tail) return;
    const entries = tail.map((message, index) => toNewTranscriptMessage(message, `${run.run_id}-${index}`));
    const added = await this.deps.transcript.append({ threadId: run.thread_id, runId: run.run_id, messages: entries });
    if (scope.resumed) await this.announceUnannounced(run, publisher);
    else for (const message of added) publisher.emit({ event: "message.completed", data: { message } });
  }

  /**
   * A crashed attempt can have stored a message in the transcript but not yet its `message.completed` event
   * (the event waits in the publisher's queue): announce every message of the run the event log does not
   * (still) announce, so a client replaying the log rebuilds exactly the transcript.
   */
  private async announceUnannounced(run: Run, publisher: RunEventPublisher): Promise<void> {
    await publisher.drain().catch(() => undefined);
    const announced = new Set<string>();
    for (const event of await this.deps.eventLog.listSince(run.thread_id, 0, { runId: run.run_id })) {
      if (event.event === "message.completed") announced.add(event.data.message.id);
      else if (event.event === "messages.removed") for (const id of event.data.message_ids) announced.delete(id);
    }
    for (const message of await this.deps.transcript.listRun(run.thread_id, run.run_id)) {
      if (announced.has(message.id)) continue;
      publisher.emit({ event: "message.completed", data: { message } });
      // Its tool.completed was queued behind it, so it was lost with it.
      if (message.role === "tool") {
        const rejected = message.status === "rejected";
        const data = { tool_call_id: message.tool_call_id ?? "", name: message.name ?? "", output: message.content, ...(rejected ? { rejected: true as const } : {}) };
        const failed = message.status === "error" || rejected;
        publisher.emit({ event: "tool.completed", data: failed ? { ...data, error: message.content } : data });
      }
    }
  }
}

function messagesOf(state: GraphStateSnapshot): BaseMessage[] {
  return (state.values as { messages?: BaseMessage[] }).messages ?? [];
}

/** The state's messages after the run's input (undefined when the input is not there: a resume, a replay). */
function afterInput(run: Run, messages: BaseMessage[]): BaseMessage[] | undefined {
  const inputIds = new Set((run.input?.messages ?? []).map((message) => message.id));
  const start = messages.findIndex((message) => message.id !== undefined && inputIds.has(message.id));
  return start < 0 ? undefined : messages.slice(start + 1);
}
