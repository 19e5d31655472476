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
 * typing). Cards already there when the session opens are announced once too.
 */
export function useAnnouncement(state: ThreadState): string {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const announced = useRef(new Set<string>());
  useEffect(() => {
    const fresh = state.interrupts.filter((interrupt) => interrupt.kind !== "question" && !announced.current.has(interrupt.id));
    for (const interrupt of fresh) announced.current.add(interrupt.id);
    const name = fresh.at(-1)?.name;
    if (fresh.length > 0) setText(t("approval.announce", { name: name ?? t("approval.unnamedTool") }));
  }, [state.interrupts, t]);
  return text;
}
