import { describe, expect, it } from "vitest";
import type { EventFrame, TranscriptMessage } from "../../web/src/protocol/protocol-types.js";
import { applyEvent, emptyThreadState, mergeMessages, type ThreadState, toolCallView } from "../../web/src/state/thread-state.js";

// When a tool call that has no result is "stopped" (no result can come any more) rather than running or pending.

let seq = 0;
function frame(event: string, data: unknown, runId: string | null): EventFrame {
  seq += 1;
  return { type: "event", thread_id: "t", run_id: runId, seq, event, data, created_at: new Date(1_700_000_000_000 + seq * 10).toISOString() };
}

function row(fields: Pick<TranscriptMessage, "id" | "seq" | "role" | "content"> & Partial<TranscriptMessage>): TranscriptMessage {
  return { run_id: "run-1", created_at: "2026-01-01T00:00:00.000Z", ...fields };
}

const hold = { id: "call-h", name: "hold", args: {} };
const sum = { id: "call-s", name: "calculator", args: { expression: "1+1" } };
const email = { id: "call-e", name: "send_email", args: { to: "ada@example.com" } };
const question = row({ id: "m1", seq: 1, role: "user", content: "go" });
/** The assistant message of run-1 that asks for the calls. */
const request = row({ id: "m2", seq: 2, role: "assistant", content: "", tool_calls: [hold, sum, email] });

function applyAll(state: ThreadState, frames: EventFrame[]): ThreadState {
  return frames.reduce(applyEvent, state);
}

/** The state of each call, by tool name. */
function states(state: ThreadState): Record<string, string> {
  return Object.fromEntries([hold, sum, email].map((call) => [call.name, toolCallView(state, call, request).state]));
}

/** run-1 running, its reply asked for the three calls, and `hold` has started. */
function midTool(): ThreadState {
  return applyAll(emptyThreadState(), [
    frame("run.started", { run_id: "run-1" }, "run-1"),
    frame("message.completed", { message: question }, "run-1"),
    frame("message.completed", { message: request }, "run-1"),
    frame("tool.started", { tool_call_id: hold.id, name: hold.name, args: {} }, "run-1"),
  ]);
}

/** run-1 asked for the calls and waits for the human's answer on `send_email`. */
function paused(): ThreadState {
  return applyAll(emptyThreadState(), [
    frame("run.started", { run_id: "run-1" }, "run-1"),
    frame("message.completed", { message: question }, "run-1"),
    frame("message.completed", { message: request }, "run-1"),
    frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [{ id: "i-1", tool_call_id: email.id, name: email.name, args: email.args }] }, "run-1"),
  ]);
}

describe("tool calls of a run that stopped", () => {
  it("are running and pending while the run goes on, stopped once it is cancelled, fails or times out", () => {
    expect(states(midTool())).toEqual({ hold: "running", calculator: "pending", send_email: "pending" });
    for (const status of ["cancelled", "error", "timeout"]) {
      const stopped = applyEvent(midTool(), frame("run.failed", { run_id: "run-1", status, code: status, message: status }, "run-1"));
      expect(states(stopped), status).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
    }
  });

  it("are stopped when the run is interrupted by the user (run.cancel interrupt) or ends without their results", () => {
    const interruptedByUser = applyEvent(midTool(), frame("run.failed", { run_id: "run-1", status: "interrupted", code: "interrupted", message: "interrupted by user" }, "run-1"));
    expect(states(interruptedByUser)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
    const completed = applyEvent(midTool(), frame("run.completed", { run_id: "run-1", status: "success" }, "run-1"));
    expect(states(completed)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
  });

  it("keep the result they got before the run stopped, and show one that comes later (a new message closes them)", () => {
    let state = applyAll(midTool(), [
      frame("tool.completed", { tool_call_id: hold.id, name: hold.name, output: "released" }, "run-1"),
      frame("run.failed", { run_id: "run-1", status: "cancelled", code: "cancelled", message: "cancelled" }, "run-1"),
    ]);
    expect(states(state)).toEqual({ hold: "done", calculator: "stopped", send_email: "stopped" });
    state = applyAll(state, [
      frame("run.started", { run_id: "run-2" }, "run-2"),
      frame("message.completed", { message: row({ id: "m3", seq: 3, role: "user", content: "next", run_id: "run-2" }) }, "run-2"),
    ]);
    // The next run is active, but the conversation went on: the calls stay stopped until their closing results.
    expect(states(state)).toEqual({ hold: "done", calculator: "stopped", send_email: "stopped" });
    const closed = row({ id: "m4", seq: 4, role: "tool", content: "Error: this tool call was cancelled before it returned a result.", tool_call_id: sum.id, status: "error", run_id: "run-2" });
    state = applyEvent(state, frame("message.completed", { message: closed }, "run-2"));
    expect(states(state).calculator).toBe("error");
  });

  it("is not what a pause for a human's answer does: the reply's calls wait, and run in the resume", () => {
    const waiting = paused();
    expect(states(waiting)).toEqual({ hold: "pending", calculator: "pending", send_email: "waiting" });
    const resumed = applyAll(waiting, [
      frame("run.started", { run_id: "run-2", kind: "resume" }, "run-2"),
      frame("tool.started", { tool_call_id: hold.id, name: hold.name, args: {} }, "run-2"),
    ]);
    expect(states(resumed)).toEqual({ hold: "running", calculator: "pending", send_email: "pending" });
    // The resume is cancelled mid-tool: nothing runs or waits any more.
    const cancelled = applyEvent(resumed, frame("run.failed", { run_id: "run-2", status: "cancelled", code: "cancelled", message: "cancelled" }, "run-2"));
    expect(states(cancelled)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
    // Answered again (the question stays pending after such a cancel): the calls may run again, and do.
    const again = applyAll(cancelled, [
      frame("run.started", { run_id: "run-3", kind: "resume" }, "run-3"),
      frame("tool.started", { tool_call_id: hold.id, name: hold.name, args: {} }, "run-3"),
    ]);
    expect(states(again)).toEqual({ hold: "running", calculator: "pending", send_email: "pending" });
  });

  it("after a reload: stopped when the session is idle, waiting when it waits for an answer, running in a busy one", () => {
    // History alone (no event replayed: the session was not busy) and no pending interrupt: nothing will answer.
    const idle = mergeMessages(emptyThreadState(), [question, request]);
    expect(states(idle)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
    // An interrupted session's pending interrupts come with its history.
    const interrupted = { ...idle, interrupts: [{ id: "i-1", tool_call_id: email.id, name: email.name }] };
    expect(states(interrupted)).toEqual({ hold: "pending", calculator: "pending", send_email: "waiting" });
    // The next message's run starts before that message arrives: the calls do not read as pending meanwhile.
    const next = applyEvent({ ...idle, settledThrough: 2 }, frame("run.started", { run_id: "run-2", kind: "chat" }, "run-2"));
    expect(states(next)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
    // A busy session replays its run's events, so its run is active.
    const busy = mergeMessages(midTool(), [question, request]);
    expect(states(busy)).toEqual({ hold: "running", calculator: "pending", send_email: "pending" });
  });

  it("is stopped for calls the conversation left behind, whatever runs now (a replay's new branch)", () => {
    const branched = applyAll(mergeMessages(emptyThreadState(), [question, request]), [
      frame("run.started", { run_id: "run-2", kind: "replay", checkpoint_id: "cp-1" }, "run-2"),
      frame("message.completed", { message: row({ id: "m3", seq: 3, role: "assistant", content: "another answer", run_id: "run-2" }) }, "run-2"),
    ]);
    expect(branched.activeRunId).toBe("run-2");
    expect(states(branched)).toEqual({ hold: "stopped", calculator: "stopped", send_email: "stopped" });
  });

  it("takes a call as running while the run it started in has not ended, even when that run's start was not seen", () => {
    // A run longer than the replay window: its run.started is older than the events replayed at open.
    const joined = applyAll(mergeMessages(emptyThreadState(), [question, request]), [frame("tool.started", { tool_call_id: hold.id, name: hold.name, args: {} }, "run-1")]);
    expect(states(joined).hold).toBe("running");
  });
});
