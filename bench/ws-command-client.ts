import type WebSocket from "ws";

/** A server frame, as far as the benchmarks read it. */
export interface CommandClientFrame {
  type: string;
  id?: number;
  result?: Record<string, unknown>;
  message?: string;
  notice?: string;
  run_id?: string | null;
  event?: string;
  data?: Record<string, unknown>;
}

/** Threadline's WebSocket protocol for a benchmark: `{id, method, params}` commands and every frame to listeners. */
export class WsCommandClient {
  private nextId = 1;
  private readonly pending = new Map<number, (frame: CommandClientFrame) => void>();
  private readonly listeners = new Set<(frame: CommandClientFrame) => void>();

  /** `hooks.sent`: told of each command just before it goes out (a benchmark's marks). */
  constructor(
    private readonly socket: WebSocket,
    private readonly hooks: { sent?: (method: string) => void } = {},
  ) {
    socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString("utf8")) as CommandClientFrame;
      if (frame.type !== "event" && typeof frame.id === "number") this.pending.get(frame.id)?.(frame);
      for (const listener of this.listeners) listener(frame);
    });
  }

  /** Send a command; resolves with its result, rejects with an error frame's message. */
  call(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (frame) => {
        this.pending.delete(id);
        if (frame.type === "error") reject(new Error(`${method}: ${frame.message ?? "error"}`));
        else resolve(frame.result ?? {});
      });
      this.hooks.sent?.(method);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Hear every frame (results and errors too); returns the way to stop. */
  listen(listener: (frame: CommandClientFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
