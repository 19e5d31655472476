import { LlamaChat } from "node-llama-cpp";

/** When the next call into node-llama-cpp's `generateResponse` began, and when its first and last text came. */
export interface LlamaCallTimes {
  calledAt?: number;
  firstTextAt?: number;
  lastTextAt?: number;
}

type GenerateResponse = LlamaChat["generateResponse"];

/**
 * Time the calls into node-llama-cpp made while watching (the Threadline side's, inside its run): what Threadline
 * adds to the first token is then measured directly — before the model is called, and after its first text —
 * instead of as the difference of two medians that each carry the model's own run-to-run spread.
 */
export function watchLlamaCalls(): { times: LlamaCallTimes; stop(): void } {
  // Kept unbound on purpose: it is called with each instance as `this`, and put back on the prototype in `stop`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original: GenerateResponse = LlamaChat.prototype.generateResponse;
  const times: LlamaCallTimes = {};
  const watched = function (this: LlamaChat, history: Parameters<GenerateResponse>[0], options: Parameters<GenerateResponse>[1] = {}) {
    times.calledAt ??= performance.now();
    const onTextChunk = options.onTextChunk;
    return original.call(this, history, {
      ...options,
      onTextChunk: (text: string) => {
        const now = performance.now();
        times.firstTextAt ??= now;
        times.lastTextAt = now;
        onTextChunk?.(text);
      },
    });
  };
  LlamaChat.prototype.generateResponse = watched;
  return { times, stop: () => void (LlamaChat.prototype.generateResponse = original) };
}
