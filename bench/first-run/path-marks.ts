import { LlamaChat } from "node-llama-cpp";
import pg from "pg";
import { FakeChatModel } from "../../src/models/fake-chat-model.js";
import { LocalChatModel } from "../../src/models/local/local-chat-model.js";
import { CommitGate, NodeStartGate } from "../../src/runs/commit-gate.js";

/** One point on a run's path: when (ms, `performance.now()`) and what. */
export type Mark = [at: number, label: string];

/** Marks taken while recording; `label` says what happened (`q> …` a statement sent, `q< …` answered). */
export class PathMarks {
  private recording = false;
  private marks: Mark[] = [];

  /** Start a fresh recording. */
  start(): void {
    this.marks = [];
    this.recording = true;
  }

  /** Stop recording and return what was marked. */
  stop(): Mark[] {
    this.recording = false;
    return this.marks;
  }

  /** Mark `label` now (ignored while not recording). */
  mark(label: string): void {
    if (this.recording) this.marks.push([performance.now(), label]);
  }
}

type Method = (...args: unknown[]) => unknown;

/** Replace `owner[name]` with `wrap(original)`; the patch lasts for the process (a benchmark's). */
function patch(owner: object, name: string, wrap: (original: Method) => Method): void {
  const target = owner as Record<string, Method>;
  const original = target[name];
  if (typeof original !== "function") throw new Error(`nothing to patch: ${name}`);
  target[name] = wrap(original);
}

/**
 * Mark the path of a run in this process: every statement pg sends and its answer, the submission's commit reaching
 * the run (`gate open`), each graph node's start and its release by the commit gate, the chat model called, and
 * node-llama-cpp called and its first text. Call before the server starts (pg clients bind `query` when built).
 */
export function markRunPath(marks: PathMarks): void {
  patch(pg.Client.prototype, "query", (original) =>
    function (this: unknown, ...args: unknown[]) {
      const [first] = args;
      const text = typeof first === "string" ? first : (first as { text?: unknown } | undefined)?.text;
      const label = (typeof text === "string" ? text : "?").replace(/\s+/g, " ").slice(0, 70);
      marks.mark(`q> ${label}`);
      const result = original.apply(this, args);
      if (result instanceof Promise) result.then(() => marks.mark(`q< ${label}`), () => marks.mark(`q! ${label}`));
      return result;
    });
  patch(CommitGate.prototype, "open", (original) =>
    function (this: unknown, ...args: unknown[]) {
      marks.mark("gate open");
      return original.apply(this, args);
    });
  patch(NodeStartGate.prototype, "handleChainStart", (original) =>
    async function (this: unknown, ...args: unknown[]) {
      const node = (args[5] as { langgraph_node?: unknown } | undefined)?.langgraph_node;
      if (typeof node === "string") marks.mark(`node ${node} starts`);
      await original.apply(this, args);
      if (typeof node === "string") marks.mark(`node ${node} runs`);
    });
  for (const model of [FakeChatModel.prototype, LocalChatModel.prototype]) {
    patch(model, "_streamResponseChunks", (original) =>
      function (this: unknown, ...args: unknown[]) {
        marks.mark("chat model called");
        return original.apply(this, args);
      });
  }
  patch(LlamaChat.prototype, "generateResponse", (original) =>
    function (this: unknown, ...args: unknown[]) {
      const [history, given] = args;
      const options = (given ?? {}) as { onTextChunk?: (text: string) => void };
      marks.mark("node-llama-cpp called");
      let first = true;
      return original.call(this, history, {
        ...options,
        onTextChunk: (text: string) => {
          if (first) marks.mark("node-llama-cpp first text");
          first = false;
          options.onTextChunk?.(text);
        },
      });
    });
}
