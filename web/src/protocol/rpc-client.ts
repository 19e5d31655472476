import type { EventFrame, NoticeFrame, ServerFrame } from "./protocol-types.js";
import { RpcError } from "./rpc-error.js";

/** Where the socket is; `reconnecting` is shown to the user as an indicator. */
export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "closed" | "unauthorized";

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** The frame's length: on a close for a frame too large, the largest pending one is the one refused. */
  length: number;
}

/** Options of the client. */
export interface RpcClientOptions {
  /** `ws(s)://host/ws`, with `?token=` already appended when signed in. */
  url: string;
  /** How long a command may wait for its answer. @default 15000 */
  callTimeoutMs?: number;
  /** Longest pause between reconnect attempts. @default 8000 */
  maxBackoffMs?: number;
}

/**
 * One WebSocket, many threads: numbered commands with promised answers, pushed events to listeners, and
 * reconnection with backoff. Subscriptions are the callers' business: `onOpen` fires after every
 * (re)connect so each open thread can resubscribe from its last seen seq.
 */
export class RpcClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new Map<number, PendingCall>();
  private readonly waitingForOpen: (() => void)[] = [];
  private readonly eventListeners = new Set<(frame: EventFrame) => void>();
  private readonly noticeListeners = new Set<(frame: NoticeFrame) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly openListeners = new Set<() => void>();
  private currentStatus: ConnectionStatus = "connecting";
  private readonly options: Required<RpcClientOptions>;

  constructor(options: RpcClientOptions) {
    this.options = { callTimeoutMs: 15_000, maxBackoffMs: 8_000, ...options };
  }

  /** The connection's current status. */
  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Open the socket (and keep reopening it until `close`). */
  start(): void {
    this.stopped = false;
    this.connect();
    // The browser knows before our backoff does that the network came back, or went away.
    window.addEventListener("online", this.reconnectNow);
    window.addEventListener("offline", this.dropForOffline);
  }

  /** Close for good (sign-out). */
  close(): void {
    this.stopped = true;
    this.stopListeningToNetwork();
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, "client closed");
    this.failPending("disconnected", "connection closed");
    this.setStatus("closed");
  }

  /** Send a command; waits for the connection if it is being (re)established. */
  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.currentStatus !== "open") await this.whenOpen();
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new RpcError("disconnected", "not connected");
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError("timeout", `${method} got no answer`));
      }, this.options.callTimeoutMs);
      const frame = JSON.stringify({ id, method, params });
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, length: frame.length });
      socket.send(frame);
    });
  }

  /** Listen to every pushed event; returns the unsubscribe function. */
  onEvent(listener: (frame: EventFrame) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Listen to notices about the user's threads (the session list's changes); returns the unsubscribe function. */
  onNotice(listener: (frame: NoticeFrame) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Listen to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called after every successful (re)connect. */
  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  private readonly reconnectNow = (): void => {
    if (this.stopped || this.currentStatus === "open") return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  };

  /**
   * The device went offline: a socket whose network is gone can stay "open" for minutes (no FIN ever comes), with
   * calls waiting on it and nothing on screen. Drop it now — the user sees "reconnecting", calls fail as disconnected
   * (a message's send is retried, under its client_message_id, once a socket opens) — and keep trying; `online`
   * reconnects at once.
   */
  private readonly dropForOffline = (): void => {
    const socket = this.socket;
    if (this.stopped || !socket) return;
    this.socket = undefined;
    socket.close(4000, "offline");
    this.failPending("disconnected", "the network is offline");
    this.setStatus("reconnecting");
    this.scheduleReconnect();
  };

  private stopListeningToNetwork(): void {
    window.removeEventListener("online", this.reconnectNow);
    window.removeEventListener("offline", this.dropForOffline);
  }

  private connect(): void {
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.setStatus("open");
      for (const resume of this.waitingForOpen.splice(0)) resume();
      for (const listener of this.openListeners) listener();
    });
    socket.addEventListener("message", (message: MessageEvent<string>) => {
      if (socket === this.socket) this.handleFrame(message.data);
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (socket !== this.socket) return;
      // 1009: a frame we sent was over the server's hard limit (it closes rather than reading it). Sending it again
      // after reconnecting would close the socket again: its call fails as too large, not as a lost connection.
      if (event.code === 1009) this.failLargest("payload_too_large", "the message is too large to send");
      this.failPending("disconnected", "connection lost");
      if (this.stopped) return;
      // 1008: the server refused our key or token (revoked, expired): reconnecting with it would be refused forever.
      if (event.code === 1008) {
        this.stopped = true;
        this.stopListeningToNetwork();
        this.setStatus("unauthorized");
        return;
      }
      this.setStatus("reconnecting");
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at the same instant.
    const base = Math.min(this.options.maxBackoffMs, 250 * 2 ** this.attempt);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
  }

  private handleFrame(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === "event") {
      for (const listener of this.eventListeners) listener(frame);
      return;
    }
    if (frame.type === "notice") {
      for (const listener of this.noticeListeners) listener(frame);
      return;
    }
    if (typeof frame.id !== "number") return;
    const call = this.pending.get(frame.id);
    if (!call) return;
    this.pending.delete(frame.id);
    clearTimeout(call.timer);
    if (frame.type === "result") call.resolve(frame.result);
    else call.reject(new RpcError(frame.code, frame.message, frame.details));
  }

  private whenOpen(): Promise<void> {
    if (this.stopped) return Promise.reject(new RpcError("disconnected", "connection closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RpcError("disconnected", "still not connected")), this.options.callTimeoutMs);
      this.waitingForOpen.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private failLargest(code: string, message: string): void {
    let largest: [number, PendingCall] | undefined;
    for (const entry of this.pending) if (!largest || entry[1].length > largest[1].length) largest = entry;
    if (!largest) return;
    this.pending.delete(largest[0]);
    clearTimeout(largest[1].timer);
    largest[1].reject(new RpcError(code, message));
  }

  private failPending(code: string, message: string): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(new RpcError(code, message));
    }
    this.pending.clear();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
