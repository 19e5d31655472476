import type { ConnectionStatus } from "../protocol/rpc-client.js";

/** Tells the user when live updates are paused; nothing is shown while connected. */
export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  if (status === "open") return null;
  const text =
    status === "closed" ? "Disconnected." : status === "unauthorized" ? "Signed out: sign in again." : status === "connecting" ? "Connecting…" : "Connection lost — reconnecting…";
  return (
    <div class={`connection-banner connection-${status}`} role="status" aria-live="polite" data-testid="connection-status">
      <span class="spinner" aria-hidden="true" />
      {text}
    </div>
  );
}
