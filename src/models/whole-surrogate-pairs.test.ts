import type { OpenAI } from "openai";
import { describe, expect, it } from "vitest";
import { withWholeSurrogatePairs } from "./whole-surrogate-pairs.js";

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

function chunk(content: string | undefined, finish: Chunk["choices"][number]["finish_reason"] = null): Chunk {
  return { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish, logprobs: null }] };
}

async function* streamOf(chunks: Chunk[]): AsyncGenerator<Chunk> {
  for (const item of chunks) yield await Promise.resolve(item);
}

async function contents(chunks: Chunk[]): Promise<(string | null | undefined)[]> {
  const out: (string | null | undefined)[] = [];
  for await (const item of withWholeSurrogatePairs(streamOf(chunks))) out.push(item.choices[0]?.delta.content);
  return out;
}

describe("withWholeSurrogatePairs", () => {
  it("moves a trailing high surrogate to the next delta, and leaves other deltas as they came", async () => {
    expect(await contents([chunk("a"), chunk("表情\ud83d"), chunk("\ude00结束"), chunk(undefined, "stop")])).toEqual(["a", "表情", "😀结束", undefined]);
  });

  it("gives a held half to a finish chunk, or at the end of the stream, rather than lose it", async () => {
    expect(await contents([chunk("x\ud83d"), chunk(undefined, "stop")])).toEqual(["x", "\ud83d"]);
    expect(await contents([chunk("x\ud83d")])).toEqual(["x", "\ud83d"]);
  });
});
