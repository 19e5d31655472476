import { useI18n } from "../i18n/i18n-context.js";
import type { PlainKey } from "../i18n/translator.js";
import type { ConnectionStatus } from "../protocol/rpc-client.js";

const TEXT: Record<Exclude<ConnectionStatus, "open">, PlainKey> = {
  closed: "connection.closed",
  unauthorized: "connection.unauthorized",
  connecting: "connection.connecting",
  reconnecting: "connection.reconnecting",
};

/** Tells the user when live updates are paused; nothing is shown while connected. */
export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const { t } = useI18n();
  if (status === "open") return null;
  const text = t(TEXT[status]);
  return (
    <div class={`connection-banner connection-${status}`} role="status" aria-live="polite" data-testid="connection-status">
      <span class="spinner" aria-hidden="true" />
      {text}
    </div>
  );
}
