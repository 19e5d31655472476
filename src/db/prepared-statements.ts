import { createHash } from "node:crypto";
import pg from "pg";

/** Distinct statements one connection prepares at most; later new texts run unnamed (parsed each time). */
export const MAX_PREPARED_PER_CONNECTION = 256;

/** Statement names by text, shared by all connections (the same text always gets the same name). */
const namesByText = new Map<string, string>();
/** Bound on `namesByText`: texts past it are still prepared, their names just hashed again each time. */
const MAX_REMEMBERED_NAMES = 4096;
/** Texts whose prepared plan Postgres refused after a schema change: they run unnamed from then on. */
const unpreparable = new Set<string>();

/**
 * Postgres refuses to reuse a prepared statement whose result columns changed (a migration by another instance):
 * "cached plan must not change result type", SQLSTATE 0A000. Matched by code alone, as the message is translated
 * under a non-English `lc_messages`; any other 0A000 on a statement only makes it run unprepared from then on.
 */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "0A000";
}

/** The statement name for a text: a hash, so two texts never share a name on a connection. */
export function statementName(text: string): string {
  const known = namesByText.get(text);
  if (known) return known;
  const name = `tl_${createHash("sha1").update(text).digest("base64url")}`;
  if (namesByText.size < MAX_REMEMBERED_NAMES) namesByText.set(text, name);
  return name;
}

type QueryArgs = [first: unknown, values?: unknown, callback?: unknown];

/**
 * A `pg` client that runs every parameterised statement as a named prepared statement: Postgres parses and plans
 * each distinct statement once per connection instead of at every call (our per-turn statements are large CTEs;
 * planning them was about a third of the database's CPU per turn). Like postgres.js's default `prepare: true`.
 * Statements without parameters (BEGIN, COMMIT, …) and query objects such as cursors are passed through as they are.
 */
export class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const query = pg.Client.prototype.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: QueryArgs) => this.runPrepared(query, args)) as pg.Client["query"];
  }

  private runPrepared(query: (...args: unknown[]) => unknown, args: QueryArgs): unknown {
    const [first, values, callback] = args;
    const config: Partial<pg.QueryConfig> & { submit?: unknown } = typeof first === "string" ? { text: first } : (first as Partial<pg.QueryConfig>);
    const parameters = Array.isArray(config.values) ? config.values : Array.isArray(values) ? values : undefined;
    if (typeof config !== "object" || config === null || config.submit !== undefined || config.name !== undefined || typeof config.text !== "string"
      || !parameters || parameters.length === 0 || unpreparable.has(config.text)) {
      return query(...args);
    }
    const name = statementName(config.text);
    if (!this.prepared.has(name)) {
      if (this.prepared.size >= MAX_PREPARED_PER_CONNECTION) return query(...args);
      this.prepared.add(name);
    }
    const text = config.text;
    const named = { ...config, name, values: parameters };
    const forget = (error: unknown) => {
      if (isStalePlan(error)) unpreparable.add(text);
    };
    const done = typeof callback === "function" ? callback : typeof values === "function" ? values : undefined;
    if (done) {
      return query(named, (error: unknown, result: unknown) => {
        forget(error);
        (done as (error: unknown, result: unknown) => void)(error, result);
      });
    }
    return (query(named) as Promise<unknown>).catch((error: unknown) => {
      forget(error);
      throw error;
    });
  }
}
