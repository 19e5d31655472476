import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { graph } from "../../graphs/chat.js";
import { type AgentContext, withAgentContext } from "../../src/agent/agent-context.js";
import { boundToolSchemas } from "../../src/agent/call-model.js";
import { resolveContextPolicy } from "../../src/memory/context-policy.js";
import type { RunningSummary } from "../../src/memory/running-summary.js";
import { toolSchemaTokens } from "../../src/memory/tool-schema-tokens.js";
import { calculator } from "../../tools/calculator.js";
import { RecordingChatModel } from "./recording-chat-model.js";

type ChatValues = { messages: BaseMessage[]; summary?: RunningSummary };

const SYSTEM_PROMPT = "You are a careful assistant. Answer briefly.";

function agentContext(model: RecordingChatModel, contextBudget: number): AgentContext {
  return {
    model,
    tools: [calculator],
    toolContext: { userId: "u", threadId: "t", runId: "r", db: { query: () => Promise.reject(new Error("no db")) }, signal: new AbortController().signal },
    systemPrompt: SYSTEM_PROMPT,
    contextBudget,
  };
}

function chatGraph() {
  const copy = graph.withConfig({});
  copy.checkpointer = new MemorySaver();
  return copy;
}

/** A conversation mixing English, Chinese, mixed text and tool calls. */
function userText(turn: number): string {
  switch (turn % 4) {
    case 0:
      return `Turn ${turn}: please remember that my project codename is falcon-${turn} and that the deadline moved again.`;
    case 1:
      return `第${turn}轮：今天天气很好，我们讨论了数据库的索引设计和全文搜索。`;
    case 2:
      return `/tool calculator {"expression":"${turn}*3"}`;
    default:
      return `Mixed 第${turn}轮 message: PostgreSQL 的 pg_trgm 扩展 works for 中文 too.`;
  }
}

/** Tool results whose call is not in the list, and tool calls without their result. */
function brokenPairs(messages: readonly BaseMessage[]): string[] {
  const calls = new Set(messages.flatMap((message) => (AIMessage.isInstance(message) ? (message.tool_calls ?? []).map((call) => call.id) : [])));
  const results = new Set(messages.flatMap((message) => (ToolMessage.isInstance(message) ? [message.tool_call_id] : [])));
  return [...[...results].filter((id) => !calls.has(id)), ...[...calls].filter((id) => id && !results.has(id))].map(String);
}

async function chatTurns(options: { turns: number; budget: number; model: RecordingChatModel; text?: (turn: number) => string }) {
  const compiled = chatGraph();
  const context = agentContext(options.model, options.budget);
  const config = { configurable: withAgentContext({ thread_id: "long" }, context) };
  const policy = await resolveContextPolicy({ model: options.model, contextBudget: options.budget });
  const toolTokens = toolSchemaTokens(boundToolSchemas(context.tools), policy.tokens);
  const summaries: (RunningSummary | undefined)[] = [];
  let said = 0;
  for (let turn = 0; turn < options.turns; turn += 1) {
    const before = options.model.prompts.length;
    const state = (await compiled.invoke({ messages: [new HumanMessage((options.text ?? userText)(turn))] }, config)) as ChatValues;
    said += turn % 4 === 2 && !options.text ? 4 : 2;
    for (const prompt of options.model.prompts.slice(before)) expect(policy.tokens.prompt(prompt, toolTokens)).toBeLessThanOrEqual(options.budget);
    expect(brokenPairs(state.messages)).toEqual([]);
    expect(state.messages[0]?.getType()).toBe("human");
    // The turn just taken is whole: its user message and the reply.
    expect(state.messages.some((message) => message.text === (options.text ?? userText)(turn))).toBe(true);
    expect((state.summary?.message_count ?? 0) + state.messages.length).toBe(said);
    summaries.push(state.summary);
  }
  return { summaries, state: (await compiled.getState(config)).values as ChatValues, policy };
}

describe("bounded working context (chat graph, recording model)", () => {
  it("never sends more than the budget, folds in batches, keeps tool pairs whole and the summary readable", async () => {
    const model = new RecordingChatModel();
    const { summaries, state, policy } = await chatTurns({ turns: 80, budget: 600, model });
    const folds = summaries.filter((summary, index) => summary?.message_count !== summaries[index - 1]?.message_count).length;
    expect(folds).toBeGreaterThan(2);
    // Batched down to the low-water mark: far fewer folds than turns.
    expect(folds).toBeLessThan(80 / 4);
    const summary = state.summary;
    const [heading, ...lines] = (summary?.text ?? "").split("\n");
    expect(heading).toMatch(/^\d+ earlier messages, oldest first, the oldest \d+ no longer listed:$/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatch(/^- (user: |assistant: |assistant called calculator |tool calculator: )/);
    expect(policy.tokens.text(summary?.text ?? "")).toBeLessThanOrEqual(policy.summaryMaxTokens);
    // The model saw the summary in its system message.
    const lastPrompt = model.prompts.at(-1) ?? [];
    expect(lastPrompt[0]?.getType()).toBe("system");
    expect(lastPrompt[0]?.text).toContain(SYSTEM_PROMPT);
    expect(lastPrompt[0]?.text).toContain(summary?.text ?? "(none)");
  });

  it("shortens an oversized current turn in the prompt only, never in the state", async () => {
    const model = new RecordingChatModel();
    const huge = (turn: number) => (turn === 5 ? `Please read this: ${"lorem ipsum dolor sit amet ".repeat(400)}` : `short message ${turn}`);
    const { state } = await chatTurns({ turns: 8, budget: 400, model, text: huge });
    // The state holds the message whole (until it is folded); only the prompt was shortened.
    const hugeInState = state.messages.find((message) => message.text.startsWith("Please read this:"));
    if (hugeInState) expect(hugeInState.text).not.toContain("truncated");
    const hugePrompt = model.prompts.find((prompt) => prompt.some((message) => message.text.startsWith("Please read this:")));
    expect(hugePrompt?.find((message) => message.text.startsWith("Please read this:"))?.text).toContain("truncated to fit the context budget");
  });

  it("summarises with the model (not streamed, within budget) when the model is not the scripted fake", async () => {
    const model = new RecordingChatModel({ llmType: "recording" });
    const compiled = chatGraph();
    const context = agentContext(model, 500);
    const config = { configurable: withAgentContext({ thread_id: "model-summary" }, context), streamMode: "messages" as const };
    const streamed: string[] = [];
    for (let turn = 0; turn < 30; turn += 1) {
      for await (const [chunk] of await compiled.stream({ messages: [new HumanMessage(userText(turn))] }, config)) streamed.push(chunk.text);
    }
    const policy = await resolveContextPolicy({ model, contextBudget: 500 });
    const summarising = model.prompts.filter((prompt) => prompt[0]?.text.startsWith("You maintain the running summary"));
    expect(summarising.length).toBeGreaterThan(0);
    for (const prompt of model.prompts) expect(policy.tokens.prompt(prompt)).toBeLessThanOrEqual(500);
    expect(streamed.join("")).not.toContain("Current summary");
    const state = (await compiled.getState(config)).values as ChatValues;
    expect(state.summary?.text).toContain("You said: Current summary");
  });
});
