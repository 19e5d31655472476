import WebSocket from "ws";

/** A server frame, as far as the benchmark reads it. */
interface ServerFrame {
  type: "result" | "error" | "event";
  id?: string | number | null;
  result?: unknown;
  code?: string;
  message?: string;
  run_id?: string | null;
  event?: string;
  data?: Record<string, unknown>;
}

/** Raised when the server answers a command with an error frame. */
export class ProtocolError extends Error {
  constructor(readonly code: string | undefined, message: string | undefined) {
    super(`${code ?? "error"}: ${message ?? ""}`);
  }
}

/** A finished run as the client saw it: its terminal event and every message it completed. */
export interface FinishedRun {
  event: "run.completed" | "run.failed";
  data: Record<string, unknown>;
  messages: Record<string, unknown>[];
}

interface RunWaiter {
  messages: Record<string, unknown>[];
  finished?: FinishedRun;
  resolve?: (run: FinishedRun) => void;
}

/**
 * A lean client of Threadline's WebSocket protocol (`{id, method, params}` commands, pushed events). Unlike the
 * test client it keeps no frame log: a 10,000-turn thread would otherwise hold every frame in memory.
 */
export class ProtocolClient implements AsyncDisposable {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (frame: ServerFrame) => void }>();
  private readonly runs = new Map<string, RunWaiter>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => this.receive(JSON.parse(data.toString("utf8")) as ServerFrame));
  }

  /** Open a socket to `ws://…/ws`. */
  static async connect(url: string): Promise<ProtocolClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new ProtocolClient(socket);
  }

  /** Send a command and wait for its answer; an error frame throws ProtocolError. */
  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<ServerFrame>((resolve) => this.pending.set(id, { resolve }));
    this.socket.send(JSON.stringify({ id, method, params }));
    const frame = await answer;
    if (frame.type === "error") throw new ProtocolError(frame.code, frame.message);
    return frame.result as T;
  }

  /**
   * Wait for a run's terminal event. Events can arrive before `run.start`'s answer (the server subscribes the
   * socket first), so they are buffered per run id from the first event on.
   */
  waitForRun(runId: string): Promise<FinishedRun> {
    const waiter = this.waiterOf(runId);
    if (waiter.finished) {
      this.runs.delete(runId);
      return Promise.resolve(waiter.finished);
    }
    return new Promise((resolve) => {
      waiter.resolve = (run) => {
        this.runs.delete(runId);
        resolve(run);
      };
    });
  }

  /** Close the socket. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    this.socket.close();
    await closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private receive(frame: ServerFrame): void {
    if (frame.type !== "event") {
      const waiter = typeof frame.id === "number" ? this.pending.get(frame.id) : undefined;
      if (waiter && typeof frame.id === "number") {
        this.pending.delete(frame.id);
        waiter.resolve(frame);
      }
      return;
    }
    if (!frame.run_id) return;
    const waiter = this.waiterOf(frame.run_id);
    if (frame.event === "message.completed") {
      const message = frame.data?.message;
      if (message && typeof message === "object") waiter.messages.push(message as Record<string, unknown>);
    } else if (frame.event === "run.completed" || frame.event === "run.failed") {
      waiter.finished = { event: frame.event, data: frame.data ?? {}, messages: waiter.messages };
      waiter.resolve?.(waiter.finished);
    }
  }

  private waiterOf(runId: string): RunWaiter {
    let waiter = this.runs.get(runId);
    if (!waiter) {
      waiter = { messages: [] };
      this.runs.set(runId, waiter);
    }
    return waiter;
  }
}
