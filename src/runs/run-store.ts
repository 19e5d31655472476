import type pg from "pg";
import { type Queryable, withTransaction } from "../db/database.js";
import { isUuid } from "../db/ids.js";
import { notFound } from "../errors/app-error.js";
import type { TokenUsage } from "../events/thread-event.js";
import type { ClusterAnnouncement } from "../events/cluster-notifier.js";
import { changeAnnouncementParams, statusNotifyExpression } from "../events/thread-change-announcement.js";
import { type ThreadChangeFeed, type ThreadStatusNow, threadStatusNow } from "../events/thread-change-feed.js";
import type { SessionStatus } from "../sessions/session.js";
import type { MultitaskStrategy, Run, RunKind, RunStatus } from "./run.js";

const COLUMNS = `run_id, thread_id, user_id, assistant_id, status, kind, multitask_strategy, input, command, checkpoint_id,
  interrupt_before, interrupt_after, config, metadata, webhook, client_message_id, attempt, max_attempts, error, usage, before_checkpoint_id, cancel_requested,
  created_at, available_at, started_at, finished_at`;

/**
 * SQL for the thread's newest root checkpoint id ('' when it has none), for `before_checkpoint_id` at claim time.
 * `param` is the statement's thread id parameter (a uuid; checkpoint tables key threads as text).
 */
function newestCheckpointOf(param: string): string {
  return `COALESCE((SELECT checkpoint_id FROM checkpoints WHERE thread_id = (${param}::uuid)::text AND checkpoint_ns = ''
                     ORDER BY checkpoint_id DESC LIMIT 1), '')`;
}

type RunRow = Omit<Run, "created_at" | "available_at" | "started_at" | "finished_at"> & {
  created_at: Date;
  available_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

/** A run to insert. */
export interface NewRun {
  runId: string;
  threadId: string;
  userId: string;
  assistantId: string;
  kind: RunKind;
  strategy: MultitaskStrategy;
  input: Run["input"];
  command: Run["command"];
  checkpointId?: string;
  interruptBefore?: string[];
  interruptAfter?: string[];
  config?: Run["config"];
  metadata?: Record<string, unknown>;
  webhook?: string;
  clientMessageId?: string;
  afterSeconds?: number;
}

/** How a finished run ended. */
export interface RunOutcome {
  status: Exclude<RunStatus, "pending" | "running">;
  /** Why it failed; `name`: the class name of the error graph code threw (what LangGraph Platform reports). */
  error?: { code: string; message: string; name?: string };
  usage?: TokenUsage | null;
  /** Approval questions still open after the run was stopped: the thread is left `interrupted`, not idle. */
  open?: readonly unknown[];
}

/** What a run's start or end did to its thread (see `RunStore.announceStatus`); undefined when the thread was gone. */
export type ThreadStatusAfter = ThreadStatusNow | undefined;

/** Where `RunStore` announces the status changes runs make (both optional: tests and tools go without). */
export interface RunStoreOptions {
  /** Other instances hear of them from the statement that made them (NOTIFY); absent on the embedded database. */
  announcement?: ClusterAnnouncement;
  /** This instance's listeners, told by the caller once the change committed (`announceStatus`). */
  changes?: Pick<ThreadChangeFeed, "announce">;
}

/** The thread's columns a status-changing statement returns beside the run, for its notice. */
interface ThreadStatusColumns {
  thread_status: SessionStatus | null;
  thread_activity_at: Date | null;
  thread_awaiting_human: boolean | null;
}

/** Run rows in Postgres, including the lease protocol that keeps one executing run per thread. */
export class RunStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: RunStoreOptions = {},
  ) {}

  /**
   * Tell this instance's listeners of the user that a run's start or end changed the thread's status (call once
   * it committed; other instances were told by the statement).
   */
  announceStatus(userId: string, threadId: string, thread: ThreadStatusAfter): void {
    if (thread) this.options.changes?.announce(userId, { kind: "status", threadId, ...thread });
  }

  /**
   * Insert a run (inside the caller's transaction, which holds the thread's lock) and mark the thread busy. With
   * `claim`, the caller has seen nothing active on the thread: the run is inserted already claimed (running under
   * that lease, first attempt, starting from the thread's newest checkpoint), as `claimNext` would leave it. The
   * thread's new status comes back for `announceStatus` (other instances are told by this statement).
   */
  async insert(db: Queryable, run: NewRun, claim?: { owner: string; ms: number }): Promise<{ run: Run; thread: ThreadStatusAfter }> {
    const { rows } = await db.query<RunRow & ThreadStatusColumns>(
      `WITH inserted AS (
         INSERT INTO runs (run_id, thread_id, user_id, assistant_id, kind, multitask_strategy, input, command, checkpoint_id,
                           metadata, webhook, client_message_id, available_at, interrupt_before, interrupt_after, config,
                           status, lease_owner, lease_expires_at, attempt, started_at, before_checkpoint_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now() + make_interval(secs => $13), $14, $15, $16,
                 CASE WHEN $17::text IS NULL THEN 'pending' ELSE 'running' END, $17,
                 CASE WHEN $17::text IS NULL THEN NULL ELSE now() + make_interval(secs => $18 / 1000.0) END,
                 CASE WHEN $17::text IS NULL THEN 0 ELSE 1 END,
                 CASE WHEN $17::text IS NULL THEN NULL ELSE now() END,
                 CASE WHEN $17::text IS NULL THEN NULL ELSE ${newestCheckpointOf("$2")} END)
         RETURNING ${COLUMNS}
       ), busy AS (
         UPDATE threads SET status = 'busy', awaiting_human = false, updated_at = now(), last_activity_at = now() WHERE thread_id = $2
         RETURNING thread_id, status, last_activity_at, awaiting_human
       )
       SELECT inserted.*, busy.status AS thread_status, busy.last_activity_at AS thread_activity_at, busy.awaiting_human AS thread_awaiting_human,
              ${statusNotifyExpression("busy", 19)}
         FROM inserted LEFT JOIN busy ON true`,
      [
        run.runId, run.threadId, run.userId, run.assistantId, run.kind, run.strategy, JSON.stringify(run.input), JSON.stringify(run.command),
        run.checkpointId ?? null, JSON.stringify(run.metadata ?? {}), run.webhook ?? null, run.clientMessageId ?? null, run.afterSeconds ?? 0,
        run.interruptBefore ?? null, run.interruptAfter ?? null, run.config ? JSON.stringify(run.config) : null,
        claim?.owner ?? null, claim?.ms ?? 0, ...changeAnnouncementParams(this.options.announcement, run.userId),
      ],
    );
    return withThreadStatus(rows[0] as RunRow & ThreadStatusColumns);
  }

  /** The run an earlier request with the same client_message_id created, if any. */
  async findByClientMessageId(db: Queryable, threadId: string, clientMessageId: string): Promise<Run | undefined> {
    const { rows } = await db.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE thread_id = $1 AND client_message_id = $2`, [threadId, clientMessageId]);
    return rows[0] ? toRun(rows[0]) : undefined;
  }

  /**
   * Pending and running runs of a thread, oldest first, and its newest run of any status — under the thread lock,
   * the run before the one about to be submitted (`previous`, without a second round trip).
   */
  async activeAndLatest(db: Queryable, threadId: string): Promise<{ active: Run[]; latest: Pick<Run, "status" | "finished_at"> | undefined }> {
    const { rows } = await db.query<RunRow & { newest: boolean }>(
      `(SELECT ${COLUMNS}, false AS newest FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') ORDER BY created_at, run_id)
       UNION ALL
       (SELECT ${COLUMNS}, true AS newest FROM runs WHERE thread_id = $1 ORDER BY created_at DESC, run_id DESC LIMIT 1)`,
      [threadId],
    );
    const newest = rows.find((row) => row.newest);
    const latest = newest ? toRun(newest) : undefined;
    return { active: rows.filter((row) => !row.newest).map(toRun), latest: latest && { status: latest.status, finished_at: latest.finished_at } };
  }

  /** The thread's most recent run that ended waiting for a human, if any. */
  async lastInterrupted(db: Queryable, threadId: string): Promise<string | null> {
    const { rows } = await db.query<{ run_id: string }>(
      "SELECT run_id FROM runs WHERE thread_id = $1 AND status = 'interrupted' ORDER BY finished_at DESC NULLS LAST LIMIT 1",
      [threadId],
    );
    return rows[0]?.run_id ?? null;
  }

  /** The thread's run created just before this one (its status and when it finished), if any. */
  async previous(run: Pick<Run, "thread_id" | "run_id" | "created_at">): Promise<Pick<Run, "status" | "finished_at"> | undefined> {
    const { rows } = await this.pool.query<{ status: Run["status"]; finished_at: Date | null }>(
      "SELECT status, finished_at FROM runs WHERE thread_id = $1 AND created_at < $2 AND run_id <> $3 ORDER BY created_at DESC LIMIT 1",
      [run.thread_id, run.created_at, run.run_id],
    );
    const row = rows[0];
    return row ? { status: row.status, finished_at: row.finished_at?.toISOString() ?? null } : undefined;
  }

  /** Cancel runs that have not started (double texting, explicit cancel). */
  async cancelPending(db: Queryable, runIds: string[], reason: { code: string; message: string }): Promise<Run[]> {
    if (runIds.length === 0) return [];
    const { rows } = await db.query<RunRow>(
      `UPDATE runs SET status = 'cancelled', error = $2, finished_at = now() WHERE run_id = ANY($1::uuid[]) AND status = 'pending' RETURNING ${COLUMNS}`,
      [runIds, JSON.stringify(reason)],
    );
    return rows.map(toRun);
  }

  /** Ask the instance executing a run to stop it (it sees the flag on its next lease renewal or a notification). */
  async requestCancel(db: Queryable, runId: string, action: "cancel" | "interrupt" | "rollback"): Promise<void> {
    await db.query("UPDATE runs SET cancel_requested = $2 WHERE run_id = $1 AND status = 'running'", [runId, action]);
  }

  /**
   * Claim the thread's oldest due pending run for `owner`, unless a run is already executing on the thread.
   * The thread row lock serialises claims; the partial unique index guarantees one running run per thread.
   * `andThen` runs inside the same transaction with the claimed run (the executor records its start there).
   */
  async claimNext<T>(threadId: string, lease: { owner: string; ms: number }, andThen: (client: pg.PoolClient, run: Run) => Promise<T>): Promise<{ run: Run; then: T } | undefined> {
    return withTransaction(this.pool, async (client) => {
      // Lock the thread (serialises claims and submissions). Whether a run executes there is asked in the next
      // statement, not in this one: this one's snapshot predates the wait for the lock, and would miss a run that
      // the submission holding the lock started (the claim would then hit the one-running-run index).
      const thread = await client.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR NO KEY UPDATE", [threadId]);
      if (!thread.rowCount) return undefined;
      const { rows } = await client.query<RunRow>(
        `UPDATE runs SET status = 'running', lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3 / 1000.0),
                attempt = attempt + 1, started_at = COALESCE(started_at, now()),
                before_checkpoint_id = COALESCE(before_checkpoint_id, ${newestCheckpointOf("$1")})
          WHERE run_id = (SELECT run_id FROM runs WHERE thread_id = $1 AND status = 'pending' AND available_at <= now()
                           ORDER BY created_at, run_id LIMIT 1)
            AND NOT EXISTS (SELECT 1 FROM runs WHERE thread_id = $1 AND status = 'running')
          RETURNING ${COLUMNS}`,
        [threadId, lease.owner, lease.ms],
      );
      if (!rows[0]) return undefined;
      // The thread is already 'busy': a pending run keeps it so from its submission on.
      const run = toRun(rows[0]);
      return { run, then: await andThen(client, run) };
    });
  }

  /**
   * Take over runs whose lease expired (their instance died); each gets a new attempt under `owner`. Runs this
   * instance owns are skipped: their executor is merely late renewing (a busy event loop) and will renew.
   */
  async takeOverExpired(lease: { owner: string; ms: number }): Promise<Run[]> {
    const { rows } = await this.pool.query<RunRow>(
      `UPDATE runs SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2 / 1000.0), attempt = attempt + 1
        WHERE run_id IN (SELECT run_id FROM runs WHERE status = 'running' AND lease_expires_at < now() AND lease_owner IS DISTINCT FROM $1
                          ORDER BY lease_expires_at LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [lease.owner, lease.ms],
    );
    return rows.map(toRun);
  }

  /** Threads with a due pending run and nothing executing: candidates for `claimNext`. */
  async threadsWithDueRuns(limit = 50): Promise<string[]> {
    const { rows } = await this.pool.query<{ thread_id: string }>(
      `SELECT DISTINCT pending.thread_id FROM runs pending
        WHERE pending.status = 'pending' AND pending.available_at <= now()
          AND NOT EXISTS (SELECT 1 FROM runs running WHERE running.thread_id = pending.thread_id AND running.status = 'running')
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.thread_id);
  }

  /** Extend a lease; `held` is false when the run is no longer ours (taken over, or finished elsewhere). */
  async renewLease(runId: string, lease: { owner: string; ms: number }): Promise<{ held: boolean; cancelRequested: Run["cancel_requested"] }> {
    const { rows } = await this.pool.query<{ cancel_requested: Run["cancel_requested"] }>(
      `UPDATE runs SET lease_expires_at = now() + make_interval(secs => $3 / 1000.0)
        WHERE run_id = $1 AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested`,
      [runId, lease.owner, lease.ms],
    );
    return { held: rows.length > 0, cancelRequested: rows[0]?.cancel_requested ?? null };
  }

  /**
   * Record the outcome and the thread's resulting status (inside the caller's transaction), and whether other runs
   * are still active there; undefined when the run was no longer ours to finish (another instance took it over).
   */
  async finishIn(client: Queryable, finished: { run: Pick<Run, "run_id" | "thread_id" | "user_id">; owner: string; outcome: RunOutcome }): Promise<{ run: Run; othersActive: boolean; thread: ThreadStatusAfter } | undefined> {
      const { run, owner, outcome } = finished;
      const waitsForHuman = awaitsHuman(outcome);
      // NO KEY (like every thread lock): a running run's last events are not held up behind it. Pipelined with the
      // update below: sent together, but the update starts (and takes its snapshot) only after the lock is held.
      const locking = client.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR NO KEY UPDATE", [run.thread_id]);
      // The run's outcome and the thread's resulting status in one statement. Both read one snapshot, taken after
      // the lock: the run still reads as running there, so "others active" leaves it out by id.
      const finishing = client.query<RunRow & ThreadStatusColumns>(
        `WITH finished AS (
           UPDATE runs SET status = $3, error = $4, usage = $5, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
            WHERE run_id = $1 AND lease_owner = $2 AND status = 'running' RETURNING ${COLUMNS}
         ), thread AS (
           UPDATE threads SET updated_at = now(), last_activity_at = now(),
                  status = CASE WHEN others.active THEN 'busy' ELSE $7 END,
                  awaiting_human = NOT others.active AND $11::boolean
             FROM (SELECT EXISTS (SELECT 1 FROM runs WHERE thread_id = $6 AND status IN ('pending', 'running') AND run_id <> $1) AS active) others
            WHERE thread_id = $6 AND EXISTS (SELECT 1 FROM finished)
            RETURNING thread_id, status, last_activity_at, awaiting_human
         )
         SELECT finished.*, thread.status AS thread_status, thread.last_activity_at AS thread_activity_at, thread.awaiting_human AS thread_awaiting_human,
                ${statusNotifyExpression("thread", 8)}
           FROM finished LEFT JOIN thread ON true`,
        [run.run_id, owner, outcome.status, outcome.error ? JSON.stringify(outcome.error) : null, outcome.usage ? JSON.stringify(outcome.usage) : null,
          run.thread_id, waitsForHuman ? "interrupted" : threadStatusAfter(outcome.status), ...changeAnnouncementParams(this.options.announcement, run.user_id),
          waitsForHuman],
      );
      const [, { rows }] = await Promise.all([locking, finishing]);
      const row = rows[0];
      if (!row) return undefined;
      // Still busy after this run ended: other runs are pending (queued behind it) or running.
      return { ...withThreadStatus(row), othersActive: row.thread_status === "busy" };
  }

  /** Set the thread status from its runs: busy while any is active, else `settled`; announced as a run's end is. */
  async updateThreadStatus(db: Queryable, thread: { threadId: string; userId: string }, settled: SessionStatus): Promise<ThreadStatusAfter> {
    const { rows } = await db.query<{ status: SessionStatus; last_activity_at: Date; awaiting_human: boolean }>(
      `WITH thread AS (
         UPDATE threads SET updated_at = now(), last_activity_at = now(), awaiting_human = false,
                status = CASE WHEN EXISTS (SELECT 1 FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running')) THEN 'busy' ELSE $2 END
          WHERE thread_id = $1
          RETURNING thread_id, status, last_activity_at, awaiting_human
       )
       SELECT thread.status, thread.last_activity_at, thread.awaiting_human, ${statusNotifyExpression("thread", 3)} FROM thread`,
      [thread.threadId, settled, ...changeAnnouncementParams(this.options.announcement, thread.userId)],
    );
    const row = rows[0];
    return row ? threadStatusNow(row.status, row.last_activity_at, row.awaiting_human) : undefined;
  }

  /** One of the user's runs on a thread. */
  async get(userId: string, threadId: string, runId: string): Promise<Run> {
    const row = isUuid(runId) && isUuid(threadId)
      ? (await this.pool.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE run_id = $1 AND thread_id = $2 AND user_id = $3`, [runId, threadId, userId])).rows[0]
      : undefined;
    if (!row) throw notFound("Run", runId);
    return toRun(row);
  }

  /** One of the user's runs by its id alone, whatever its thread (LangGraph's `/runs/{run_id}/…` routes). */
  async getById(userId: string, runId: string): Promise<Run> {
    const row = isUuid(runId) ? (await this.pool.query<RunRow>(`SELECT ${COLUMNS} FROM runs WHERE run_id = $1 AND user_id = $2`, [runId, userId])).rows[0] : undefined;
    if (!row) throw notFound("Run", runId);
    return toRun(row);
  }

  /** The user's runs on a thread, newest first. */
  async list(userId: string, threadId: string, options: { limit: number; offset: number; status?: RunStatus }): Promise<Run[]> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT ${COLUMNS} FROM runs WHERE thread_id = $1 AND user_id = $2 AND ($3::text IS NULL OR status = $3)
        ORDER BY created_at DESC, run_id DESC LIMIT $4 OFFSET $5`,
      [threadId, userId, options.status ?? null, options.limit, options.offset],
    );
    return rows.map(toRun);
  }

  /**
   * The user's active runs (pending or running) that a bulk cancel names: on one thread (those of `runIds`, or all),
   * or across the user's threads; `status` narrows either. Oldest first, so that queued runs are stopped in order.
   */
  async listActive(userId: string, filter: { threadId?: string; runIds?: string[]; status?: "pending" | "running" }): Promise<Run[]> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT ${COLUMNS} FROM runs
        WHERE user_id = $1 AND status IN ('pending', 'running') AND ($2::uuid IS NULL OR thread_id = $2)
          AND ($3::uuid[] IS NULL OR run_id = ANY($3)) AND ($4::text IS NULL OR status = $4)
        ORDER BY created_at, run_id`,
      [userId, filter.threadId ?? null, filter.runIds ?? null, filter.status ?? null],
    );
    return rows.map(toRun);
  }

  /** Delete a finished run record. */
  async delete(userId: string, threadId: string, runId: string): Promise<void> {
    const run = await this.get(userId, threadId, runId);
    await this.pool.query("DELETE FROM runs WHERE run_id = $1", [run.run_id]);
  }
}

/**
 * Whether a run's outcome leaves its thread waiting for a human: a question (an approval) asked, or left open by a
 * stopped answer, or a static breakpoint reached. A run stopped by `run.cancel {action: "interrupt"}` ends
 * `interrupted` too (LangGraph's status: nodes are left to run) but asks nothing: its error says it was stopped.
 */
export function awaitsHuman(outcome: RunOutcome): boolean {
  if (outcome.open && outcome.open.length > 0) return true;
  return outcome.status === "interrupted" && outcome.error === undefined;
}

/** The thread status a run's outcome leaves behind (when nothing else is queued). */
export function threadStatusAfter(status: RunOutcome["status"]): SessionStatus {
  switch (status) {
    case "error":
    case "timeout":
      return "error";
    case "interrupted":
      return "interrupted";
    case "success":
    case "cancelled":
      return "idle";
  }
}

/** A run and its thread's new status from a row that has both (the status columns and the NOTIFY's are not the run's). */
function withThreadStatus(row: RunRow & ThreadStatusColumns & { notified?: unknown }): { run: Run; thread: ThreadStatusAfter } {
  const { thread_status: status, thread_activity_at: activity, thread_awaiting_human: awaiting, notified, ...runRow } = row;
  void notified; // the NOTIFY's own column: not the run's
  return { run: toRun(runRow), thread: status && activity ? threadStatusNow(status, activity, awaiting === true) : undefined };
}

function toRun(row: RunRow): Run {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    available_at: row.available_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}
