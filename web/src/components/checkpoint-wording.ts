import type { PlainKey, Translator } from "../i18n/translator.js";
import type { CheckpointMessage } from "../state/checkpoint-state.js";
import type { CheckpointSummary } from "../state/checkpoint-summary.js";

const ROLE_KEYS: Record<string, PlainKey> = {
  user: "timeline.roleUser",
  assistant: "timeline.roleAssistant",
  tool: "timeline.roleTool",
  system: "timeline.roleSystem",
};

/** A message role in the page's language; a role the page does not know is shown as the server wrote it. */
export function roleName(role: string, { t }: Translator, toolName?: string): string {
  if (role === "tool" && toolName) return t("timeline.roleToolNamed", { name: toolName });
  const key = ROLE_KEYS[role];
  return key ? t(key) : role;
}

/**
 * A timeline row's one-line summary: "assistant: You said: hi", "assistant: calls calculator" ("助手：调用
 * calculator"); undefined when the checkpoint has no messages.
 */
export function checkpointLine(item: CheckpointSummary, i18n: Translator): string | undefined {
  const { lastMessage } = item;
  if (!lastMessage) return item.summary;
  const calls = lastMessage.toolNames.length > 0 ? i18n.t("timeline.calls", { tools: lastMessage.toolNames.join(", ") }) : "";
  const line = [lastMessage.text, calls].filter(Boolean).join(" · ");
  if (lastMessage.role === undefined) return line;
  return i18n.t("common.colon", { label: roleName(lastMessage.role, i18n), text: line || i18n.t("timeline.noText") });
}

/** A message of a checkpoint's state: its text, or for a text-less assistant message the calls it makes. */
export function stateMessageText(message: CheckpointMessage, { t }: Translator): string {
  return message.text || (message.calls ? t("timeline.calls", { tools: message.calls }) : "");
}
