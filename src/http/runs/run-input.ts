import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import type { SubmitRunRequest } from "../../runs/run-requests.js";

const MAX_CONTENT_CHARS = 100_000;
const MAX_INPUT_MESSAGES = 20;

const textPart = z.union([z.string(), z.object({ type: z.literal("text"), text: z.string() })]);

/** One input message as LangGraph clients send it: `{role}` (OpenAI style) or `{type}` (LangChain dict). */
const inputMessage = z.object({
  role: z.string().optional(),
  type: z.string().optional(),
  content: z.union([z.string(), z.array(textPart).max(100)]),
  id: z.string().trim().min(1).max(200).optional(),
  name: z.string().max(200).optional(),
});

/** A run's `input`: the graph's input state. Threadline graphs take new user messages. */
export const runInputSchema = z.object({ messages: z.array(inputMessage).max(MAX_INPUT_MESSAGES).optional() }).nullable();

const USER_KINDS = new Set(["user", "human"]);

/**
 * Normalise LangGraph-style input to what the run core stores: user messages with string content. `human`
 * and `user` both mean the user; content arrays of text parts are joined; a `name` and an `id` are kept (LangGraph
 * clients key their messages by the id they gave). Anything else among the
 * messages (assistant or tool messages, images) is refused rather than silently dropped. Other keys are the graph's
 * own state (`values`, checked against the graph at submission: `checkGraphInput`). `{}` stays an input (empty
 * `values`): the graph runs from START, where null continues from the latest checkpoint.
 */
export function normaliseRunInput(raw: unknown): SubmitRunRequest["input"] {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new AppError("invalid_request", "input must be an object like {messages: [{role: \"user\", content}]} or null");
  const { messages: given, ...values } = raw as Record<string, unknown>;
  // An empty list is no message at all: a run given it would continue the graph or do nothing, never what was meant.
  if (Array.isArray(given) && given.length === 0) throw new AppError("invalid_request", `input.messages must hold 1 to ${MAX_INPUT_MESSAGES} user messages (leave it out, or send input null, to give none)`);
  const parsed = runInputSchema.parse({ messages: given });
  const messages = (parsed?.messages ?? []).map((message, index) => {
    const kind = message.role ?? message.type;
    if (!kind || !USER_KINDS.has(kind)) {
      throw new AppError("invalid_request", `input.messages[${index}] must be a user message (role "user" or type "human")`);
    }
    const content = typeof message.content === "string" ? message.content : message.content.map((part) => (typeof part === "string" ? part : part.text)).join("");
    if (content.length === 0 || content.length > MAX_CONTENT_CHARS) {
      throw new AppError("invalid_request", `input.messages[${index}].content must have 1 to ${MAX_CONTENT_CHARS} characters`);
    }
    // A speaker's name is kept as written (the transcript, the state); provider calls send it in a form they accept.
    const name = message.name?.trim();
    return { role: "user" as const, content, ...(name ? { name } : {}), ...(message.id !== undefined ? { id: message.id } : {}) };
  });
  const ids = messages.flatMap((message) => (message.id !== undefined ? [message.id] : []));
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new AppError("invalid_request", `input.messages give the id ${repeated} to more than one message`);
  const stateValues = Object.keys(values).length > 0 ? values : undefined;
  // `{}` is input, not "continue" (that is null): LangGraph starts the graph from START with it, as Platform does.
  if (messages.length === 0 && !stateValues) return { messages, values: {} };
  return { messages, ...(stateValues ? { values: stateValues } : {}) };
}
