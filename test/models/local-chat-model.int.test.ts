import { AIMessage, type AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import { LlamaContext } from "node-llama-cpp";
import type { ChatGeneration, LLMResult } from "@langchain/core/outputs";
import { beforeAll, describe, expect, it } from "vitest";
import { calculator } from "../../tools/calculator.js";
import { createChatModel } from "../../src/models/create-chat-model.js";
import type { LocalModelSettings, ModelSettings } from "../../src/models/model-settings.js";
import { resolveContextPolicy } from "../../src/memory/context-policy.js";
import { estimateTokens } from "../../src/memory/token-counter.js";
import { boundToolTokens, type ToolPromptModel } from "../../src/memory/tool-schema-tokens.js";
import { localModelAvailable, TEST_MODEL_CACHE_DIR } from "./local-model-file.js";

const available = localModelAvailable();

const LOCAL: LocalModelSettings = {
  modelsDir: "./data/test-unused/models",
  cacheDir: TEST_MODEL_CACHE_DIR,
  autoPull: false,
  threads: 0,
  contextSize: 2048,
  sequences: 4,
  queueLimit: 64,
  maxTokens: 64,
  maxToolRounds: 1,
  gpu: false,
};
const SETTINGS: ModelSettings = { fakeChunkDelayMs: 0, local: LOCAL };
const CALCULATOR_TOOL = {
  type: "function" as const,
  function: { name: calculator.name, description: calculator.description, parameters: z.toJSONSchema(calculator.schema, { io: "input" }) },
};

// A 135M model on a shared CPU: seconds per test here, but CI machines run other suites alongside.
describe.skipIf(!available)("the embedded model (SmolLM2-135M through node-llama-cpp)", { timeout: 180_000 }, () => {
  let model: BaseChatModel;
  beforeAll(async () => {
    model = await createChatModel("local", SETTINGS, { temperature: 0, seed: 42 });
    await model.invoke([new HumanMessage("Hi")]); // load once, outside the timed tests
  }, 120_000);

  it("streams tokens under one message id, with usage and the model's name", async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream([new HumanMessage("Tell me about Paris in two sentences.")])) chunks.push(chunk);
    const text = chunks.map((chunk) => chunk.text).join("");
    expect(chunks.filter((chunk) => chunk.text.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    const last = chunks.at(-1);
    expect(last?.usage_metadata?.input_tokens).toBeGreaterThan(5);
    expect(last?.usage_metadata?.output_tokens).toBeGreaterThanOrEqual(2);
    expect(last?.response_metadata.model_name).toBe("local:SmolLM2-135M-Instruct.Q4_1");
    expect(text).not.toMatch(/<\|im_(start|end)\|>/);
  });

  it("dispatches each token's decode before the consumer handles the token before it", async () => {
    // node-llama-cpp's default dispatches a decode at the next event-loop cycle, after every pending microtask: all the
    // work a run does with a token (LangChain, LangGraph, storing and sending the event) would then come before the
    // next decode even starts, instead of beside it (LOCAL_CONTEXT_BATCHING).
    const log: ("dispatch" | "text")[] = [];
    // Kept unbound on purpose: called with each context as `this`, and put back on the prototype below.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = LlamaContext.prototype.dispatchPendingBatch;
    LlamaContext.prototype.dispatchPendingBatch = function (this: LlamaContext) {
      log.push("dispatch");
      original.call(this);
    };
    try {
      for await (const chunk of await model.stream([new HumanMessage("Count from one to ten.")])) if (chunk.text) log.push("text");
    } finally {
      LlamaContext.prototype.dispatchPendingBatch = original;
    }
    expect(log.filter((entry) => entry === "text").length).toBeGreaterThanOrEqual(3);
    // The prompt's decode, then the first token's, both before the consumer sees the first text.
    expect(log.indexOf("text")).toBeGreaterThanOrEqual(2);
  });

  it("counts context budgets with its own tokenizer (the estimate undercounts it, Chinese most)", async () => {
    const policy = await resolveContextPolicy({ model, modelSpec: "local", contextBudget: 1500 });
    expect(policy.tokens.counter.name).toBe("model");
    const chinese = "我们明天去北京看长城，然后吃烤鸭。";
    // SmolLM2's vocabulary is mostly English: a Han character takes more than the estimate's one token.
    expect(policy.tokens.text(chinese)).toBeGreaterThan(estimateTokens(chinese));
    expect(policy.tokens.text("Hello world")).toBe(2);
  });

  it("sizes a default budget to its context size (LOCAL_MODEL_CONTEXT_SIZE), wrapped in a fallback chain or not", async () => {
    expect((await resolveContextPolicy({ model, modelSpec: "local" })).budget).toBe(1536);
    const small = await createChatModel("local", { ...SETTINGS, local: { ...LOCAL, contextSize: 1024 } }, { temperature: 0 });
    expect((await resolveContextPolicy({ model: small, modelSpec: "local" })).budget).toBe(768);
  });

  it("counts its tool-decision instructions, not the schemas' JSON, as the bound tools' share of the budget", async () => {
    const policy = await resolveContextPolicy({ model, modelSpec: "local", contextBudget: 1500 });
    const toolTokens = boundToolTokens(model, [CALCULATOR_TOOL], policy.tokens);
    expect(toolTokens).toBe(policy.tokens.text(`\n\n${(model as unknown as ToolPromptModel).toolPrompt([CALCULATOR_TOOL])}`));
    const prompt = [new SystemMessage("You are terse."), new HumanMessage("What is 12*7? Use the calculator.")];
    // Forced, so the reply is the decision itself (its usage is what the decision step read).
    const reply = (await model.bindTools?.([CALCULATOR_TOOL], { tool_choice: "calculator" }).invoke(prompt)) as AIMessage;
    expect(reply.tool_calls?.[0]?.name).toBe("calculator");
    // What the decision step really read (chat template included) fits what the budget counted for the call.
    const read = reply.usage_metadata?.input_tokens ?? Number.POSITIVE_INFINITY;
    const counted = policy.tokens.prompt(prompt, toolTokens);
    expect(read).toBeLessThanOrEqual(counted);
    expect(counted - read).toBeLessThan(12);
  });

  it("is deterministic at temperature 0", async () => {
    const prompt = [new HumanMessage("Name three colors.")];
    const [first, second] = [await model.invoke(prompt), await model.invoke(prompt)];
    expect(first.text.length).toBeGreaterThan(0);
    expect(second.text).toBe(first.text);
  });

  it("stops generating within a few tokens of an abort", async () => {
    const long = await createChatModel("local", SETTINGS, { temperature: 0, maxTokens: 400 });
    const controller = new AbortController();
    let afterAbort = 0;
    let received = 0;
    const reading = (async () => {
      for await (const chunk of await long.stream([new HumanMessage("Write a long story about a dragon and a knight.")], { signal: controller.signal })) {
        if (!chunk.text) continue;
        received += 1;
        if (controller.signal.aborted) afterAbort += 1;
        if (received === 5) controller.abort(new Error("cancelled by test"));
      }
    })();
    await expect(reading).rejects.toThrow(/cancelled by test|abort/i);
    expect(received).toBeGreaterThanOrEqual(5);
    expect(afterAbort).toBeLessThanOrEqual(2);
    // The sequence went back to the pool: the next call still works.
    expect((await model.invoke([new HumanMessage("Say hello.")])).text.length).toBeGreaterThan(0);
  });

  it("calls a bound tool with arguments its schema accepts, then answers from the result", async () => {
    const bound = model.bindTools?.([CALCULATOR_TOOL]);
    if (!bound) throw new Error("bindTools missing");
    const question = new HumanMessage("Use the calculator to compute 12 * (3 + 4).");
    const call = await bound.invoke([question]);
    expect(call.tool_calls).toHaveLength(1);
    const toolCall = call.tool_calls?.[0];
    expect(toolCall?.name).toBe("calculator");
    expect(calculator.schema.safeParse(toolCall?.args).success).toBe(true);
    expect(call.usage_metadata?.output_tokens).toBeGreaterThan(0);

    const output = await calculator.execute(calculator.schema.parse(toolCall?.args), undefined as never);
    const answer = await bound.invoke([question, new AIMessage({ content: "", tool_calls: call.tool_calls }), new ToolMessage({ content: output, tool_call_id: toolCall?.id ?? "", name: "calculator" })]);
    expect(answer.tool_calls ?? []).toHaveLength(0);
    expect(answer.text.trim().length).toBeGreaterThan(0);
  });

  it("answers a tool round in words, not with another call's JSON copied from its history", async () => {
    const bound = model.bindTools?.([CALCULATOR_TOOL]);
    if (!bound) throw new Error("bindTools missing");
    // With past calls rendered as JSON in the history, the second of these was answered with `{"tool":"calculator",…}`.
    for (const prompt of ["Use the calculator to compute 12 * (3 + 4).", "Use the calculator to compute 2^10.", "Use the calculator to compute 100 / 8."]) {
      const question = new HumanMessage(prompt);
      const call = await bound.invoke([question]);
      const toolCall = call.tool_calls?.[0];
      if (!toolCall) continue;
      // As the runtime does: a tool's failure is the result the model reads.
      const output = await calculator.execute(calculator.schema.parse(toolCall.args), undefined as never).catch((error: unknown) => `Error: ${String(error)}`);
      const answer = await bound.invoke([question, new AIMessage({ content: "", tool_calls: call.tool_calls }), new ToolMessage({ content: output, tool_call_id: toolCall.id ?? "", name: "calculator" })]);
      expect(answer.text, prompt).not.toMatch(/^\s*[{[]/);
    }
  });

  it("answers in words when no tool fits", async () => {
    const bound = model.bindTools?.([CALCULATOR_TOOL]);
    if (!bound) throw new Error("bindTools missing");
    const reply = await bound.invoke([new HumanMessage("What is the capital of France?")]);
    expect(reply.tool_calls ?? []).toHaveLength(0);
    expect(reply.text).toMatch(/Paris/);
  });

  it("returns structured output shaped by a JSON schema", async () => {
    const structured = model.withStructuredOutput({ type: "object", properties: { city: { type: "string" }, country: { type: "string" } }, required: ["city", "country"] });
    const ends: LLMResult[] = [];
    const result = (await structured.invoke([new HumanMessage("Paris is the capital of France. Give the city and its country.")], {
      callbacks: [{ handleLLMEnd: (output: LLMResult) => void ends.push(output) }],
    })) as Record<string, unknown>;
    expect(typeof result.city).toBe("string");
    expect(typeof result.country).toBe("string");
    // Reported as a model call, so the run's usage counts it.
    const message = (ends[0]?.generations[0]?.[0] as ChatGeneration | undefined)?.message as AIMessage | undefined;
    expect(message?.usage_metadata?.input_tokens).toBeGreaterThan(10);
    expect(message?.usage_metadata?.output_tokens).toBeGreaterThan(3);
    expect(message?.response_metadata.model_name).toBe("local:SmolLM2-135M-Instruct.Q4_1");
  });

  it("serves 20 concurrent calls from one loaded model without mixing their outputs", async () => {
    const prompts = ["Name three colors.", "Name three fruits.", "Name three animals.", "Name three countries."];
    const sequential = new Map<string, string>();
    for (const prompt of prompts) sequential.set(prompt, (await model.invoke([new HumanMessage(prompt)])).text);
    const calls = Array.from({ length: 20 }, (_, index) => prompts[index % prompts.length] as string);
    const replies = await Promise.all(calls.map((prompt) => model.invoke([new HumanMessage(prompt)])));
    for (const [index, reply] of replies.entries()) {
      expect(reply.text.length).toBeGreaterThan(0);
      // Greedy decoding per sequence: batching must not change (or garble) what each caller gets.
      expect(reply.text).toBe(sequential.get(calls[index] as string));
    }
  }, 300_000);
});
