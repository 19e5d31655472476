import { AIMessage, AIMessageChunk } from "@langchain/core/messages";

const OPEN = "<think>";
const CLOSE = "</think>";

/**
 * `response_metadata` key of the chunk that says a reply's reasoning ended with a lone `</think>` (its template had
 * opened the block): the text before it was already streamed, so only the whole reply can be split (`splitLateThinking`).
 */
export const LATE_THINKING_KEY = "threadline_late_think_close";

/** A lone `</think>` on a line of its own, as a template-opened reasoning block ends (Qwen3, QwQ, DeepSeek-R1). */
const LATE_CLOSE = /(?:^|\n)[ \t]*<\/think>[ \t]*(?:\r?\n|$)/;

/**
 * Whether a model's replies may carry their reasoning inline as `<think>…</think>` in the content: OpenAI-compatible
 * servers without a reasoning parser (llama.cpp, vLLM, Ollama's /v1), Ollama without `think`, the embedded model
 * with a chat template node-llama-cpp does not split. Anthropic's and the fake model's text is never reasoning.
 */
export function mayThinkInline(spec: string): boolean {
  return /^(openai|ollama|local)(:|$)/.test(spec.trim());
}

/**
 * Splits a streamed reply's leading `<think>…</think>` block out of its content into
 * `additional_kwargs.reasoning_content`, where a provider's own reasoning field lands, chunk by chunk: a tag split
 * across chunks is held back until it is whole, so no delta shows any of it. Only a block at the reply's start counts
 * (a reply that talks about the tag later is left as it came). An unclosed block (a reply cut off while thinking) is
 * all reasoning. With `templateOpens` (the model was seen closing a block its template opened) the reply is held
 * from its start until `</think>`; without one it was the answer after all and is released whole at the end.
 */
export class InlineThinkingSplitter {
  private phase: "opening" | "thinking" | "answering" = "opening";
  private pending = "";
  /** Whether the block was opened by an explicit `<think>` (else assumed from `templateOpens`). */
  private explicit = false;
  private trimAnswerStart = false;
  /** The answer's text as streamed, while no block was found: a late `</think>` in it is looked for at the end. */
  private streamed = "";
  private lastChunk: AIMessageChunk | undefined;
  /** Set by `finish` when the reply's reasoning ended with a late `</think>`: the model's template opens the block. */
  closedLate = false;

  constructor(private readonly options: { templateOpens: boolean }) {}

  /** The chunk with its reasoning moved out of `content`; chunks whose content is not text pass unchanged. */
  split(chunk: AIMessageChunk): AIMessageChunk {
    this.lastChunk = chunk;
    if (typeof chunk.content !== "string") return chunk;
    this.pending += chunk.content;
    const parts = this.read();
    return withParts(chunk, parts);
  }

  /**
   * What is left at the end of the stream, as one more chunk: a held partial tag, an unclosed block's reasoning, a
   * template-assumed block's text (released as the answer), or the mark of a late `</think>`; undefined when nothing is.
   */
  finish(): AIMessageChunk | undefined {
    const template = { content: "", id: this.lastChunk?.id };
    if (this.phase === "thinking" && !this.explicit) return this.pending ? new AIMessageChunk({ ...template, content: this.pending }) : undefined;
    if (this.phase === "thinking") return this.pending ? withParts(new AIMessageChunk(template), { answer: "", reasoning: this.pending }) : undefined;
    if (this.phase === "opening") return this.pending ? new AIMessageChunk({ ...template, content: this.pending }) : undefined;
    if (!this.explicit && !this.options.templateOpens && splitLateThinkingText(this.streamed)) {
      this.closedLate = true;
      return new AIMessageChunk({ ...template, response_metadata: { [LATE_THINKING_KEY]: true } });
    }
    return undefined;
  }

  private read(): { answer: string; reasoning: string } {
    if (this.phase === "opening") return this.readOpening();
    if (this.phase === "thinking") return this.readThinking();
    return { answer: this.readAnswer(), reasoning: "" };
  }

  private readOpening(): { answer: string; reasoning: string } {
    const start = this.pending.trimStart();
    if (start.startsWith(OPEN)) {
      this.pending = start.slice(OPEN.length);
      this.phase = "thinking";
      this.explicit = true;
      return this.readThinking();
    }
    // Nothing but whitespace or the start of the tag yet: it may still open a block.
    if (OPEN.startsWith(start)) return { answer: "", reasoning: "" };
    this.phase = this.options.templateOpens ? "thinking" : "answering";
    return this.read();
  }

  private readThinking(): { answer: string; reasoning: string } {
    const close = this.pending.indexOf(CLOSE);
    if (close >= 0) {
      const reasoning = this.pending.slice(0, close);
      this.pending = this.pending.slice(close + CLOSE.length);
      this.phase = "answering";
      this.trimAnswerStart = true;
      return { reasoning, answer: this.readAnswer() };
    }
    // A template-assumed block is held whole: without its `</think>` it was the answer.
    if (!this.explicit) return { answer: "", reasoning: "" };
    const keep = partialTagLength(this.pending, CLOSE);
    const reasoning = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return { answer: "", reasoning };
  }

  private readAnswer(): string {
    // The blank lines between `</think>` and the answer belong to neither.
    if (this.trimAnswerStart) {
      this.pending = this.pending.trimStart();
      if (!this.pending) return "";
      this.trimAnswerStart = false;
    }
    const answer = this.pending;
    this.pending = "";
    if (!this.explicit && !this.options.templateOpens) this.streamed += answer;
    return answer;
  }
}

/**
 * A whole reply whose text had a late `</think>` (marked by `InlineThinkingSplitter.finish`) split as the stream could
 * not: the text before it becomes `additional_kwargs.reasoning_content`, the rest the content. Others are returned as
 * they are. A chunk stays a chunk (a streamed call's reply), a message a message (a drained one's).
 */
export function splitLateThinking<Reply extends AIMessage | AIMessageChunk>(reply: Reply): Reply {
  const metadata = reply.response_metadata as Record<string, unknown> | undefined;
  if (!metadata?.[LATE_THINKING_KEY]) return reply;
  const response_metadata = { ...metadata };
  delete response_metadata[LATE_THINKING_KEY];
  const split = typeof reply.content === "string" ? splitLateThinkingText(reply.content) : undefined;
  const fields = {
    id: reply.id,
    name: reply.name,
    content: split ? split.answer : reply.content,
    additional_kwargs: split ? withReasoning(reply.additional_kwargs, split.reasoning) : reply.additional_kwargs,
    response_metadata,
    usage_metadata: reply.usage_metadata,
  };
  if (AIMessageChunk.isInstance(reply)) return new AIMessageChunk({ ...fields, tool_call_chunks: reply.tool_call_chunks }) as Reply;
  return new AIMessage({ ...fields, tool_calls: reply.tool_calls, invalid_tool_calls: reply.invalid_tool_calls }) as Reply;
}

/** Text whose reasoning ends with a lone `</think>` line (and holds no `<think>` before it), split; undefined otherwise. */
function splitLateThinkingText(text: string): { answer: string; reasoning: string } | undefined {
  const match = LATE_CLOSE.exec(text);
  if (!match || text.slice(0, match.index).includes(OPEN)) return undefined;
  const closeAt = match.index + match[0].indexOf(CLOSE);
  return { reasoning: text.slice(0, closeAt), answer: text.slice(closeAt + CLOSE.length).trimStart() };
}

/** How many characters at the end of `text` could be the start of `tag` (to hold back until the next chunk). */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

/** The chunk with `answer` as its content and `reasoning` added to its `reasoning_content`. */
function withParts(chunk: AIMessageChunk, parts: { answer: string; reasoning: string }): AIMessageChunk {
  return new AIMessageChunk({
    id: chunk.id,
    name: chunk.name,
    content: parts.answer,
    tool_call_chunks: chunk.tool_call_chunks,
    usage_metadata: chunk.usage_metadata,
    response_metadata: chunk.response_metadata,
    additional_kwargs: parts.reasoning ? withReasoning(chunk.additional_kwargs, parts.reasoning) : chunk.additional_kwargs,
  });
}

/** `additional_kwargs` with `reasoning` after the reasoning already there (a provider's own field, an earlier part). */
function withReasoning(additional: AIMessageChunk["additional_kwargs"], reasoning: string): AIMessageChunk["additional_kwargs"] {
  const previous = additional.reasoning_content;
  return { ...additional, reasoning_content: `${typeof previous === "string" ? previous : ""}${reasoning}` };
}
