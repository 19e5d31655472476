import type pg from "pg";
import type { Queryable } from "../../db/database.js";
import { isUuid } from "../../db/ids.js";
import { notFound } from "../../errors/app-error.js";
import type { CronPayload, CronRow, OnRunCompleted } from "./cron.js";
import type { SearchCronsRequest } from "./cron-requests.js";

const COLUMNS = `cron_id, user_id, assistant_id, thread_id, schedule, timezone, payload, metadata, on_run_completed,
  enabled, end_time, next_run_date, last_run_date, created_at, updated_at`;

/** Search filter of crons (paging fields are ignored by `count`). */
export type CronFilter = Pick<SearchCronsRequest, "assistant_id" | "thread_id" | "enabled" | "metadata">;

/** A new cron row. */
export interface NewCron {
  cronId: string;
  userId: string;
  assistantId: string;
  threadId: string | null;
  schedule: string;
  timezone: string | null;
  payload: CronPayload;
  metadata: Record<string, unknown>;
  onRunCompleted: OnRunCompleted | null;
  enabled: boolean;
  endTime: Date | null;
  nextRunDate: Date | null;
}

/** The stored fields an update may change (undefined leaves a field as it is). */
export type CronChanges = Partial<Pick<NewCron, "schedule" | "timezone" | "payload" | "metadata" | "onRunCompleted" | "enabled" | "endTime" | "nextRunDate">>;

/** Crons in Postgres. User-facing reads and writes take the user id; firing-side methods are internal. */
export class CronStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Store a new cron. */
  async insert(cron: NewCron, db: Queryable = this.pool): Promise<CronRow> {
    const { rows } = await db.query<CronRow>(
      `INSERT INTO crons (cron_id, user_id, assistant_id, thread_id, schedule, timezone, payload, metadata, on_run_completed, enabled, end_time, next_run_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [cron.cronId, cron.userId, cron.assistantId, cron.threadId, cron.schedule, cron.timezone, JSON.stringify(cron.payload), JSON.stringify(cron.metadata), cron.onRunCompleted, cron.enabled, cron.endTime, cron.nextRunDate],
    );
    return rows[0] as CronRow;
  }

  /** The user's cron, or not_found (also for another user's: no existence leak). `lock` takes a row lock. */
  async get(userId: string, cronId: string, options: { db?: Queryable; lock?: boolean } = {}): Promise<CronRow> {
    const db = options.db ?? this.pool;
    const row = isUuid(cronId)
      ? (await db.query<CronRow>(`SELECT ${COLUMNS} FROM crons WHERE cron_id = $1 AND user_id = $2${options.lock ? " FOR UPDATE" : ""}`, [cronId, userId])).rows[0]
      : undefined;
    if (!row) throw notFound("Cron", cronId);
    return row;
  }

  /** LangGraph's cron search: filters, sort and offset paging. */
  async search(userId: string, request: SearchCronsRequest): Promise<CronRow[]> {
    const [where, values] = whereClause(userId, request);
    const direction = request.sort_order === "asc" ? "ASC" : "DESC";
    // sort_by is a closed enum of column names, so interpolating it is safe.
    const { rows } = await this.pool.query<CronRow>(
      `SELECT ${COLUMNS} FROM crons ${where}
        ORDER BY ${request.sort_by} ${direction} NULLS LAST, cron_id ${direction}
        LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, request.limit, request.offset],
    );
    return rows;
  }

  /** How many of the user's crons match. */
  async count(userId: string, filter: CronFilter): Promise<number> {
    const [where, values] = whereClause(userId, filter);
    const { rows } = await this.pool.query<{ count: string }>(`SELECT count(*) FROM crons ${where}`, values);
    return Number(rows[0]?.count ?? 0);
  }

  /** Apply changes to the user's cron. */
  async update(target: { userId: string; cronId: string; db?: Queryable }, changes: CronChanges): Promise<CronRow> {
    const { userId, cronId, db = this.pool } = target;
    const assignments: string[] = [];
    const values: unknown[] = [cronId, userId];
    const set = (column: string, value: unknown, cast = "") => {
      values.push(value);
      assignments.push(`${column} = $${values.length}${cast}`);
    };
    if (changes.schedule !== undefined) set("schedule", changes.schedule);
    if (changes.timezone !== undefined) set("timezone", changes.timezone);
    if (changes.payload !== undefined) set("payload", JSON.stringify(changes.payload), "::jsonb");
    if (changes.metadata !== undefined) set("metadata", JSON.stringify(changes.metadata), "::jsonb");
    if (changes.onRunCompleted !== undefined) set("on_run_completed", changes.onRunCompleted);
    if (changes.enabled !== undefined) set("enabled", changes.enabled);
    if (changes.endTime !== undefined) set("end_time", changes.endTime);
    if (changes.nextRunDate !== undefined) set("next_run_date", changes.nextRunDate);
    const { rows } = await db.query<CronRow>(
      `UPDATE crons SET ${[...assignments, "updated_at = now()"].join(", ")} WHERE cron_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      values,
    );
    if (!rows[0]) throw notFound("Cron", cronId);
    return rows[0];
  }

  /** Delete the user's cron. */
  async delete(userId: string, cronId: string): Promise<void> {
    const { rowCount } = isUuid(cronId) ? await this.pool.query("DELETE FROM crons WHERE cron_id = $1 AND user_id = $2", [cronId, userId]) : { rowCount: 0 };
    if (!rowCount) throw notFound("Cron", cronId);
  }

  /** Internal (firing): a cron by id with its row locked, or undefined when it was deleted. */
  async lockForFiring(cronId: string, db: Queryable): Promise<CronRow | undefined> {
    const { rows } = await db.query<CronRow>(`SELECT ${COLUMNS} FROM crons WHERE cron_id = $1 FOR UPDATE`, [cronId]);
    return rows[0];
  }

  /** Internal (firing): record that `firedAt` fired and which firing is next. */
  async advance(cronId: string, firing: { firedAt: Date; next: Date | null }, db: Queryable): Promise<void> {
    await db.query("UPDATE crons SET last_run_date = $2, next_run_date = $3 WHERE cron_id = $1", [cronId, firing.firedAt, firing.next]);
  }

  /** Internal (tick): enabled crons whose next firing is before `horizon`, soonest first. */
  async dueBefore(horizon: Date, limit: number): Promise<Pick<CronRow, "cron_id" | "next_run_date">[]> {
    const { rows } = await this.pool.query<Pick<CronRow, "cron_id" | "next_run_date">>(
      "SELECT cron_id, next_run_date FROM crons WHERE enabled AND next_run_date IS NOT NULL AND next_run_date <= $1 ORDER BY next_run_date LIMIT $2",
      [horizon, limit],
    );
    return rows;
  }
}

function whereClause(userId: string, filter: CronFilter): [string, unknown[]] {
  const conditions = ["user_id = $1"];
  const values: unknown[] = [userId];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(condition(`$${values.length}`));
  };
  if (filter.assistant_id !== undefined) add((p) => `assistant_id = ${p}`, filter.assistant_id);
  if (filter.thread_id !== undefined) add((p) => `thread_id = ${p}::uuid`, filter.thread_id);
  if (filter.enabled !== undefined) add((p) => `enabled = ${p}`, filter.enabled);
  if (filter.metadata !== undefined) add((p) => `metadata @> ${p}::jsonb`, JSON.stringify(filter.metadata));
  return [`WHERE ${conditions.join(" AND ")}`, values];
}
