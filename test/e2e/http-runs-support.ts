/** One parsed Server-Sent Event. */
export interface SseMessage {
  event: string;
  id?: string;
  data: unknown;
}

/** A raw SSE client for tests: records every event and comment, waits with timeouts, closes on demand. */
export class SseClient implements AsyncDisposable {
  readonly events: SseMessage[] = [];
  comments = 0;
  ended = false;
  private buffer = "";
  private waiters: (() => void)[] = [];
  private readonly done: Promise<void>;

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.done = this.pump().finally(() => {
      this.ended = true;
      this.wake();
    });
  }

  /** Open a stream; a non-SSE answer is returned as `{status, body}` instead. */
  static async open(url: string, init: RequestInit = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { ...init, signal: controller.signal });
    return new SseClient(response, controller);
  }

  /** The response status. */
  get status(): number {
    return this.response.status;
  }

  /** Wait for an event matching `predicate` (already received or future). */
  async next(predicate: (message: SseMessage) => boolean, timeoutMs = 30_000): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without a matching event; got ${this.events.map((event) => event.event).join(",")}`);
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.events.map((event) => event.event).join(",")}`);
      await this.changed(deadline - Date.now());
    }
  }

  /** Wait until at least `count` comment lines arrived. */
  async waitForComments(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.comments < count) {
      if (this.ended || Date.now() > deadline) throw new Error(`only ${this.comments} comments`);
      await this.changed(deadline - Date.now());
    }
  }

  /** Wait until the server ends the stream; returns every event. */
  async untilEnd(timeoutMs = 60_000): Promise<SseMessage[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stream still open; got ${this.events.map((event) => event.event).join(",")}`)), timeoutMs);
    });
    try {
      await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.events;
  }

  /** Drop the connection (as a client that goes away). */
  close(): void {
    this.controller.abort();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.done.catch(() => undefined);
  }

  private async pump(): Promise<void> {
    if (!this.response.body) return;
    const decoder = new TextDecoder();
    const reader = this.response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        this.drain();
      }
    } catch {
      // Aborted by close(): the events so far stay readable.
    }
  }

  private drain(): void {
    let boundary = this.buffer.indexOf("\n\n");
    while (boundary >= 0) {
      const block = this.buffer.slice(0, boundary);
      this.buffer = this.buffer.slice(boundary + 2);
      this.parse(block);
      boundary = this.buffer.indexOf("\n\n");
    }
    this.wake();
  }

  private parse(block: string): void {
    const message: { event?: string; id?: string; data: string[] } = { data: [] };
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments += 1;
      else if (line.startsWith("event: ")) message.event = line.slice(7);
      else if (line.startsWith("id: ")) message.id = line.slice(4);
      else if (line.startsWith("data: ")) message.data.push(line.slice(6));
    }
    if (message.event) this.events.push({ event: message.event, id: message.id, data: JSON.parse(message.data.join("\n")) as unknown });
  }

  private changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(timeoutMs, 1));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A JSON request as the tests write them. */
export interface JsonRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** JSON over fetch for tests: status, parsed body (undefined when empty) and headers. */
export async function requestJson<T = Record<string, unknown>>(baseUrl: string, request: JsonRequest): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: { ...(request.body === undefined ? {} : { "Content-Type": "application/json" }), ...request.headers },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text.trim() ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** A run body with one user message. */
export function userInput(text: string): { messages: { role: string; content: string }[] } {
  return { messages: [{ role: "user", content: text }] };
}
