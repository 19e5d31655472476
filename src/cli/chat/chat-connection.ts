import WebSocket from "ws";
import type { EventFrame, ServerFrame } from "../../ws/protocol.js";
import { ChatExit, EXIT } from "./exit-codes.js";

/** A command the server answered with an error frame. */
export class CommandFailed extends Error {
  override name = "CommandFailed";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether the server lacks a method (features that arrive with later server versions). */
export function isMethodNotFound(error: unknown): boolean {
  return error instanceof CommandFailed && error.code === "method_not_found";
}

const CALL_TIMEOUT_MS = 30_000;

/** The terminal's WebSocket: numbered commands with promised answers, and pushed events to one listener. */
export class ChatConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private eventListener: (frame: EventFrame) => void = () => undefined;
  private closeListener: (code: number) => void = () => undefined;
  private closing = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => this.handleFrame(data.toString("utf8")));
    socket.on("close", (code: number) => {
      for (const call of this.pending.values()) {
        clearTimeout(call.timer);
        call.reject(new ChatExit(EXIT.connection, lostConnectionText(code)));
      }
      this.pending.clear();
      if (!this.closing) this.closeListener(code);
    });
  }

  /** Connect and authenticate; a refused key or an unreachable server become ChatExit(connection). */
  static connect(url: string, apiKey: string | undefined): Promise<ChatConnection> {
    const socket = new WebSocket(url, { headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new ChatConnection(socket)));
      socket.once("unexpected-response", (_request, response) => {
        const reason = response.statusCode === 401 ? "the server refused the API key (--api-key or THREADLINE_API_KEY)" : `HTTP ${response.statusCode}`;
        socket.terminate();
        reject(new ChatExit(EXIT.connection, `cannot connect to ${url}: ${reason}`));
      });
      socket.once("error", (error) => reject(new ChatExit(EXIT.connection, `cannot connect to ${url}: ${error.message}`)));
    });
  }

  /** Send a command and wait for its answer; error frames reject with CommandFailed. */
  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandFailed("timeout", `${method} got no answer`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Receive every pushed event. */
  onEvent(listener: (frame: EventFrame) => void): void {
    this.eventListener = listener;
  }

  /** Called when the server closes the socket (not when we do), with the close code. */
  onClose(listener: (code: number) => void): void {
    this.closeListener = listener;
  }

  /** Close the socket. */
  close(): void {
    this.closing = true;
    this.socket.close(1000, "bye");
  }

  private handleFrame(text: string): void {
    const frame = JSON.parse(text) as ServerFrame;
    if (frame.type === "event") {
      this.eventListener(frame);
      return;
    }
    // The user's thread changes are for session lists; the terminal client follows one session.
    if (frame.type === "notice") return;
    if (typeof frame.id !== "number") return;
    const call = this.pending.get(frame.id);
    if (!call) return;
    this.pending.delete(frame.id);
    clearTimeout(call.timer);
    if (frame.type === "result") call.resolve(frame.result);
    else call.reject(new CommandFailed(frame.code, frame.message));
  }
}

/**
 * Why the connection ended, for the terminal: 1009 is the server refusing a frame past its hard limit (a message
 * far too long, which it does not read), not a network failure.
 */
export function lostConnectionText(code: number): string {
  return code === 1009 ? "the message is too large to send: the server closed the connection (shorten it and try again)" : "connection to the server lost";
}
