// `state.get {checkpoint_id}` answers LangGraph Platform's thread state: `values.messages` serialised as
// `{type, content, tool_calls?, name?}`. The timeline shows it as a readable list rather than raw JSON.

/** One message of a checkpoint's state, as the timeline lists it (worded by the panel). */
export interface CheckpointMessage {
  /** `user`, `assistant`, `tool`, `system`, or the message's own type when it is none of those. */
  role: string;
  /** A tool message's tool. */
  toolName?: string;
  text: string;
  /** What a text-less assistant message calls: `send_email({"to":"ada@example.com"})`. */
  calls?: string;
}

/** The running summary of what was folded out of the working messages (long threads). */
export interface CheckpointSummaryText {
  text: string;
  /** How many messages it stands for. */
  messageCount: number;
}

/** A checkpoint's state as the timeline shows it: its running summary, its messages and the nodes that would run next. */
export interface CheckpointState {
  summary?: CheckpointSummaryText;
  messages: CheckpointMessage[];
  next: string[];
}

const ROLE_BY_TYPE: Record<string, string> = { human: "user", ai: "assistant", tool: "tool", system: "system" };

/** Read the summary, the messages and `next` out of a `state.get` answer; unknown shapes give an empty list. */
export function toCheckpointState(answer: unknown): CheckpointState {
  const state = asObject(answer);
  const values = asObject(state?.values);
  const raw = Array.isArray(values?.messages) ? (values.messages as unknown[]) : [];
  const messages = raw.map(asObject).filter((message) => message !== undefined).map(toCheckpointMessage);
  const next = Array.isArray(state?.next) ? state.next.filter((node): node is string => typeof node === "string") : [];
  const summary = asObject(values?.summary);
  if (typeof summary?.text !== "string" || summary.text.length === 0) return { messages, next };
  return { summary: { text: summary.text, messageCount: typeof summary.message_count === "number" ? summary.message_count : 0 }, messages, next };
}

function toCheckpointMessage(message: Record<string, unknown>): CheckpointMessage {
  const type = typeof message.type === "string" ? message.type : "message";
  const role = ROLE_BY_TYPE[type] ?? type;
  const content = typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? "");
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]).map(asObject) : [];
  // An assistant message that only calls tools has no text: name the calls instead.
  const callText = calls.map((call) => `${typeof call?.name === "string" ? call.name : "tool"}(${JSON.stringify(call?.args ?? {})})`).join(", ");
  return {
    role,
    ...(role === "tool" && typeof message.name === "string" ? { toolName: message.name } : {}),
    text: content,
    ...(!content && callText ? { calls: callText } : {}),
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
