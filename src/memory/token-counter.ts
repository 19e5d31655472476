import type { TiktokenEncoding } from "js-tiktoken/lite";

/** Counts the tokens of a piece of text the way one model family does. */
export interface TokenCounter {
  /** What counts: `tiktoken:o200k_base`, `model` (the model's own tokenizer) or `estimate`. */
  readonly name: string;
  /** Tokens in `text`. */
  count(text: string): number;
  /** What the chat format adds around messages; unset: OpenAI's documented framing (message-tokens.ts). */
  readonly framing?: PromptFraming;
}

/** Tokens a chat format adds around each message (role and separators) and after the last to prime the reply. */
export interface PromptFraming {
  message: number;
  prompt: number;
}

/** A model's own tokenizer: counts text, and knows its chat template's framing. */
export interface ModelTokenizer {
  count(text: string): number;
  framing?: PromptFraming;
}

/** A model object that exposes its own tokenizer (the embedded node-llama-cpp model does; loading it if needed). */
export interface TokenizingModel {
  tokenCounter(): Promise<ModelTokenizer | undefined>;
}

/** Han, kana and Hangul: scripts whose characters are each roughly a token (no spaces between words). */
const WIDE_CHARACTER = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/gu;

/**
 * The documented estimate, for models whose tokenizer is not available here (Anthropic, Ollama, the fake model):
 * one token per Han/kana/Hangul character plus one per four other characters. It errs high for English (BPE
 * vocabularies average ~4.2 characters per token) and is close for Chinese, so a budget is rarely overrun.
 */
export function estimateTokens(text: string): number {
  if (text.length === 0) return 0;
  const wide = text.match(WIDE_CHARACTER)?.length ?? 0;
  return wide + Math.ceil((text.length - wide) / 4);
}

/** The estimate as a counter. */
export const ESTIMATE_COUNTER: TokenCounter = { name: "estimate", count: estimateTokens };

/** Whether a model object offers `tokenCounter()`. */
export function isTokenizingModel(model: unknown): model is TokenizingModel {
  return typeof (model as { tokenCounter?: unknown } | null)?.tokenCounter === "function";
}

/** A counter over the model's own tokenizer; undefined when the model has none after all (a wrapper's inner model). */
export async function modelTokenCounter(model: TokenizingModel): Promise<TokenCounter | undefined> {
  const tokenizer = await model.tokenCounter();
  if (!tokenizer) return undefined;
  return { name: "model", count: (text) => (text.length === 0 ? 0 : tokenizer.count(text)), framing: tokenizer.framing };
}

const encoders = new Map<TiktokenEncoding, Promise<TokenCounter>>();

/** A js-tiktoken counter for an OpenAI model name (ranks are loaded once per encoding, on first use). */
export async function tiktokenCounter(modelName: string): Promise<TokenCounter> {
  const encoding = encodingForModel(modelName);
  let counter = encoders.get(encoding);
  if (!counter) {
    counter = loadEncoder(encoding);
    encoders.set(encoding, counter);
  }
  return counter;
}

async function loadEncoder(encoding: TiktokenEncoding): Promise<TokenCounter> {
  const { Tiktoken } = await import("js-tiktoken/lite");
  const ranks = encoding === "cl100k_base" ? (await import("js-tiktoken/ranks/cl100k_base")).default : (await import("js-tiktoken/ranks/o200k_base")).default;
  const tokenizer = new Tiktoken(ranks);
  // Special-token text in a message is counted as plain text instead of throwing.
  return { name: `tiktoken:${encoding}`, count: (text) => (text.length === 0 ? 0 : tokenizer.encode(text, [], []).length) };
}

/** GPT-4, GPT-3.5 and their embeddings use cl100k_base; everything newer (4o, 4.1, 5, o-series) o200k_base. */
export function encodingForModel(modelName: string): "cl100k_base" | "o200k_base" {
  const name = modelName.toLowerCase();
  const older = /^(gpt-4(?!o|\.)|gpt-3\.5|gpt-35|text-embedding-(ada|3))/.test(name);
  return older ? "cl100k_base" : "o200k_base";
}
