import type { Response } from "express";

/** One Server-Sent Event as it goes on the wire. */
export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
}

/** How an SSE response behaves. */
export interface SseWriterOptions {
  /** Interval of `: heartbeat` comment lines, which keep proxies open and feed the SDK's idle detection. */
  keepAliveMs: number;
  /** A client whose unsent backlog grows past this is dropped; it reconnects with `Last-Event-ID`. */
  maxBufferedBytes: number;
  /** Extra response headers (`Location`, `Content-Location`). */
  headers?: Record<string, string>;
}

/**
 * A text/event-stream response. Written by hand rather than with an SSE package: the framing is three field
 * lines (`event:`, `id:`, `data:`), package.json is not this module's to change, and the SSE helpers we know
 * either target other frameworks (hono/streaming) or bring their own session and retry model.
 * JSON.stringify escapes every line break, so each event carries exactly one `data:` line.
 */
export class SseWriter {
  private readonly keepAlive: NodeJS.Timeout;
  private readonly closeListeners = new Set<() => void>();
  private isClosed = false;
  private isEnded = false;

  constructor(
    private readonly response: Response,
    private readonly options: SseWriterOptions,
  ) {
    response.status(200);
    response.set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
      ...options.headers,
    });
    response.flushHeaders();
    this.keepAlive = setInterval(() => this.comment("heartbeat"), options.keepAliveMs);
    this.keepAlive.unref();
    response.on("close", () => this.markClosed());
  }

  /** Whether nothing more can be written (ended by us, or the client went away). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether the client went away before the stream was ended on purpose. */
  get disconnected(): boolean {
    return this.isClosed && !this.isEnded;
  }

  /** Write one event. */
  send(event: SseEvent): void {
    const id = event.id === undefined ? "" : `id: ${event.id}\n`;
    this.write(`event: ${event.event}\n${id}data: ${JSON.stringify(event.data ?? null)}\n\n`);
  }

  /** Write a comment line (ignored by parsers, proof of life for proxies and idle detectors). */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /** End the stream on purpose. */
  end(): void {
    if (this.isClosed) return;
    this.isEnded = true;
    this.response.end();
    this.markClosed();
  }

  /** Be told once when the stream closes, whichever side closed it. */
  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.add(listener);
  }

  private write(chunk: string): void {
    if (this.isClosed) return;
    if (this.response.writableLength > this.options.maxBufferedBytes) {
      // A reader this slow would make us buffer without limit; it can resume from its last event id.
      this.response.destroy();
      this.markClosed();
      return;
    }
    this.response.write(chunk);
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.keepAlive);
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) listener();
  }
}
