import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type AIMessage, AIMessageChunk, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { RunnableLambda } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import { reportQueued } from "./attempt-observer.js";
import { FakeChatModel } from "./fake-chat-model.js";
import { ModelFailure, ResilientChatModel } from "./resilient-chat-model.js";

/** What a scripted model does when called. */
type Script = { pieces: string[]; failAfter?: number; error?: string; hangMs?: number; queuedMs?: number; modelName?: string };

/** A chat model that follows a script and records how often it was called. */
class ScriptedModel extends BaseChatModel {
  calls = 0;
  constructor(private readonly script: Script) {
    super({});
  }
  override _llmType(): string {
    return "scripted";
  }
  override async _generate(): Promise<ChatResult> {
    return Promise.reject(new Error("stream only"));
  }
  override async *_streamResponseChunks(_messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    this.calls += 1;
    if (this.script.hangMs) await new Promise((resolve) => setTimeout(resolve, this.script.hangMs));
    if (this.script.queuedMs) {
      const free = new Promise((resolve) => setTimeout(resolve, this.script.queuedMs));
      reportQueued(free);
      await free;
    }
    options.signal?.throwIfAborted();
    for (const [index, piece] of this.script.pieces.entries()) {
      if (this.script.failAfter === index) throw new Error(this.script.error ?? "boom");
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ id: `inner-${this.calls}`, content: piece }) });
      yield chunk;
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
    if (this.script.failAfter === this.script.pieces.length) throw new Error(this.script.error ?? "boom");
    if (this.script.modelName) yield new ChatGenerationChunk({ text: "", message: new AIMessageChunk({ content: "", response_metadata: { model_name: this.script.modelName } }) });
  }
  override withStructuredOutput(): ReturnType<BaseChatModel["withStructuredOutput"]> {
    const failing = this.script.failAfter === 0;
    return RunnableLambda.from(() => (failing ? Promise.reject(new Error("no structure")) : Promise.resolve({ from: this.script.modelName }))) as unknown as ReturnType<BaseChatModel["withStructuredOutput"]>;
  }
}

function chain(...models: [string, BaseChatModel][]): ResilientChatModel {
  return new ResilientChatModel({ candidates: models.map(([spec, model]) => ({ spec, model })), timeoutMs: 300, secrets: ["sk-secret-123456"] });
}

describe("ResilientChatModel", () => {
  it("falls back when a model fails before streaming, and names the model that answered", async () => {
    const broken = new ScriptedModel({ pieces: ["x"], failAfter: 0, error: "503 overloaded" });
    const backup = new ScriptedModel({ pieces: ["Hello", " world"] });
    const reply = await chain(["openai:primary", broken], ["local", backup]).invoke([new HumanMessage("hi")]);
    expect(reply.text).toBe("Hello world");
    expect(reply.response_metadata.model_name).toBe("local");
    expect([broken.calls, backup.calls]).toEqual([1, 1]);
  });

  it("re-issues every chunk under one id of its own", async () => {
    const ids = new Set<string | undefined>();
    for await (const chunk of await chain(["a", new ScriptedModel({ pieces: ["a", "b", "c"], modelName: "model-a" })]).stream([new HumanMessage("hi")])) ids.add(chunk.id);
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^run-msg-/);
  });

  it("reports each token to callbacks once, not once per layer", async () => {
    const tokens: string[] = [];
    await chain(["a", new ScriptedModel({ pieces: ["one", "two"] })]).invoke([new HumanMessage("hi")], { callbacks: [{ handleLLMNewToken: (token: string) => void tokens.push(token) }] });
    expect(tokens.filter(Boolean)).toEqual(["one", "two"]);
  });

  it("does not fall back once text was streamed: the failure names the model and its message", async () => {
    const halfway = new ScriptedModel({ pieces: ["partial", "more"], failAfter: 1, error: "connection reset" });
    const backup = new ScriptedModel({ pieces: ["unused"] });
    await expect(chain(["openai:a", halfway], ["local", backup]).invoke([new HumanMessage("hi")])).rejects.toThrow("openai:a: connection reset");
    expect(backup.calls).toBe(0);
  });

  it("moves on when a model stays silent past the timeout", async () => {
    const silent = new ScriptedModel({ pieces: ["late"], hangMs: 2_000 });
    const backup = new ScriptedModel({ pieces: ["on time"] });
    const started = performance.now();
    expect((await chain(["openai:slow", silent], ["local", backup]).invoke([new HumanMessage("hi")])).text).toBe("on time");
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("does not count a wait for a free sequence (the embedded model's queue) as silence", async () => {
    const queued = new ScriptedModel({ pieces: ["after the queue"], queuedMs: 700 });
    const backup = new ScriptedModel({ pieces: ["backup"] });
    expect((await chain(["local", queued], ["fake", backup]).invoke([new HumanMessage("hi")])).text).toBe("after the queue");
    expect(backup.calls).toBe(0);
  });

  it("lists every model's failure when the chain is exhausted, with keys scrubbed", async () => {
    const first = new ScriptedModel({ pieces: ["x"], failAfter: 0, error: "401 bad key sk-secret-123456" });
    const second = new ScriptedModel({ pieces: ["x"], failAfter: 0, error: "model file missing" });
    const failure = (await chain(["openai:a", first], ["local", second]).invoke([new HumanMessage("hi")]).catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(ModelFailure);
    expect(failure.message).toBe("every model failed — openai:a: 401 bad key [redacted]; local: model file missing");
  });

  it("keeps at most 1,000 characters of each model's error, cut after the keys are scrubbed", async () => {
    // The key straddles the cut: cut first, and its first half would show.
    const page = `<html>${"x".repeat(980)}sk-secret-123456${"y".repeat(300_000)}</html>`;
    const failure = (await chain(["openai:a", new ScriptedModel({ pieces: ["x"], failAfter: 0, error: `503 ${page}` })]).invoke([new HumanMessage("hi")]).catch((error: unknown) => error)) as Error;
    expect(failure.message.length).toBeLessThan(1_200);
    expect(failure.message).toMatch(/^openai:a: 503 <html>x{980}\[redacted\]… \(\d+ more characters\)$/);
    expect(failure.message).not.toContain("sk-");
  });

  it("fails structured output with every model's error, keys scrubbed, when none answers", async () => {
    const structured = chain(
      ["openai:a", new ScriptedModel({ pieces: [], failAfter: 0 })],
      ["openai:b", new ScriptedModel({ pieces: [], failAfter: 0 })],
    ).withStructuredOutput({ type: "object" });
    const failure = (await structured.invoke([new HumanMessage("hi")]).catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(ModelFailure);
    expect(failure.message).toBe("every model failed — openai:a: no structure; openai:b: no structure");
  });

  it("lets cancellation through untouched, without trying the fallback", async () => {
    const slow = new ScriptedModel({ pieces: ["x"], hangMs: 1_000 });
    const backup = new ScriptedModel({ pieces: ["unused"] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by user")), 50);
    await expect(chain(["a", slow], ["b", backup]).invoke([new HumanMessage("hi")], { signal: controller.signal })).rejects.toThrow("cancelled by user");
    expect(backup.calls).toBe(0);
  });

  it("binds tools on every model and keeps the scripted fake model's behaviour", async () => {
    const bound = chain(["fake", new FakeChatModel()]).bindTools([{ type: "function", function: { name: "calculator", description: "math", parameters: { type: "object", properties: {} } } }]);
    const reply = (await bound.invoke([new HumanMessage('/tool calculator {"expression":"1+1"}')])) as AIMessage;
    expect(reply.tool_calls?.[0]).toMatchObject({ name: "calculator", args: { expression: "1+1" } });
    expect(reply.response_metadata.model_name).toBe("fake");
  });

  it("falls back for structured output too", async () => {
    const structured = chain(["a", new ScriptedModel({ pieces: [], failAfter: 0 })], ["b", new ScriptedModel({ pieces: [], modelName: "b" })]).withStructuredOutput({ type: "object" });
    expect(await structured.invoke([new HumanMessage("hi")])).toEqual({ from: "b" });
  });
});
