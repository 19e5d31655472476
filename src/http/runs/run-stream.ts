import type { Response } from "express";
import { AppError, isAppError } from "../../errors/app-error.js";
import { replayThenLive } from "../../events/replay-then-live.js";
import { isActive, type Run } from "../../runs/run.js";
import type { Services } from "../../services.js";
import { channelDefaults } from "../../registry/graph-state-keys.js";
import { type EventPosition, formatEventId, isAfter, METADATA_POSITION } from "../sse/event-position.js";
import type { SseWriter } from "../sse/sse-writer.js";
import { openSse } from "../sse/open-sse.js";
import { clientLeftOnItsOwn } from "./client-gone.js";
import { toMessageDict } from "./message-dicts.js";
import { runEventSource } from "./run-event-source.js";
import { isRunEnd, RunProjection } from "./run-projection.js";
import { runPath, runStreamPath } from "./run-response.js";
import type { StreamMode } from "./stream-modes.js";

/** One run to stream to one client. */
export interface RunStreamRequest {
  userId: string;
  run: Run;
  modes: readonly StreamMode[];
  /** Send only events after this position (`Last-Event-ID`); STREAM_START for everything. */
  after: EventPosition;
  /** Cancel the run when the client goes away before it ends (`on_disconnect: "cancel"`). */
  cancelOnDisconnect: boolean;
}

/**
 * Answer with the run's SSE stream, LangGraph-framed: `metadata` first, then the projected stream modes, each
 * event with its id, until `end` or `error`. `Location` names the join-stream endpoint (with the modes) so the
 * SDK reconnects there with `Last-Event-ID`. Resolves with whether the run ended while the client listened.
 */
export async function serveRunStream(services: Services, response: Response, request: RunStreamRequest): Promise<boolean> {
  const { run } = request;
  await assertPositionInRun(services, request);
  const writer = openSse(services, response, { Location: runStreamPath(run, request.modes), "Content-Location": runPath(run) });
  const ended = await pipeRunStream(services, writer, request);
  if (!ended && writer.disconnected && request.cancelOnDisconnect && clientLeftOnItsOwn(response)) {
    await services.runs
      .cancel(request.userId, { thread_id: run.thread_id, run_id: run.run_id, action: "cancel" })
      .catch((error: unknown) => services.logger.warn({ err: error, runId: run.run_id }, "cancel on disconnect failed"));
  }
  writer.end();
  return ended;
}

/** Write the run's events to `writer` until the run ends (true) or the stream closes or fails (false). */
export function pipeRunStream(services: Services, writer: SseWriter, request: RunStreamRequest): Promise<boolean> {
  const { run, after, userId } = request;
  if (isAfter(METADATA_POSITION, after)) {
    writer.send({ event: "metadata", id: formatEventId(METADATA_POSITION), data: { run_id: run.run_id, attempt: Math.max(run.attempt, 1) } });
  }
  // Subgraphs are streamed as the run was created to: its joins replay what its creator's stream showed, as on the Platform.
  const projection = new RunProjection({ modes: request.modes, run, subgraphs: run.config?.stream_subgraphs === true, loadBase: () => loadRunBaseValues(services, userId, run) });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ended: boolean) => {
      if (settled) return;
      settled = true;
      subscription.stop();
      resolve(ended);
    };
    const subscription = replayThenLive({
      bus: services.bus,
      threadId: run.thread_id,
      // Always from the run's first event: the projection needs the whole run to be deterministic.
      since: 0,
      replay: runEventSource(services.eventLog, { threadId: run.thread_id, runId: run.run_id }),
      // The run was read before the subscription: a delete in between would leave the stream waiting for an end.
      exists: () => services.sessions.exists(userId, run.thread_id),
      onEvent: async (event) => {
        if (event.run_id !== run.run_id || writer.closed) return;
        const projected = await projection.project(event);
        for (const [index, item] of projected.entries()) {
          const position = { seq: event.seq, index };
          if (isAfter(position, after)) writer.send({ ...item, id: formatEventId(position) });
        }
        if (isRunEnd(event)) settle(true);
      },
      onError: (error) => {
        services.logger.warn({ err: error, runId: run.run_id }, "run stream failed");
        writer.send({ event: "error", data: { error: "internal", message: "The stream failed; reconnect with Last-Event-ID to resume" } });
        settle(false);
      },
      // The run went with its thread and will never send its end: say so as LangGraph streams end on failure.
      onDeleted: () => {
        writer.send({ event: "error", data: { error: "not_found", message: `Thread ${run.thread_id} was deleted` } });
        settle(false);
      },
    });
    writer.onClose(() => settle(false));
  });
}

/**
 * A `Last-Event-ID` past the end of a finished run was never sent by this server: answered with an empty stream that
 * closes without `end` or `error`, a client could not tell it from a dropped connection.
 */
async function assertPositionInRun(services: Services, request: RunStreamRequest): Promise<void> {
  const { run, after } = request;
  if (isActive(run) || after.seq <= 0) return;
  const [reached] = await services.eventLog.listSince(run.thread_id, after.seq - 1, { runId: run.run_id, limit: 1 });
  if (reached) return;
  throw new AppError("invalid_request", `Last-Event-ID ${formatEventId(after)} is past the end of run ${run.run_id}: resume with an id this stream sent, 0 or -1`);
}

/**
 * The state a run started from: its replay checkpoint, else the latest checkpoint when it was claimed.
 * A thread without checkpoints held at most the assistant's opening message, which the graph state receives
 * together with the first input.
 */
async function loadRunBaseValues(services: Services, userId: string, target: Run): Promise<Record<string, unknown>> {
  const run = await services.runs.get(userId, target.thread_id, target.run_id);
  const checkpointId = run.checkpoint_id ?? run.before_checkpoint_id;
  if (checkpointId) {
    try {
      const state = await services.threadState.get(userId, run.thread_id, checkpointId);
      return (state.values ?? {}) as Record<string, unknown>;
    } catch (error) {
      // A rolled-back first run deletes the checkpoints it started from; its stream then starts empty.
      if (isAppError(error) && error.code === "not_found") return {};
      throw error;
    }
  }
  const page = await services.sessions.messages(userId, run.thread_id, { limit: 20 });
  const opening = page.messages.filter((message) => message.run_id === null).map(toMessageDict);
  const defaults = channelDefaults(await services.threadState.graphForAssistant(await services.assistants.get(userId, run.assistant_id)));
  // No key for no message: a graph without a messages channel shows none (the input's messages add the key).
  delete defaults.messages;
  return opening.length > 0 ? { ...defaults, messages: opening } : defaults;
}
