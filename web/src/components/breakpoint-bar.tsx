import { useState } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";

/**
 * A reply paused at a static breakpoint (`interrupt_before` / `interrupt_after`, set by an API client): which
 * nodes it stopped before, and a button that continues it (a run without input). Nothing else on the page would:
 * a message sent instead starts a new turn and closes the paused reply's calls.
 */
export function BreakpointBar(props: { nodes: string[]; onContinue: () => Promise<boolean> }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  // Stays disabled once sent: the bar goes when the run starts (`run.started` clears the pause), and a second
  // click before that would queue a second run.
  const proceed = async () => {
    setBusy(true);
    if (!(await props.onContinue())) setBusy(false);
  };
  return (
    <section class="breakpoint-bar" aria-label={t("breakpoint.region")}>
      <span>{t("breakpoint.paused", { nodes: props.nodes.join(", ") })}</span>
      <button type="button" class="button button-primary" disabled={busy} onClick={() => void proceed()}>
        {t("breakpoint.continue")}
      </button>
    </section>
  );
}
