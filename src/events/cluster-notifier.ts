import type pg from "pg";
import pgListen from "pg-listen";
import type { Logger } from "../logger.js";
import type { SessionStatus } from "../sessions/session.js";
import type { RemoteThreadChange, ThreadChangeKind } from "./thread-change-feed.js";

// pg-listen is CommonJS with `exports.default`: under NodeNext its default import is the module object.
const createPostgresSubscriber = pgListen.default;

/** The channel stored events are announced on (by `EventLog`, in the statement that stores them). */
export const EVENTS_CHANNEL = "threadline_events";
const RUNS_CHANNEL = "threadline_runs";
/**
 * The channel a thread's creation, update and deletion are announced on (by `SessionStore`, in the statement that
 * makes the change): `<instance> <thread> <kind> <user key>`, and for `status` (a run's start or end, by `RunStore`)
 * ` <status> <last activity, epoch ms>` after it. A bare `<instance> <thread>` (an older instance) is a deletion.
 */
export const THREADS_CHANNEL = "threadline_threads";

/** A control message between instances about runs. */
export type RunSignal = { type: "dispatch"; thread_id: string } | { type: "cancel"; run_id: string; action: "cancel" | "interrupt" | "rollback"; message?: string };

/** What the notifier tells this instance about others. */
export interface ClusterHandlers {
  onEvents(threadId: string, range: { fromSeq: number; toSeq: number }): void;
  onRunSignal(signal: RunSignal): void;
  /** Another instance deleted a thread, and the delete committed. */
  onThreadDeleted(threadId: string): void;
  /** Another instance created, updated or deleted one of a user's threads, and that committed. */
  onThreadChanged(change: RemoteThreadChange): void;
  /** The LISTEN connection was lost and is back: whatever was announced meanwhile was missed. */
  onReconnected?(): void;
}

/** Where a statement announces something to the other instances: the channel and this instance's id (the sender). */
export interface ClusterAnnouncement {
  channel: string;
  instanceId: string;
}

/**
 * Postgres LISTEN/NOTIFY between instances. Payloads are references (thread id and a seq range, a run id, or a
 * deleted thread's id), never event bodies, so they stay far below the 8 KB limit; receivers read the event log.
 * On the embedded database there is only ever one process, so this is a no-op there.
 */
export class ClusterNotifier {
  private listener: ReturnType<typeof createSubscriber> | undefined;
  private stopped = false;
  /** Whether the LISTEN connection is up (false while it reconnects: notifications are being missed). */
  private listening = false;

  constructor(
    private readonly deps: { pool: pg.Pool; connectionString?: string; instanceId: string; logger: Logger },
  ) {}

  /** Whether notifications cross processes (real Postgres). */
  get enabled(): boolean {
    return this.deps.connectionString !== undefined;
  }

  /**
   * Open the dedicated LISTEN connection. It is kept up by pg-listen: lost (a Postgres restart or failover, an
   * idle-connection killer, `pg_terminate_backend`) or found dead by its periodic check, it reconnects with
   * backoff and LISTENs again; `onReconnected` then lets the instance fetch what it missed meanwhile.
   */
  async start(handlers: ClusterHandlers): Promise<void> {
    if (!this.deps.connectionString) return;
    const { logger } = this.deps;
    const subscriber = createSubscriber(this.deps.connectionString);
    let connectedBefore = false;
    subscriber.events.on("notification", (message) => this.receive({ channel: message.channel, payload: message.payload as string | undefined }, handlers));
    subscriber.events.on("error", (error) => logger.warn({ err: error }, "cluster listener failed"));
    subscriber.events.on("reconnect", (attempt) => {
      this.listening = false;
      if (attempt === 1) logger.warn("cluster listener lost its connection; reconnecting (other instances' events are missed until then)");
    });
    subscriber.events.on("connected", () => {
      this.listening = true;
      if (!connectedBefore) return void (connectedBefore = true);
      logger.info("cluster listener reconnected");
      handlers.onReconnected?.();
    });
    await subscriber.connect();
    for (const channel of [EVENTS_CHANNEL, RUNS_CHANNEL, THREADS_CHANNEL]) await subscriber.listenTo(channel);
    this.listener = subscriber;
  }

  /** Whether this instance hears the others: true on the embedded database (there are none), false while reconnecting. */
  get healthy(): boolean {
    return !this.enabled || this.stopped || this.listening;
  }

  /** How `EventLog` announces stored events to other instances; undefined on the embedded database (one process). */
  get eventAnnouncement(): ClusterAnnouncement | undefined {
    return this.enabled ? { channel: EVENTS_CHANNEL, instanceId: this.deps.instanceId } : undefined;
  }

  /** How `SessionStore` announces a thread's changes (see `THREADS_CHANNEL`); undefined on the embedded database. */
  get threadAnnouncement(): ClusterAnnouncement | undefined {
    return this.enabled ? { channel: THREADS_CHANNEL, instanceId: this.deps.instanceId } : undefined;
  }

  /** Send a run signal to every instance (including this one's listener, which ignores its own). */
  async signal(signal: RunSignal): Promise<void> {
    if (!this.enabled || this.stopped) return;
    await this.deps.pool.query("SELECT pg_notify($1, $2)", [RUNS_CHANNEL, JSON.stringify({ from: this.deps.instanceId, ...signal })]);
  }

  /** Close the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.close().catch(() => undefined);
    this.listener = undefined;
  }

  private receive(message: Pick<pg.Notification, "channel" | "payload">, handlers: ClusterHandlers): void {
    try {
      if (message.channel === EVENTS_CHANNEL) {
        const [from, threadId, fromSeq, toSeq] = (message.payload ?? "").split(" ");
        if (from === this.deps.instanceId || !threadId) return;
        handlers.onEvents(threadId, { fromSeq: Number(fromSeq), toSeq: Number(toSeq) });
      } else if (message.channel === THREADS_CHANNEL) {
        const [from, threadId, kind = "deleted", userKey, status, activityMs, awaiting] = (message.payload ?? "").split(" ");
        if (from === this.deps.instanceId || !threadId || !isThreadChangeKind(kind)) return;
        if (kind === "deleted") handlers.onThreadDeleted(threadId);
        if (!userKey) return;
        if (kind !== "status") handlers.onThreadChanged({ kind, threadId, userKey });
        else if (isSessionStatus(status)) handlers.onThreadChanged({ kind, threadId, userKey, status: { status, lastActivityAt: new Date(Number(activityMs)).toISOString(), awaitingHuman: awaiting === "t" } });
      } else if (message.channel === RUNS_CHANNEL) {
        const parsed = JSON.parse(message.payload ?? "{}") as RunSignal & { from?: string };
        if (parsed.from === this.deps.instanceId) return;
        handlers.onRunSignal(parsed);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, channel: message.channel }, "ignored a malformed cluster notification");
    }
  }
}

/** How the LISTEN connections show in `pg_stat_activity` (an operator can tell them from the pool's). */
export const LISTENER_APPLICATION_NAME = "threadline-cluster-listener";

/** A LISTEN connection that reconnects for ever (backoff to 5 s) and checks itself every 10 s; payloads as sent. */
function createSubscriber(connectionString: string) {
  return createPostgresSubscriber({ connectionString, application_name: LISTENER_APPLICATION_NAME }, {
    parse: (payload: string) => payload,
    paranoidChecking: 10_000,
    retryInterval: (attempt: number) => Math.min(5_000, 100 * 2 ** attempt),
    retryTimeout: Number.POSITIVE_INFINITY,
  });
}

function isThreadChangeKind(kind: string): kind is ThreadChangeKind {
  return kind === "created" || kind === "updated" || kind === "deleted" || kind === "status";
}

function isSessionStatus(status: string | undefined): status is SessionStatus {
  return status === "idle" || status === "busy" || status === "error" || status === "interrupted";
}
