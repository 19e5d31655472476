import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { contentSize, plainText } from "./message-text.js";
import type { TokenCounter } from "./token-counter.js";

/** Per-message framing (role, separators) in chat formats; OpenAI documents 3–4 tokens. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** The reply is primed with a few tokens after the last message. */
export const PROMPT_OVERHEAD_TOKENS = 3;

/** How many message counts one MessageTokens keeps; the working context is far smaller. */
const CACHE_LIMIT = 20_000;

/**
 * Counts whole messages and prompts with one tokenizer, remembering each message's count by id, so a turn
 * re-tokenizes only what is new (the working context is counted at every model call).
 */
export class MessageTokens {
  private readonly cache = new Map<string, number>();
  private readonly texts = new Map<string, number>();

  /** Tokens the chat format adds around each message. */
  readonly messageOverhead: number;
  /** Tokens the chat format adds to prime the reply. */
  readonly promptOverhead: number;

  constructor(readonly counter: TokenCounter) {
    this.messageOverhead = counter.framing?.message ?? MESSAGE_OVERHEAD_TOKENS;
    this.promptOverhead = counter.framing?.prompt ?? PROMPT_OVERHEAD_TOKENS;
  }

  /** Tokens in plain text. */
  text(text: string): number {
    return this.counter.count(text);
  }

  /** Tokens in a text that recurs call after call (the system context with the summary): counted once. */
  recurringText(text: string): number {
    let tokens = this.texts.get(text);
    if (tokens === undefined) {
      tokens = this.counter.count(text);
      // A handful of assistants' system texts at a time; forget them all when the set turns over.
      if (this.texts.size >= 64) this.texts.clear();
      this.texts.set(text, tokens);
    }
    return tokens;
  }

  /** Tokens one message takes in a prompt: framing, name, text and tool calls. */
  message(message: BaseMessage): number {
    const key = message.id === undefined ? undefined : `${message.id}\u0000${contentSize(message)}`;
    const cached = key === undefined ? undefined : this.cache.get(key);
    if (cached !== undefined) return cached;
    const tokens = this.countUncached(message);
    if (key !== undefined) this.remember(key, tokens);
    return tokens;
  }

  /** Tokens of a list of messages, without the prompt's own overhead. */
  messages(messages: readonly BaseMessage[]): number {
    let total = 0;
    for (const message of messages) total += this.message(message);
    return total;
  }

  /** Tokens of a whole prompt: its messages, the reply priming and the bound tools' schemas. */
  prompt(messages: readonly BaseMessage[], toolTokens = 0): number {
    return this.messages(messages) + this.promptOverhead + toolTokens;
  }

  private countUncached(message: BaseMessage): number {
    // Messages without an id are built per call (the system message): their text recurs, so count it once.
    const text = plainText(message);
    let tokens = this.messageOverhead + (message.id === undefined ? this.recurringText(text) : this.counter.count(text));
    if (message.name) tokens += this.counter.count(message.name) + 1;
    if (AIMessage.isInstance(message)) {
      for (const call of message.tool_calls ?? []) tokens += this.counter.count(`${call.name}${JSON.stringify(call.args)}`) + this.messageOverhead;
    }
    if (ToolMessage.isInstance(message)) tokens += this.counter.count(message.tool_call_id);
    return tokens;
  }

  private remember(key: string, tokens: number): void {
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, tokens);
  }
}
