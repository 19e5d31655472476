import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";

/**
 * A speaker's name as a model message's `name`, in the only form OpenAI accepts (`^[A-Za-z0-9_-]{1,64}$`): accents
 * dropped, anything else between words made `_` — "Caroline Smith" → "Caroline_Smith", "José O'Brien" →
 * "Jose_O_Brien". Undefined for a name written in letters beyond ASCII (张伟, Мария), which has no such form. The
 * transcript keeps the name as written.
 */
export function modelSafeName(name: string | undefined): string | undefined {
  const plain = name?.trim().normalize("NFKD").replace(/\p{M}+/gu, "");
  if (!plain || /\p{L}/u.test(plain.replace(/[A-Za-z]/g, ""))) return undefined;
  const safe = plain.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 64);
  return /[A-Za-z0-9]/.test(safe) ? safe : undefined;
}

/**
 * A user's message for the model: the speaker as `name` where it has a form OpenAI accepts, else in front of the
 * words (`张伟: …`), so who said what is not lost (several people may speak as users in an imported conversation).
 */
function userSpeaker(name: string | undefined, content: string): { name?: string; content: string } {
  const safe = modelSafeName(name);
  if (safe !== undefined) return { name: safe, content };
  const written = name?.trim();
  return written ? { content: `${written}: ${content}` } : { content };
}

/**
 * The messages as a provider call sends them: a `name` OpenAI would refuse (`400 Invalid 'messages[0].name'` on every
 * turn) takes its accepted form, or — a user's written in letters beyond ASCII — goes in front of the words, an
 * assistant's is left out. The one place names are made safe: the state keeps them as written (imported speakers,
 * a run input's `name`, a state edit's). The same array when no name needs a change.
 */
export function withProviderSafeNames(messages: BaseMessage[]): BaseMessage[] {
  if (!messages.some((message) => typeof message.name === "string" && modelSafeName(message.name) !== message.name)) return messages;
  return messages.map((message) => {
    if (typeof message.name !== "string" || modelSafeName(message.name) === message.name) return message;
    const kept = { id: message.id, additional_kwargs: message.additional_kwargs, response_metadata: message.response_metadata };
    if (HumanMessage.isInstance(message) && typeof message.content === "string") return new HumanMessage({ ...kept, ...userSpeaker(message.name, message.content) });
    if (AIMessage.isInstance(message)) {
      const { content, tool_calls, invalid_tool_calls, usage_metadata } = message;
      return new AIMessage({ ...kept, content, tool_calls, invalid_tool_calls, usage_metadata, name: modelSafeName(message.name) });
    }
    return message;
  });
}
