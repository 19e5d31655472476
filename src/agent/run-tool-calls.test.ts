import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool } from "../tools/tool-definition.js";
import type { AgentContext } from "./agent-context.js";
import { UNRUNNABLE_CALLS_KEY } from "./normalize-tool-calls.js";
import { capToolOutput, runToolCalls } from "./run-tool-calls.js";

describe("capToolOutput", () => {
  it("keeps output within the limit as it is", () => {
    expect(capToolOutput("short", 100)).toBe("short");
    expect(capToolOutput("x".repeat(100), 100)).toBe("x".repeat(100));
  });

  it("cuts longer output to the limit, note included, saying how long it was", () => {
    const capped = capToolOutput("y".repeat(5_000), 1_000);
    expect(capped.length).toBeLessThanOrEqual(1_000);
    expect(capped).toMatch(/^y+\n\[output truncated: 5000 characters in all\]$/);
  });

  it("never splits a surrogate pair at the cut", () => {
    const note = "\n[output truncated: 4000 characters in all]";
    for (const limit of [100, 101]) {
      const capped = capToolOutput("😀".repeat(2_000), limit);
      expect(capped.isWellFormed()).toBe(true);
      expect(capped.endsWith(note)).toBe(true);
      expect(capped.length).toBeLessThanOrEqual(limit);
    }
  });
});

describe("runToolCalls: tool starts", () => {
  const echo = defineTool({ name: "echo", description: "Echoes.", schema: z.object({ text: z.string() }), execute: ({ text }) => Promise.resolve(text) });
  const broken = defineTool({ name: "broken", description: "Fails.", schema: z.object({}), execute: () => Promise.reject(new Error("boom")) });
  const context = {
    tools: [echo, broken],
    toolContext: { userId: "u", threadId: "t", runId: "r", db: {} as never, signal: new AbortController().signal },
  } as unknown as AgentContext;

  it("announces each call just before its tool runs, and never a call that does not run", async () => {
    const order: string[] = [];
    const reply = new AIMessage({
      content: "",
      tool_calls: [
        { id: "ok", name: "echo", args: { text: "hi" } },
        { id: "invalid", name: "echo", args: { text: 42 } },
        { id: "unknown", name: "nope", args: {} },
        { id: "cut-off", name: "echo", args: { text: "half" } },
        { id: "throws", name: "broken", args: {} },
      ],
      response_metadata: { [UNRUNNABLE_CALLS_KEY]: { "cut-off": "the reply was cut off" } },
    });
    const tracking = { ...context, tools: context.tools.map((tool) => ({ ...tool, execute: (args: never, scope: never) => (order.push(`ran ${tool.name}`), tool.execute(args, scope)) })) };
    const result = await runToolCalls([reply], tracking, { writer: (chunk) => order.push(`started ${(chunk as { tool_call_id: string }).tool_call_id}`) });
    // A tool that throws did start: it completes with its error after its start.
    expect(order).toEqual(["started ok", "ran echo", "started throws", "ran broken"]);
    expect(result.messages.map((message) => message.status)).toEqual(["success", "error", "error", "error", "error"]);
  });

  it("runs without a writer (a graph run outside a stream)", async () => {
    const result = await runToolCalls([new AIMessage({ content: "", tool_calls: [{ id: "ok", name: "echo", args: { text: "hi" } }] })], context);
    expect(result.messages[0]?.content).toBe("hi");
  });
});
