import { describe, expect, it } from "vitest";
import type { EventFrame, TranscriptMessage } from "../../web/src/protocol/protocol-types.js";
import { buildTimeline } from "../../web/src/state/chat-timeline.js";
import {
  applyEvent,
  emptyThreadState,
  mergeMessages,
  recordReplays,
  rewindTo,
  runsWithoutInput,
  type ThreadState,
  toolCallView,
} from "../../web/src/state/thread-state.js";

let seq = 0;
function frame(event: string, data: unknown, runId: string | null = "run-1"): EventFrame {
  seq += 1;
  return { type: "event", thread_id: "t", run_id: runId, seq, event, data, created_at: new Date(1_700_000_000_000 + seq * 10).toISOString() };
}

function message(fields: Pick<TranscriptMessage, "id" | "role" | "content"> & Partial<TranscriptMessage>): TranscriptMessage {
  return { seq: Number(fields.id.replace(/\D/g, "")) || 1, run_id: "run-1", created_at: new Date().toISOString(), ...fields };
}

/** The assistant message that requested the calls of these tests. */
const REQUEST = { created_at: "2026-01-01T00:00:00.000Z", run_id: "run-1", seq: 2 };

function applyAll(state: ThreadState, frames: EventFrame[]): ThreadState {
  return frames.reduce(applyEvent, state);
}

describe("thread state", () => {
  it("streams deltas into one message and replaces them with the completed row", () => {
    const started = applyAll(emptyThreadState(), [
      frame("run.started", { run_id: "run-1" }),
      frame("message.completed", { message: message({ id: "m1", role: "user", content: "hi" }) }),
      frame("message.delta", { message_id: "a2", text: "You " }),
      frame("message.delta", { message_id: "a2", text: "said" }),
    ]);
    expect(started.activeRunId).toBe("run-1");
    expect(started.streaming).toEqual([{ message_id: "a2", run_id: "run-1", text: "You said" }]);
    const done = applyAll(started, [frame("message.completed", { message: message({ id: "a2", role: "assistant", content: "You said: hi" }) }), frame("run.completed", { run_id: "run-1" })]);
    expect(done.streaming).toEqual([]);
    expect(done.activeRunId).toBeNull();
    expect(done.messages.map((row) => row.content)).toEqual(["hi", "You said: hi"]);
  });

  it("shows nothing of custom events (a graph's own chunks) and keeps streaming around them", () => {
    const before = applyAll(emptyThreadState(), [frame("run.started", { run_id: "run-1" }), frame("message.delta", { message_id: "a1", text: "Work" })]);
    const after = applyAll(before, [
      frame("custom", { run_id: "run-1", data: { stage: "search", progress: 0.5 } }),
      frame("custom", { run_id: "run-1", data: null }),
      frame("message.delta", { message_id: "a1", text: "ing" }),
    ]);
    expect(after).toEqual({ ...before, lastSeq: seq, streaming: [{ message_id: "a1", run_id: "run-1", text: "Working" }] });
  });

  it("ignores events it has applied already (same or lower seq)", () => {
    const delta = frame("message.delta", { message_id: "a", text: "x" });
    const once = applyEvent(emptyThreadState(), delta);
    expect(applyEvent(once, delta)).toBe(once);
  });

  it("rebuilds streaming text from a replay after a rewind without repeating it", () => {
    const first = frame("run.started", { run_id: "run-1" });
    const d1 = frame("message.delta", { message_id: "a", text: "Hel" });
    const d2 = frame("message.delta", { message_id: "a", text: "lo" });
    const live = applyAll(emptyThreadState(), [first, d1, d2]);
    const replayed = applyAll(rewindTo(live, first.seq - 1), [first, d1, d2]);
    expect(replayed.streaming[0]?.text).toBe("Hello");
  });

  it("keeps a cancelled reply's text, marked stopped, under its question, and removes taken-back messages", () => {
    let state = applyAll(emptyThreadState(), [
      frame("run.started", { run_id: "run-1" }),
      frame("message.completed", { message: message({ id: "m1", role: "user", content: "question" }) }),
      frame("message.delta", { message_id: "a", text: "half an ans" }),
      frame("run.failed", { run_id: "run-1", status: "cancelled", code: "cancelled", message: "cancelled" }),
    ]);
    state = mergeMessages(state, [message({ id: "m5", role: "user", content: "next question", run_id: "run-2" })]);
    const kinds = buildTimeline(state).map((item) => (item.kind === "streaming" ? `streaming:${String(item.stopped)}` : item.kind));
    expect(kinds).toEqual(["message", "streaming:true", "run-error", "message"]);
    const removed = applyEvent(state, frame("messages.removed", { message_ids: ["m5"] }, "run-2"));
    expect(removed.messages.map((row) => row.id)).toEqual(["m1"]);
  });

  it("a queued run cancelled before it started is withdrawn: it leaves the queue and shows no error card", () => {
    const state = applyAll(emptyThreadState(), [
      frame("run.started", { run_id: "run-1" }),
      frame("run.queued", { run_id: "run-2", position: 1, input: { messages: [{ role: "user", content: "later" }] } }, "run-2"),
      frame("run.failed", { run_id: "run-2", status: "cancelled", code: "cancelled", message: "cancelled" }, "run-2"),
    ]);
    expect(state.queued).toEqual([]);
    expect(state.runs["run-2"]).toMatchObject({ status: "cancelled", withdrawn: true });
    expect(buildTimeline(state).map((item) => item.kind)).toEqual([]);
  });

  it("marks a reply cut off by a failure as such, not as stopped by someone", () => {
    const ended = (status: string) =>
      buildTimeline(
        applyAll(emptyThreadState(), [
          frame("run.started", { run_id: "run-1" }),
          frame("message.delta", { message_id: "a", text: "half an ans" }),
          frame("run.failed", { run_id: "run-1", status, code: status === "error" ? "model_error" : status, message: "x" }),
        ]),
      ).flatMap((item) => (item.kind === "streaming" ? [{ stopped: item.stopped, failed: item.failed }] : []));
    expect(ended("error")).toEqual([{ stopped: true, failed: true }]);
    expect(ended("timeout")).toEqual([{ stopped: true, failed: true }]);
    expect(ended("cancelled")).toEqual([{ stopped: true, failed: false }]);
  });

  it("fills a tool card from history when no live events were seen", () => {
    const call = { id: "call-1", name: "calculator", args: { expression: "6*7" } };
    const state = mergeMessages(emptyThreadState(), [
      message({ id: "m2", role: "assistant", content: "", tool_calls: [call], created_at: "2026-01-01T00:00:00.000Z" }),
      message({ id: "m3", role: "tool", content: "42", tool_call_id: "call-1", created_at: "2026-01-01T00:00:00.250Z" }),
    ]);
    expect(toolCallView(state, call, REQUEST)).toMatchObject({ output: "42", completedAt: "2026-01-01T00:00:00.250Z" });
  });

  it("lists a queued run with its text until it starts or is cancelled, once however often it is replayed", () => {
    const started = frame("run.started", { run_id: "run-1" });
    const queued = frame("run.queued", { run_id: "run-2", position: 1, input: { messages: [{ id: "u", role: "user", content: "second" }] } }, "run-2");
    let state = applyAll(emptyThreadState(), [started, queued]);
    expect(state.queued).toEqual([{ run_id: "run-2", position: 1, text: "second" }]);
    expect(state.activeRunId).toBe("run-1");
    expect(applyAll(rewindTo(state, 0), [queued]).queued).toHaveLength(1);
    state = applyAll(state, [frame("run.completed", { run_id: "run-1" }), frame("run.started", { run_id: "run-2" }, "run-2")]);
    expect(state.queued).toEqual([]);
    expect(state.activeRunId).toBe("run-2");
    const superseded = applyAll(emptyThreadState(), [
      frame("run.queued", { run_id: "run-3", position: 1, input: null }, "run-3"),
      frame("run.failed", { run_id: "run-3", status: "cancelled", code: "superseded", message: "superseded" }, "run-3"),
    ]);
    expect(superseded.queued).toEqual([]);
  });

  it("marks a requested tool call as awaiting approval while the run waits for it", () => {
    const call = { id: "call-9", name: "send_email", args: { to: "ada@example.com" } };
    const state = applyAll(emptyThreadState(), [
      frame("run.started", { run_id: "run-1" }),
      frame("message.completed", { message: message({ id: "m2", role: "assistant", content: "", tool_calls: [call] }) }),
      frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [{ id: "i-1", tool_call_id: "call-9", name: "send_email", args: call.args }] }),
    ]);
    expect(toolCallView(state, call, REQUEST).state).toBe("waiting");
    // Answered: the resumed run has not started the tool yet.
    const resumed = applyEvent(state, frame("run.started", { run_id: "run-2" }, "run-2"));
    expect(toolCallView(resumed, call, REQUEST).state).toBe("pending");
    // The answer's run stopped before its tool finished: the question is open again, the card waits on it.
    const running = applyEvent(resumed, frame("tool.started", { tool_call_id: "call-9", name: "send_email" }, "run-2"));
    const open = [{ id: "i-1", tool_call_id: "call-9", name: "send_email", args: call.args }];
    const stopped = applyEvent(running, frame("run.failed", { run_id: "run-2", status: "cancelled", code: "cancelled", message: "cancelled by user", interrupts: open }, "run-2"));
    expect(stopped.interrupts).toEqual(open);
    expect(toolCallView(stopped, call, REQUEST).state).toBe("waiting");
    // Without questions open (a plain stop), the call reads stopped.
    const plain = applyEvent(running, frame("run.failed", { run_id: "run-2", status: "cancelled", code: "cancelled", message: "cancelled by user" }, "run-2"));
    expect(plain.interrupts).toEqual([]);
    expect(toolCallView(plain, call, REQUEST).state).toBe("stopped");
  });

  it("keeps the assistant message's arguments for a call whose tool.started this tab never saw", () => {
    // A tab that opened the session while the call awaited approval sees only tool.completed of the resumed run.
    const call = { id: "call-7", name: "send_email", args: { to: "ada@example.com", subject: "hi" } };
    const state = applyAll(mergeMessages(emptyThreadState(), [message({ id: "m2", role: "assistant", content: "", tool_calls: [call] })]), [
      frame("run.started", { run_id: "run-2", kind: "resume" }, "run-2"),
      frame("tool.completed", { tool_call_id: "call-7", name: "send_email", output: "sent" }, "run-2"),
    ]);
    expect(toolCallView(state, call, REQUEST)).toMatchObject({ args: call.args, output: "sent" });
    // Arguments a tool.started did carry still win.
    const started = applyEvent(state, frame("tool.started", { tool_call_id: "call-7", name: "send_email", args: { to: "bob@example.com" } }, "run-2"));
    expect(toolCallView(started, call, REQUEST).args).toEqual({ to: "bob@example.com" });
  });

  it("shows the arguments a human's edit made the tool run with (tool.completed carries them)", () => {
    const call = { id: "call-8", name: "send_email", args: { to: "ada@example.com", subject: "orig" } };
    const edited = { to: "bob@example.com", subject: "EDITED" };
    const state = applyAll(mergeMessages(emptyThreadState(), [message({ id: "m3", role: "assistant", content: "", tool_calls: [call] })]), [
      frame("tool.started", { tool_call_id: "call-8", name: "send_email", args: call.args }, "run-1"),
      frame("run.started", { run_id: "run-2", kind: "resume" }, "run-2"),
      frame("tool.completed", { tool_call_id: "call-8", name: "send_email", output: "sent to bob@example.com", args: edited }, "run-2"),
    ]);
    expect(toolCallView(state, call, REQUEST)).toMatchObject({ args: edited, output: "sent to bob@example.com" });
  });

  it("a reply paused at a static breakpoint keeps its unrun calls pending, not stopped, until the run that continues it", () => {
    const call = { id: "call-b", name: "calculator", args: { expression: "6*7" } };
    const request = message({ id: "m2", role: "assistant", content: "", tool_calls: [call] });
    const paused = applyAll(mergeMessages(emptyThreadState(), [request]), [
      frame("run.started", { run_id: "run-1" }),
      frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [], next: ["tools"] }),
    ]);
    expect(paused.pausedBefore).toEqual(["tools"]);
    // It read "stopped": no run active, no question pending.
    expect(toolCallView(paused, call, request).state).toBe("pending");
    const continued = applyAll(paused, [
      frame("run.started", { run_id: "run-2" }, "run-2"),
      frame("tool.started", { tool_call_id: "call-b", name: "calculator", args: call.args }, "run-2"),
    ]);
    expect(continued.pausedBefore).toEqual([]);
    expect(toolCallView(continued, call, request).state).toBe("running");
    // A question is no breakpoint: its call waits for the answer, as before.
    const asked = applyEvent(mergeMessages(emptyThreadState(), [request]), frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [{ id: "i-1", tool_call_id: "call-b", name: "calculator", args: call.args }], next: ["tools"] }));
    expect(asked.pausedBefore).toEqual([]);
    expect(toolCallView(asked, call, request).state).toBe("waiting");
  });

  it("times an approved call from its tool.started, not from the request the human answered later", () => {
    const call = { id: "call-6", name: "send_email", args: { to: "ada@example.com" } };
    const request = message({ id: "m2", role: "assistant", content: "", tool_calls: [call], created_at: "2026-01-01T00:00:00.000Z" });
    const waiting = applyAll(mergeMessages(emptyThreadState(), [request]), [
      frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [{ id: "i-1", tool_call_id: "call-6", name: "send_email", args: call.args }] }),
    ]);
    expect(toolCallView(waiting, call, request)).toMatchObject({ state: "waiting", args: call.args });
    const answered = applyAll(waiting, [
      frame("run.started", { run_id: "run-2", kind: "resume" }, "run-2"),
      frame("tool.started", { tool_call_id: "call-6", name: "send_email", args: call.args }, "run-2"),
    ]);
    const started = answered.tools["call-6"]?.startedAt;
    expect(toolCallView(answered, call, request)).toMatchObject({ startedAt: started, state: "running" });
    const done = applyAll(answered, [
      frame("message.completed", { message: message({ id: "m3", role: "tool", content: "sent", tool_call_id: "call-6", run_id: "run-2", created_at: "2026-01-01T00:10:00.000Z" }) }, "run-2"),
      frame("tool.completed", { tool_call_id: "call-6", name: "send_email", output: "sent" }, "run-2"),
    ]);
    const view = toolCallView(done, call, request);
    expect(view.startedAt).toBe(started);
    expect(Date.parse(view.completedAt ?? "") - Date.parse(view.startedAt ?? "")).toBe(20);
    // After a reload (no events), from a server that does not record starts: the result came in a later run, so
    // the request's time would count the wait.
    const reloaded = mergeMessages(emptyThreadState(), done.messages);
    expect(toolCallView(reloaded, call, request)).toMatchObject({ output: "sent", startedAt: undefined });
    // One that does: the result's row says when the tool started.
    const recorded = done.messages.map((row) => (row.role === "tool" ? { ...row, started_at: "2026-01-01T00:09:59.600Z" } : row));
    const timed = toolCallView(mergeMessages(emptyThreadState(), recorded), call, request);
    expect(timed).toMatchObject({ state: "done", startedAt: "2026-01-01T00:09:59.600Z", completedAt: "2026-01-01T00:10:00.000Z" });
  });

  it("shows the other calls of a reply waiting for an approval as pending, each running only from its tool.started", () => {
    const email = { id: "call-e", name: "send_email", args: { to: "ada@example.com" } };
    const sum = { id: "call-s", name: "calculator", args: { expression: "1+1" } };
    const request = message({ id: "m2", role: "assistant", content: "", tool_calls: [sum, email], created_at: "2026-01-01T00:00:00.000Z" });
    const waiting = applyAll(mergeMessages(emptyThreadState(), [request]), [
      frame("run.interrupted", { run_id: "run-1", status: "interrupted", interrupts: [{ id: "i-1", tool_call_id: "call-e", name: "send_email", args: email.args }] }),
    ]);
    // Nothing of the reply runs before the answer: the calculator has not started, whatever time it was asked at.
    expect(toolCallView(waiting, sum, request).state).toBe("pending");
    expect(toolCallView(waiting, email, request).state).toBe("waiting");
    const first = applyAll(waiting, [
      frame("run.started", { run_id: "run-2", kind: "resume" }, "run-2"),
      frame("tool.started", { tool_call_id: "call-s", name: "calculator", args: sum.args }, "run-2"),
    ]);
    expect(toolCallView(first, sum, request).state).toBe("running");
    expect(toolCallView(first, email, request).state).toBe("pending");
    const second = applyEvent(first, frame("tool.started", { tool_call_id: "call-e", name: "send_email", args: email.args }, "run-2"));
    expect(toolCallView(second, email, request).state).toBe("running");
    const failed = applyEvent(second, frame("tool.completed", { tool_call_id: "call-s", name: "calculator", output: "boom", error: "boom" }, "run-2"));
    expect(toolCallView(failed, sum, request).state).toBe("error");
  });

  it("drops a dead attempt's never-completed text when its run resumes on another instance", () => {
    let state = applyAll(emptyThreadState(), [
      frame("run.started", { run_id: "run-0" }, "run-0"),
      frame("message.delta", { message_id: "a0", text: "cut short" }, "run-0"),
      frame("run.failed", { run_id: "run-0", status: "cancelled", code: "cancelled", message: "cancelled" }, "run-0"),
      frame("run.started", { run_id: "run-1", attempt: 1, resumed: false }),
      frame("message.completed", { message: message({ id: "m1", role: "user", content: "resume" }) }),
      frame("message.delta", { message_id: "a1", text: "You said: res" }),
    ]);
    state = applyEvent(state, frame("run.started", { run_id: "run-1", attempt: 2, resumed: true }));
    // Only the resumed run's partial goes; another run's stopped reply stays.
    expect(state.streaming.map((entry) => entry.message_id)).toEqual(["a0"]);
    expect(state.activeRunId).toBe("run-1");
    state = applyEvent(state, frame("message.delta", { message_id: "a2", text: "You said" }));
    expect(state.streaming.map((entry) => entry.text)).toEqual(["cut short", "You said"]);
  });
});

describe("replay branches", () => {
  const kinds = (state: ThreadState) =>
    buildTimeline(state).map((item) => (item.kind === "message" ? item.message.id : item.kind === "replay-divider" ? `replay:${item.branch.checkpoint_id}` : item.kind));
  const firstTurn = [message({ id: "m1", role: "user", content: "6*7?" }), message({ id: "m2", role: "assistant", content: "42" })];

  it("puts a divider above a live replay's rows, from run.started's kind and checkpoint, before any text arrives", () => {
    let state = mergeMessages(emptyThreadState(), firstTurn);
    state = applyEvent(state, frame("run.started", { run_id: "run-2", kind: "replay", checkpoint_id: "cp-1" }, "run-2"));
    expect(kinds(state)).toEqual(["m1", "m2", "replay:cp-1"]);
    state = applyAll(state, [
      frame("message.delta", { message_id: "m3", text: "4" }, "run-2"),
      frame("message.completed", { message: message({ id: "m3", role: "assistant", content: "42", run_id: "run-2" }) }, "run-2"),
      frame("run.completed", { run_id: "run-2" }, "run-2"),
      frame("run.started", { run_id: "run-3", kind: "chat", checkpoint_id: null }, "run-3"),
      frame("message.completed", { message: message({ id: "m4", role: "user", content: "thanks", run_id: "run-3" }) }, "run-3"),
    ]);
    expect(kinds(state)).toEqual(["m1", "m2", "replay:cp-1", "m3", "m4"]);
  });

  it("rebuilds the divider from run records after a reload, and only for replays", () => {
    const history = mergeMessages(emptyThreadState(), [
      ...firstTurn,
      message({ id: "m3", role: "assistant", content: "", run_id: "run-2", tool_calls: [{ id: "c1", name: "calculator", args: {} }] }),
      message({ id: "m4", role: "tool", content: "42", run_id: "run-2", tool_call_id: "c1" }),
      message({ id: "m5", role: "assistant", content: "42", run_id: "run-2" }),
    ]);
    // Only the run without a user message of its own needs its record read.
    expect(runsWithoutInput(history)).toEqual(["run-2"]);
    expect(kinds(history)).toEqual(["m1", "m2", "m3", "m5"]);
    const marked = recordReplays(history, [
      { run_id: "run-1", kind: "chat", checkpoint_id: null },
      { run_id: "run-2", kind: "replay", checkpoint_id: "cp-1" },
    ]);
    expect(kinds(marked)).toEqual(["m1", "m2", "replay:cp-1", "m3", "m5"]);
    expect(recordReplays(marked, [{ run_id: "run-2", kind: "replay", checkpoint_id: "cp-1" }])).toBe(marked);
    // A finished replay whose rows are on a page not loaded yet gets no divider at the bottom.
    expect(kinds(recordReplays(mergeMessages(emptyThreadState(), firstTurn), [{ run_id: "run-0", kind: "replay", checkpoint_id: "cp-0" }]))).toEqual(["m1", "m2"]);
  });
});
