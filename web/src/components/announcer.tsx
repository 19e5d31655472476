import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import type { ThreadState } from "../state/thread-state.js";

/**
 * A visually hidden polite live region: screen readers say its text once when it changes, without focus moving
 * (someone typing keeps typing). Mounted from the start, empty, so the first announcement is heard too.
 */
export function Announcer({ text }: { text: string }) {
  return (
    <div class="visually-hidden announcer" role="status" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}

/**
 * What the chat announces: a tool call newly waiting for approval (its card does not take focus from someone
 * typing), and a reply once it is complete — the one that streamed here, not history loaded or pending bubbles,
 * so each is said once rather than token by token. Cards already there when the session opens are announced too.
 */
export function useAnnouncement(state: ThreadState): string {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const announced = useRef(new Set<string>());
  const streamed = useRef(new Set<string>());
  useEffect(() => {
    const fresh = state.interrupts.filter((interrupt) => interrupt.kind !== "question" && !announced.current.has(interrupt.id));
    for (const interrupt of fresh) announced.current.add(interrupt.id);
    const name = fresh.at(-1)?.name;
    if (fresh.length > 0) setText(t("approval.announce", { name: name ?? t("approval.unnamedTool") }));
  }, [state.interrupts, t]);
  useEffect(() => {
    // A reply streamed here is complete once it is a message of the transcript.
    for (const entry of state.streaming) streamed.current.add(entry.message_id);
    const done = state.messages.filter((message) => streamed.current.has(message.id) && !state.streaming.some((entry) => entry.message_id === message.id));
    for (const message of done) streamed.current.delete(message.id);
    const reply = done.filter((message) => message.role === "assistant" && message.content.trim()).at(-1);
    if (reply) setText(t("common.colon", { label: t("role.assistant"), text: reply.content }));
  }, [state.streaming, state.messages, t]);
  return text;
}
