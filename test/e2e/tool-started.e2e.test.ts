import { describe, expect, it } from "vitest";
import { TOOLS_WITH_SLOW_APPROVAL } from "../helpers/slow-tool.js";
import { useTestServer } from "../helpers/test-server.js";
import { type Frame, TestWsClient } from "../helpers/ws-client.js";

// tool.started is sent when a tool begins executing, with the arguments it runs with: after a human's approval,
// with an edit's arguments, and never for a call that does not run (docs/protocol.md).
const fixture = useTestServer({ tools: TOOLS_WITH_SLOW_APPROVAL });

const SLOW_APPROVED = '/tool slow_approved_task {"ms":200}';
const WAIT_BEFORE_ANSWER_MS = 700;
const FINAL = ["run.completed", "run.failed", "run.interrupted"];

interface Interrupt {
  id: string;
  tool_call_id: string;
  args: Record<string, unknown>;
}

async function openThread(client: TestWsClient): Promise<string> {
  return (await client.call<{ thread_id: string }>("thread.open", {})).thread_id;
}

async function finalOf(client: TestWsClient, runId: string): Promise<Frame> {
  return client.waitFor((frame) => frame.run_id === runId && FINAL.includes(frame.event ?? ""), 15_000);
}

/** Start a run asking for `content`'s calls; resolves once it waits for a human, with its question. */
async function askForApproval(client: TestWsClient, threadId: string, content: string): Promise<{ runId: string; interrupt: Interrupt }> {
  const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content }] } });
  const final = await finalOf(client, run_id);
  expect(final.event).toBe("run.interrupted");
  const [interrupt] = (final.data as { interrupts: Interrupt[] }).interrupts;
  if (!interrupt) throw new Error("no interrupt");
  return { runId: run_id, interrupt };
}

/** Answer after a human's pause; resolves with the resumed run's id once it ended, and when the answer was sent. */
async function answer(client: TestWsClient, scope: { threadId: string; interrupt: Interrupt }, value: Record<string, unknown>): Promise<{ runId: string; answeredAt: number }> {
  await new Promise((resolve) => setTimeout(resolve, WAIT_BEFORE_ANSWER_MS));
  const answeredAt = Date.now();
  const { run_id } = await client.call<{ run_id: string }>("input.respond", { thread_id: scope.threadId, interrupt_id: scope.interrupt.id, value });
  expect((await finalOf(client, run_id)).event).toBe("run.completed");
  return { runId: run_id, answeredAt };
}

/** The thread's events as `event[:role or call id]`, in seq order. */
function timeline(client: TestWsClient, threadId: string, runId: string): string[] {
  return client
    .events(threadId)
    .filter((frame) => frame.run_id === runId)
    .sort((left, right) => Number(left.seq) - Number(right.seq))
    .map((frame) => {
      const data = frame.data as { message?: { role: string }; tool_call_id?: string };
      if (frame.event === "message.completed") return `message.completed:${data.message?.role ?? ""}`;
      if (frame.event?.startsWith("tool.")) return `${frame.event}:${data.tool_call_id ?? ""}`;
      return frame.event ?? "";
    })
    .filter((entry) => entry !== "message.delta");
}

function startsOf(client: TestWsClient, threadId: string): Frame[] {
  return client.events(threadId).filter((frame) => frame.event === "tool.started");
}

describe("tool.started", () => {
  it("approve: the tool starts after the answer, in the answer's run, and its time excludes the wait", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const threadId = await openThread(client);
    const { runId: asking, interrupt } = await askForApproval(client, threadId, SLOW_APPROVED);
    expect(startsOf(client, threadId)).toEqual([]);
    expect(timeline(client, threadId, asking)).toEqual(["run.started", "message.completed:user", "message.completed:assistant", "run.interrupted"]);

    const { runId, answeredAt } = await answer(client, { threadId, interrupt }, { decision: "approve" });
    const call = interrupt.tool_call_id;
    expect(timeline(client, threadId, runId)).toEqual([
      "run.started",
      `tool.started:${call}`,
      "message.completed:tool",
      `tool.completed:${call}`,
      "message.completed:assistant",
      "run.completed",
    ]);
    const [started] = startsOf(client, threadId);
    expect(started?.data).toEqual({ tool_call_id: call, name: "slow_approved_task", args: { ms: 200 } });
    const completed = await client.waitForEvent("tool.completed", { run_id: runId });
    expect(Date.parse(String(started?.created_at))).toBeGreaterThanOrEqual(answeredAt - 50);
    const ran = Date.parse(String(completed.created_at)) - Date.parse(String(started?.created_at));
    expect(ran).toBeGreaterThanOrEqual(150);
    expect(ran).toBeLessThan(WAIT_BEFORE_ANSWER_MS);
  });

  it("edit: tool.started carries the edited arguments", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const threadId = await openThread(client);
    const { interrupt } = await askForApproval(client, threadId, '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}');
    const edited = { to: "grace@example.com", subject: "Hello", body: "Meeting at 11." };
    const { runId } = await answer(client, { threadId, interrupt }, { decision: "edit", args: edited });
    const starts = startsOf(client, threadId);
    expect(starts.map((frame) => frame.run_id)).toEqual([runId]);
    expect(starts[0]?.data).toEqual({ tool_call_id: interrupt.tool_call_id, name: "send_email", args: edited });
    expect((await client.waitForEvent("tool.completed", { run_id: runId })).data).toMatchObject({ args: edited });
  });

  it("reject: the call never starts", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const threadId = await openThread(client);
    const { interrupt } = await askForApproval(client, threadId, SLOW_APPROVED);
    const { runId } = await answer(client, { threadId, interrupt }, { decision: "reject", reason: "not now" });
    expect(timeline(client, threadId, runId)).toEqual([
      "run.started",
      "message.completed:tool",
      `tool.completed:${interrupt.tool_call_id}`,
      "message.completed:assistant",
      "run.completed",
    ]);
    expect(startsOf(client, threadId)).toEqual([]);
  });

  it("a reply's calls without approval start in order, each before its result; calls that cannot run never start", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const threadId = await openThread(client);
    const calls = [
      { name: "calculator", args: { expression: "6*7" } },
      { name: "no_such_tool", args: {} },
      { name: "slow_task", args: { ms: "soon" } },
      { name: "slow_task", args: { ms: 100 } },
    ];
    const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content: `/tools ${JSON.stringify(calls)}` }] } });
    expect((await finalOf(client, run_id)).event).toBe("run.completed");
    const ids = client
      .events(threadId)
      .filter((frame) => frame.event === "message.completed" && (frame.data as { message: { role: string } }).message.role === "assistant")
      .flatMap((frame) => ((frame.data as { message: { tool_calls?: { id: string }[] } }).message.tool_calls ?? []).map((call) => call.id));
    expect(ids).toHaveLength(4);
    const [calculator, unknown, invalid, slow] = ids;
    expect(timeline(client, threadId, run_id)).toEqual([
      "run.started",
      "message.completed:user",
      "message.completed:assistant",
      `tool.started:${calculator}`,
      `tool.started:${slow}`,
      "message.completed:tool",
      `tool.completed:${calculator}`,
      "message.completed:tool",
      `tool.completed:${unknown}`,
      "message.completed:tool",
      `tool.completed:${invalid}`,
      "message.completed:tool",
      `tool.completed:${slow}`,
      "message.completed:assistant",
      "run.completed",
    ]);
    expect(startsOf(client, threadId).map((frame) => frame.data)).toEqual([
      { tool_call_id: calculator, name: "calculator", args: { expression: "6*7" } },
      { tool_call_id: slow, name: "slow_task", args: { ms: 100 } },
    ]);
  });
});
