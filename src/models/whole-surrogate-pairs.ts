import type { OpenAI } from "openai";

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/**
 * A chat-completions stream whose text deltas never end inside a surrogate pair. Some servers split an emoji's pair
 * across two deltas (`"表情\ud83d"`, then `"\ude00结束"`): each delta is made storable on its own, so each half became a
 * U+FFFD and the client saw `表情��结束` live (the stored message, joined first, was right). A trailing high surrogate
 * is held back and put in front of the choice's next delta; one still held when the stream ends goes out on its own.
 */
export async function* withWholeSurrogatePairs(chunks: AsyncIterable<Chunk>): AsyncGenerator<Chunk> {
  const held = new Map<number, string>();
  let last: Chunk | undefined;
  for await (const chunk of chunks) {
    last = chunk;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta as { content?: string | null } | undefined;
      const before = held.get(choice.index) ?? "";
      if (!delta || (before === "" && !endsInHighSurrogate(delta.content ?? ""))) continue;
      const content = before + (delta.content ?? "");
      held.delete(choice.index);
      // The finish chunk lets the half go: nothing would complete it.
      const keep = endsInHighSurrogate(content) && choice.finish_reason == null ? 1 : 0;
      if (keep) held.set(choice.index, content.slice(-1));
      delta.content = content.slice(0, content.length - keep);
    }
    yield chunk;
  }
  for (const [index, content] of held) {
    if (last) yield { ...last, usage: undefined, choices: [{ index, delta: { content }, finish_reason: null, logprobs: null }] };
  }
}

function endsInHighSurrogate(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
}
