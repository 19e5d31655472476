import WebSocket from "ws";

/** A server frame as the tests see it. */
export interface Frame {
  type: "result" | "error" | "event" | "notice";
  id?: string | number | null;
  result?: unknown;
  code?: string;
  message?: string;
  details?: unknown;
  thread_id?: string;
  run_id?: string | null;
  seq?: number;
  event?: string;
  data?: Record<string, unknown>;
  created_at?: string;
  /** A notice frame's kind (`thread.created`, `thread.updated`, `thread.deleted`, `thread.status`). */
  notice?: string;
  /** A notice frame's session (null once deleted). */
  thread?: Record<string, unknown> | null;
  /** A `thread.status` notice's status, activity time and whether a human is awaited. */
  status?: string;
  last_activity_at?: string;
  awaiting_human?: boolean;
}

/** Raised by `call` when the server answers an error frame. */
export class CommandError extends Error {
  constructor(readonly frame: Frame) {
    super(`${frame.code}: ${frame.message}`);
  }

  /** The error code. */
  get code(): string | undefined {
    return this.frame.code;
  }
}

/** A protocol client for tests: numbered commands, recorded frames, waits with timeouts. */
export class TestWsClient implements AsyncDisposable {
  readonly frames: Frame[] = [];
  private nextId = 1;
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  closeInfo: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    socket.on("close", (code, reason) => (this.closeInfo = { code, reason: reason.toString() }));
  }

  /** Connect (optionally with a bearer token header or `?token=`). */
  static async connect(url: string, options: { token?: string; tokenInQuery?: boolean } = {}): Promise<TestWsClient> {
    const target = options.token && options.tokenInQuery ? `${url}?token=${encodeURIComponent(options.token)}` : url;
    const headers = options.token && !options.tokenInQuery ? { Authorization: `Bearer ${options.token}` } : undefined;
    const socket = new WebSocket(target, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
    return new TestWsClient(socket);
  }

  /** Send a raw text frame. */
  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Send a command and wait for its answer; error frames throw CommandError. */
  async call<T = Record<string, unknown>>(method: string, params?: unknown, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    const answer = this.waitFor((frame) => frame.id === id && frame.type !== "event", timeoutMs);
    this.socket.send(JSON.stringify({ id, method, params }));
    const frame = await answer;
    if (frame.type === "error") throw new CommandError(frame);
    return frame.result as T;
  }

  /** Send a command and return its error frame (fails if it succeeds). */
  async callError(method: string, params?: unknown): Promise<Frame> {
    try {
      await this.call(method, params);
    } catch (error) {
      if (error instanceof CommandError) return error.frame;
      throw error;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  }

  /** The first recorded or future frame matching `predicate`. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const existing = this.frames.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a frame (${timeoutMs} ms)`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** Wait for an event of a thread (and optionally run). */
  waitForEvent(event: string, filter: { thread_id?: string; run_id?: string } = {}, timeoutMs = 10_000): Promise<Frame> {
    return this.waitFor(
      (frame) =>
        frame.type === "event" &&
        frame.event === event &&
        (!filter.thread_id || frame.thread_id === filter.thread_id) &&
        (!filter.run_id || frame.run_id === filter.run_id),
      timeoutMs,
    );
  }

  /** Wait for a notice about one of the user's threads. */
  waitForNotice(notice: string, threadId: string, timeoutMs = 10_000): Promise<Frame> {
    return this.waitFor((frame) => frame.type === "notice" && frame.notice === notice && frame.thread_id === threadId, timeoutMs);
  }

  /** Recorded notices, optionally about one thread. */
  notices(threadId?: string): Frame[] {
    return this.frames.filter((frame) => frame.type === "notice" && (!threadId || frame.thread_id === threadId));
  }

  /** Recorded events, optionally of one thread. */
  events(threadId?: string): Frame[] {
    return this.frames.filter((frame) => frame.type === "event" && (!threadId || frame.thread_id === threadId));
  }

  /** Wait until the socket is closed. */
  async closed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closeInfo) return this.closeInfo;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
      this.socket.once("close", (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** Close the socket. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = this.closed().catch(() => undefined);
    this.socket.close();
    await closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Start a run and wait until it completes or fails; returns the final event. */
export async function chat(client: TestWsClient, threadId: string, content: string): Promise<{ runId: string; final: Frame }> {
  const { run_id } = await client.call<{ run_id: string }>("run.start", { thread_id: threadId, input: { messages: [{ role: "user", content }] } });
  const final = await client.waitFor(
    (frame) => frame.type === "event" && frame.run_id === run_id && (frame.event === "run.completed" || frame.event === "run.failed"),
  );
  return { runId: run_id, final };
}
