import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { NewTranscriptMessage, TranscriptMessage } from "../transcript/transcript-message.js";
import { StreamTranslator } from "./stream-translator.js";

function recordingSink() {
  const appended: NewTranscriptMessage[][] = [];
  return {
    appended,
    emit: () => undefined,
    appendTranscript: (messages: NewTranscriptMessage[]) => {
      appended.push(messages);
      return Promise.resolve(messages.map((message, index) => ({ ...message, seq: index + 1 }) as unknown as TranscriptMessage));
    },
  };
}

describe("StreamTranslator", () => {
  it("does not append the run's input again when the graph's first update repeats it", async () => {
    const sink = recordingSink();
    const translator = new StreamTranslator(sink, "fake");
    translator.markCompleted(["user-1"]);
    await translator.handle("updates", { __start__: { messages: [new HumanMessage({ id: "user-1", content: "hi" })] } });
    expect(sink.appended.flat()).toEqual([]);
    await translator.handle("updates", { model: { messages: [new AIMessage({ id: "reply-1", content: "hello" })] } });
    expect(sink.appended.flat().map((message) => message.id)).toEqual(["reply-1"]);
  });
});
