import type { Server } from "node:net";
import type { Response } from "express";

/**
 * Whether the client of `response` left on its own, rather than being cut off by this server shutting down.
 * `on_disconnect: "cancel"` must not cancel runs a restart interrupts: those resume on the next instance, and
 * their clients reconnect with `Last-Event-ID`. Shutdown stops listening before it closes open connections,
 * so a connection that drops while the server no longer listens was closed by the shutdown.
 */
export function clientLeftOnItsOwn(response: Response): boolean {
  const server = (response.req.socket as { server?: Server }).server;
  return server?.listening ?? true;
}
