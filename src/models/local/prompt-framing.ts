import type { ChatHistoryItem, ChatWrapper, LlamaModel } from "node-llama-cpp";
import type { PromptFraming } from "../../memory/token-counter.js";

/**
 * The tokens the model's own chat template adds around each message and to prime the reply, measured by rendering
 * tiny histories with it (ChatML's `<|im_start|>role\n … <|im_end|>\n` is 5 per message where OpenAI's formats take
 * 3–4), so context budgets count what the model really reads. One token of slack per message: a text tokenized on
 * its own can take one token fewer than inside the template, at its seams.
 */
export function measurePromptFraming(wrapper: ChatWrapper, model: LlamaModel): PromptFraming {
  const rendered = (history: ChatHistoryItem[]) => wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
  const text = (value: string) => model.tokenize(value).length;
  const systemOnly = rendered([{ type: "system", text: "Be brief." }, { type: "model", response: [] }]);
  const withUser = rendered([{ type: "system", text: "Be brief." }, { type: "user", text: "Hello there." }, { type: "model", response: [] }]);
  const message = Math.max(0, withUser - systemOnly - text("Hello there.")) + 1;
  const prompt = Math.max(0, systemOnly - text("Be brief.") - message + 1);
  return { message, prompt };
}
