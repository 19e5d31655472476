import { randomUUID } from "node:crypto";
import type pg from "pg";
import { type Queryable, withTransaction } from "../db/database.js";
import { isUuid } from "../db/ids.js";
import { AppError, notFound } from "../errors/app-error.js";
import type { ClusterAnnouncement } from "../events/cluster-notifier.js";
import { changeAnnouncementParams, changeNotifyExpression, statusNotifyExpression } from "../events/thread-change-announcement.js";
import { type ThreadChangeFeed, type ThreadStatusNow, threadStatusNow } from "../events/thread-change-feed.js";
import type { Session, SessionPage, SessionSearchFilter, SessionStatus } from "./session.js";

// Each sort key orders by the column the answer shows under that name (an allow-list: never the request's text).
const SORT_COLUMNS: Record<SessionSearchFilter["sort_by"], string> = {
  thread_id: "thread_id",
  status: "status",
  created_at: "created_at",
  updated_at: "updated_at",
};

/**
 * The graph of the thread's assistant: a default assistant's id is its graph's, a created one (a UUID) is looked up;
 * null when that assistant was deleted since.
 */
const GRAPH_OF_THREAD = `CASE WHEN threads.assistant_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  THEN (SELECT assistants.graph_id FROM assistants WHERE assistants.assistant_id = threads.assistant_id::uuid)
  ELSE threads.assistant_id END`;

/**
 * The metadata filter (`$2`, containment): `metadata.assistant_id` and `metadata.graph_id` are matched against the
 * thread's assistant and its graph, the values every answer shows there (`toSession`, the HTTP thread shape), never
 * a stale or hand-set stored one — LangGraph clients list a graph's threads by `{graph_id}` (agent-chat-ui does).
 */
const METADATA_MATCHES = `metadata @> ($2::jsonb - 'assistant_id' - 'graph_id')
  AND (NOT ($2::jsonb ? 'assistant_id') OR to_jsonb(assistant_id) = $2::jsonb -> 'assistant_id')
  AND (NOT ($2::jsonb ? 'graph_id') OR to_jsonb(${GRAPH_OF_THREAD}) = $2::jsonb -> 'graph_id')`;

const COLUMNS = `thread_id, user_id, window_id, assistant_id, ${GRAPH_OF_THREAD} AS graph_id, title, status, awaiting_human, metadata, message_seq,
  created_at, updated_at, last_activity_at, last_activity_at::text AS activity_key,
  coalesce((SELECT seq FROM thread_event_seqs WHERE thread_event_seqs.thread_id = threads.thread_id), 0) AS event_seq`;

interface SessionRow extends Omit<Session, "created_at" | "updated_at" | "last_activity_at" | "last_seq" | "last_message_seq"> {
  event_seq: string;
  message_seq: string;
  created_at: Date;
  updated_at: Date;
  last_activity_at: Date;
  activity_key: string;
}

/** What `open` needs; `thread_id` reopens, `window_id` binds, neither creates a fresh session. */
export interface OpenSessionInput {
  userId: string;
  assistantId: string;
  windowId?: string;
  threadId?: string;
  title?: string;
  metadata?: Record<string, unknown>;
}

/** Who hears of a session's creation, update and deletion. */
export interface SessionStoreOptions {
  /** Where the statement that makes a change announces it to other instances (`ClusterNotifier.threadAnnouncement`). */
  announcement?: ClusterAnnouncement;
  /** This instance's listeners (each socket of the session's user), told once the change committed. */
  changes?: Pick<ThreadChangeFeed, "announce">;
}

/** Sessions in Postgres. Every method takes the user id: no query reads or writes another user's rows. */
export class SessionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: SessionStoreOptions = {},
  ) {}

  /** Return the window's (or the given) session, or create one. `created` says which. */
  async open(input: OpenSessionInput): Promise<{ session: Session; created: boolean }> {
    if (input.threadId && input.windowId) return { session: await this.bindWindow(input.userId, { threadId: input.threadId, windowId: input.windowId }), created: false };
    if (input.threadId) return { session: await this.get(input.userId, input.threadId), created: false };
    if (input.windowId) {
      const inserted = await this.insert(input, "ON CONFLICT (user_id, window_id) WHERE window_id IS NOT NULL DO NOTHING");
      if (inserted) return { session: inserted, created: true };
      const existing = await this.pool.query<SessionRow>(
        `SELECT ${COLUMNS} FROM threads WHERE user_id = $1 AND window_id = $2`,
        [input.userId, input.windowId],
      );
      const row = existing.rows[0];
      if (!row) throw new AppError("conflict", "The window's session changed while opening it; try again");
      return { session: toSession(row), created: false };
    }
    const created = await this.insert(input, "");
    if (!created) throw new AppError("internal", "Session was not created");
    return { session: created, created: true };
  }

  /** Point a window at one of the user's sessions (the window's previous session keeps its history, unbound). */
  async bindWindow(userId: string, binding: { threadId: string; windowId: string }): Promise<Session> {
    await this.get(userId, binding.threadId);
    return withTransaction(this.pool, async (client) => {
      await client.query("UPDATE threads SET window_id = NULL WHERE user_id = $1 AND window_id = $2 AND thread_id <> $3", [userId, binding.windowId, binding.threadId]);
      const { rows } = await client.query<SessionRow>(
        `UPDATE threads SET window_id = $3, updated_at = now() WHERE thread_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [binding.threadId, userId, binding.windowId],
      );
      if (!rows[0]) throw notFound("Thread", binding.threadId);
      return toSession(rows[0]);
    });
  }

  /**
   * Tell this instance's listeners of a session created inside a caller's transaction (`createWithId` with `db`),
   * once that transaction committed (other instances hear of it at the commit by themselves).
   */
  announceCreated(session: Session): void {
    this.options.changes?.announce(session.user_id, { kind: "created", threadId: session.thread_id, session });
  }

  /** Whether the user's window is bound to a session already. */
  async windowBound(userId: string, windowId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM threads WHERE user_id = $1 AND window_id = $2`, [userId, windowId]);
    return (rowCount ?? 0) > 0;
  }

  /** Create with an explicit id (HTTP `POST /threads` with `thread_id`); `null` when it already exists. */
  async createWithId(input: OpenSessionInput & { threadId: string }, db: Queryable = this.pool): Promise<Session | null> {
    // A deleted thread's id stays deleted: its tombstone would silently drop every checkpoint the new thread wrote.
    return this.insert(input, "ON CONFLICT DO NOTHING", { db, unlessDeleted: true });
  }

  /** The user's session, or not_found (also for other users' sessions: no existence leak). */
  async get(userId: string, threadId: string, db: Queryable = this.pool): Promise<Session> {
    const row = isUuid(threadId)
      ? (await db.query<SessionRow>(`SELECT ${COLUMNS} FROM threads WHERE thread_id = $1 AND user_id = $2`, [threadId, userId])).rows[0]
      : undefined;
    if (!row) throw notFound("Thread", threadId);
    return toSession(row);
  }

  /** Newest activity first, keyset-paginated. */
  async list(userId: string, options: { limit: number; cursor?: string; query?: string }): Promise<SessionPage> {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const titleFilter = options.query ? `%${options.query.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : null;
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM threads
        WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (last_activity_at, thread_id) < ($2::timestamptz, $3::uuid))
          AND ($5::text IS NULL OR title ILIKE $5)
        ORDER BY last_activity_at DESC, thread_id DESC LIMIT $4`,
      [userId, after?.activity ?? null, after?.threadId ?? null, options.limit + 1, titleFilter],
    );
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    const next = rows.length > options.limit && last ? encodeCursor(last.activity_key, last.thread_id) : null;
    return { sessions: page.map(toSession), next_cursor: next };
  }

  /** LangGraph's `POST /threads/search`: filter by metadata containment, status and ids, offset pagination. */
  async search(
    userId: string,
    filter: SessionSearchFilter,
  ): Promise<Session[]> {
    const sortColumn = SORT_COLUMNS[filter.sort_by];
    const direction = filter.sort_order === "asc" ? "ASC" : "DESC";
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM threads
        WHERE user_id = $1 AND ${METADATA_MATCHES} AND ($3::text IS NULL OR status = $3)
          AND ($6::uuid[] IS NULL OR thread_id = ANY($6::uuid[]))
        ORDER BY ${sortColumn} ${direction}, thread_id ${direction} LIMIT $4 OFFSET $5`,
      [userId, JSON.stringify(filter.metadata ?? {}), filter.status ?? null, filter.limit, filter.offset, filter.ids ?? null],
    );
    return rows.map(toSession);
  }

  /** LangGraph's `POST /threads/count`: how many of the user's threads `search` would find without paging. */
  async count(userId: string, filter: Pick<SessionSearchFilter, "metadata" | "status">): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM threads WHERE user_id = $1 AND ${METADATA_MATCHES} AND ($3::text IS NULL OR status = $3)`,
      [userId, JSON.stringify(filter.metadata ?? {}), filter.status ?? null],
    );
    return rows[0]?.count ?? 0;
  }

  /** Rename and/or merge metadata. */
  async update(userId: string, threadId: string, patch: { title?: string; metadata?: Record<string, unknown> }): Promise<Session> {
    if (!isUuid(threadId)) throw notFound("Thread", threadId);
    const { rows } = await this.pool.query<SessionRow>(
      `WITH updated AS (
         UPDATE threads SET title = COALESCE($3, title), metadata = metadata || $4::jsonb, updated_at = now()
          WHERE thread_id = $1 AND user_id = $2 RETURNING ${COLUMNS}
       )
       SELECT updated.*, ${changeNotifyExpression("updated", "updated", 5)} FROM updated`,
      [threadId, userId, patch.title ?? null, JSON.stringify(patch.metadata ?? {}), ...this.announcementParams(userId)],
    );
    const row = rows[0];
    if (!row) throw notFound("Thread", threadId);
    const session = toSession(row);
    this.options.changes?.announce(userId, { kind: "updated", threadId, session });
    return session;
  }

  /**
   * Title an untitled session (from its first message, `autoTitle`) in `db`'s transaction, which NOTIFYs other
   * instances when it commits; a title set meanwhile (a rename) wins and nothing changes. Returns the titled session
   * for the caller to `announceUpdated` here once committed (undefined when nothing changed).
   */
  async titleIfUntitled(db: Queryable, target: { userId: string; threadId: string }, title: string): Promise<Session | undefined> {
    const { userId, threadId } = target;
    const { rows } = await db.query<SessionRow>(
      `WITH updated AS (
         UPDATE threads SET title = $3, updated_at = now() WHERE thread_id = $1 AND user_id = $2 AND title IS NULL RETURNING ${COLUMNS}
       )
       SELECT updated.*, ${changeNotifyExpression("updated", "updated", 4)} FROM updated`,
      [threadId, userId, title, ...this.announcementParams(userId)],
    );
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  /**
   * Make a run's assistant the thread's, when it runs another graph than the thread's assistant did (`submit`):
   * the thread's state is read with its assistant's graph, so it must follow. Announced as `titleIfUntitled` is.
   */
  async followAssistant(db: Queryable, target: { userId: string; threadId: string }, assistantId: string): Promise<Session | undefined> {
    const { userId, threadId } = target;
    const { rows } = await db.query<SessionRow>(
      `WITH updated AS (
         UPDATE threads SET assistant_id = $3, updated_at = now() WHERE thread_id = $1 AND user_id = $2 RETURNING ${COLUMNS}
       )
       SELECT updated.*, ${changeNotifyExpression("updated", "updated", 4)} FROM updated`,
      [threadId, userId, assistantId, ...this.announcementParams(userId)],
    );
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  /** Tell this instance's listeners of a change to `session` committed elsewhere in a transaction (`titleIfUntitled`). */
  announceUpdated(userId: string, session: Session): void {
    this.options.changes?.announce(userId, { kind: "updated", threadId: session.thread_id, session });
  }

  /**
   * Delete the session row (its runs, transcript and events cascade). With an announcement, the same statement
   * NOTIFYs other instances (`<instance> <thread> deleted <user key>`), so they hear of the delete exactly when it
   * commits; this instance's listeners are told right after — by the caller, once it committed, when `db` is its
   * transaction (`announceDeleted`).
   */
  async delete(userId: string, threadId: string, options: { db?: Queryable } = {}): Promise<void> {
    if (!isUuid(threadId)) throw notFound("Thread", threadId);
    const db = options.db ?? this.pool;
    const { rows } = await db.query(
      `WITH gone AS (DELETE FROM threads WHERE thread_id = $1 AND user_id = $2 RETURNING thread_id)
       SELECT ${changeNotifyExpression("gone", "deleted", 3)} FROM gone`,
      [threadId, userId, ...this.announcementParams(userId)],
    );
    if (rows.length === 0) throw notFound("Thread", threadId);
    if (db === this.pool) this.announceDeleted(userId, threadId);
  }

  /** Tell this instance's listeners of a delete committed in the caller's transaction. */
  announceDeleted(userId: string, threadId: string): void {
    this.options.changes?.announce(userId, { kind: "deleted", threadId, session: null });
  }

  /**
   * Set a thread's status outside a run (a fork that copied a pending interrupt, a state edit; the caller already owns
   * the thread), announced to the user's sockets as a run's start or end is (`thread.status`). With `db` (the caller's
   * transaction) this instance's listeners are told by the caller once it committed (`announceStatus`).
   */
  async setStatus(thread: { threadId: string; userId: string }, status: SessionStatus, options: { db?: Queryable } = {}): Promise<ThreadStatusNow | undefined> {
    const db = options.db ?? this.pool;
    // Set to `interrupted` only when a question or a breakpoint waits: a human is awaited.
    const { rows } = await db.query<{ status: SessionStatus; last_activity_at: Date; awaiting_human: boolean }>(
      `WITH thread AS (
         UPDATE threads SET status = $2, awaiting_human = ($2 = 'interrupted'), updated_at = now(), last_activity_at = now() WHERE thread_id = $1
         RETURNING thread_id, status, last_activity_at, awaiting_human
       )
       SELECT thread.status, thread.last_activity_at, thread.awaiting_human, ${statusNotifyExpression("thread", 3)} FROM thread`,
      [thread.threadId, status, ...this.announcementParams(thread.userId)],
    );
    const row = rows[0];
    const now = row ? threadStatusNow(row.status, row.last_activity_at, row.awaiting_human) : undefined;
    if (now && db === this.pool) this.announceStatus(thread, now);
    return now;
  }

  /** Tell this instance's listeners of a status `setStatus` set inside a transaction, once that committed. */
  announceStatus(thread: { threadId: string; userId: string }, now: ThreadStatusNow): void {
    this.options.changes?.announce(thread.userId, { kind: "status", threadId: thread.threadId, ...now });
  }

  private async insert(input: OpenSessionInput, conflictClause: string, options: { db?: Queryable; unlessDeleted?: boolean } = {}): Promise<Session | null> {
    const db = options.db ?? this.pool;
    const guard = options.unlessDeleted ? "WHERE NOT EXISTS (SELECT 1 FROM thread_tombstones WHERE thread_id = $1::uuid)" : "";
    const { rows } = await db.query<SessionRow>(
      // The thread's event counter is created with it (EventLog counts on that row).
      `WITH inserted AS (
         INSERT INTO threads (thread_id, user_id, window_id, assistant_id, title, metadata)
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::jsonb ${guard} ${conflictClause} RETURNING ${COLUMNS}
       ), counter AS (
         INSERT INTO thread_event_seqs (thread_id) SELECT thread_id FROM inserted
       )
       SELECT inserted.*, ${changeNotifyExpression("inserted", "created", 7)} FROM inserted`,
      [input.threadId ?? randomUUID(), input.userId, input.windowId ?? null, input.assistantId, input.title ?? null, JSON.stringify(input.metadata ?? {}), ...this.announcementParams(input.userId)],
    );
    const session = rows[0] ? toSession(rows[0]) : null;
    // Inside a caller's transaction the caller tells them once it committed (`announceCreated`).
    if (session && db === this.pool) this.announceCreated(session);
    return session;
  }

  /** The channel, this instance's id and the user's key of a change's NOTIFY (nulls: no other instance to tell). */
  private announcementParams(userId: string): [string | null, string | null, string | null] {
    return changeAnnouncementParams(this.options.announcement, userId);
  }
}

function toSession(row: SessionRow): Session {
  return {
    thread_id: row.thread_id,
    user_id: row.user_id,
    window_id: row.window_id,
    assistant_id: row.assistant_id,
    graph_id: row.graph_id,
    title: row.title,
    status: row.status,
    awaiting_human: row.awaiting_human,
    // `metadata.assistant_id` names the thread's assistant (LangGraph's convention; the HTTP API always shows it so):
    // a stale or hand-set one (a PATCH, a run of another assistant since) never contradicts the thread's.
    metadata: shownMetadata(row),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_activity_at: row.last_activity_at.toISOString(),
    last_seq: Number(row.event_seq),
    last_message_seq: Number(row.message_seq),
  };
}

function encodeCursor(activity: string, threadId: string): string {
  return Buffer.from(JSON.stringify([activity, threadId])).toString("base64url");
}

function decodeCursor(cursor: string): { activity: string; threadId: string } {
  try {
    const [activity, threadId] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof activity === "string" && typeof threadId === "string" && isUuid(threadId) && !Number.isNaN(Date.parse(activity))) {
      return { activity, threadId };
    }
  } catch {
    // fall through to the typed error
  }
  throw new AppError("invalid_request", "Invalid cursor");
}

/**
 * `metadata.assistant_id` / `graph_id` name the thread's assistant and its graph (LangGraph's convention; the HTTP
 * API always shows them so): a stale or hand-set one (a PATCH, a run of another assistant since) never contradicts
 * the thread's. Over WebSocket they show (both) only where either was stored (a thread made over HTTP, or by a run).
 */
function shownMetadata(row: SessionRow): Record<string, unknown> {
  const { metadata } = row;
  if (!("assistant_id" in metadata) && !("graph_id" in metadata)) return metadata;
  return { ...metadata, ...(row.graph_id !== null ? { graph_id: row.graph_id } : {}), assistant_id: row.assistant_id };
}
