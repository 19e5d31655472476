import { BaseMessage } from "@langchain/core/messages";

/** A LangChain message as LangGraph Platform serialises it: `{ type, id, content, ... }`. */
export function serializeMessage(message: BaseMessage): Record<string, unknown> {
  const fields = message as unknown as Record<string, unknown>;
  const serialized: Record<string, unknown> = {
    type: message.getType(),
    id: message.id ?? null,
    content: message.content,
    name: message.name ?? null,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
  };
  for (const key of ["tool_calls", "invalid_tool_calls", "usage_metadata", "tool_call_id", "status"]) {
    if (fields[key] !== undefined) serialized[key] = fields[key];
  }
  return serialized;
}

/** Deep-convert graph values (messages anywhere inside) to plain JSON. */
export function serializeValues(value: unknown): unknown {
  if (BaseMessage.isInstance(value)) return serializeMessage(value);
  if (Array.isArray(value)) return value.map(serializeValues);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, serializeValues(inner)]));
  }
  return value;
}
