import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveRateLimitScope, UserRateLimiter, type UserRateLimiterOptions } from "../../src/auth/rate-limiter.js";
import { createPool } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { AppError } from "../../src/errors/app-error.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";

let database: TestDatabase;
const pools: pg.Pool[] = [];
const limiters: UserRateLimiter[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await migrate({ pool: pool(), logger: pino({ level: "silent" }) });
});
afterEach(() => {
  for (const limiter of limiters.splice(0)) limiter.close();
});
afterAll(async () => {
  await Promise.all(pools.map((each) => each.end()));
  await database.drop();
});

/** A pool of its own, as each instance has. */
function pool(): pg.Pool {
  const created = createPool({ connectionString: database.url, max: 2, logger: pino({ level: "silent" }), prepared: true, pipeline: true });
  pools.push(created);
  return created;
}

/** A cluster-scoped limiter on its own pool: one instance. */
function instance(options: Partial<UserRateLimiterOptions> = {}): UserRateLimiter {
  const limiter = new UserRateLimiter({ perMinute: 5, scope: "cluster", pool: pool(), ...options });
  limiters.push(limiter);
  return limiter;
}

/** Spend `count` points; how many were allowed. */
async function spend(limiter: UserRateLimiter, userId: string, count: number): Promise<number> {
  let allowed = 0;
  for (let index = 0; index < count; index += 1) {
    try {
      await limiter.consume(userId);
      allowed += 1;
    } catch (error) {
      if (!isRateLimited(error)) throw error;
    }
  }
  return allowed;
}

function isRateLimited(error: unknown): boolean {
  return error instanceof AppError && error.code === "rate_limited";
}

async function refusal(limiter: UserRateLimiter, userId: string): Promise<AppError> {
  const error: unknown = await limiter.consume(userId).then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof AppError)) throw new Error(`expected rate_limited, got ${String(error)}`);
  return error;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("cluster scope", () => {
  it("instances on one database share a user's budget", async () => {
    const [a, b] = [instance(), instance()];
    expect(await spend(a, "shared", 3)).toBe(3);
    expect(await spend(b, "shared", 3)).toBe(2);
    for (const limiter of [a, b]) {
      const error = await refusal(limiter, "shared");
      expect(error.code).toBe("rate_limited");
      const wait = (error.details as { retry_after_ms: number }).retry_after_ms;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(60_000);
    }
  });

  it("one user's spending never touches another's budget", async () => {
    const [a, b] = [instance(), instance()];
    expect(await spend(a, "alice", 8)).toBe(5);
    expect(await spend(b, "bob", 3)).toBe(3);
    expect(await spend(a, "bob", 3)).toBe(2);
    expect(await spend(b, "carol", 5)).toBe(5);
  });

  it("refuses the rest of the window from memory: requests over budget write nothing", async () => {
    const limiter = instance();
    expect(await spend(limiter, "flood", 20)).toBe(5);
    const { rows } = await admin((client) => client.query<{ points: number }>("SELECT points FROM rate_limit_points WHERE key = 'user:flood'"));
    expect(rows[0]?.points).toBe(6);
  });

  it("an ended window's rows are swept; the next request starts a fresh budget", async () => {
    const limiter = instance();
    await spend(limiter, "old", 5);
    await admin((client) => client.query("UPDATE rate_limit_points SET expire = $1 WHERE key = 'user:old'", [Date.now() - 1000]));
    await limiter.sweep();
    const { rowCount } = await admin((client) => client.query("SELECT 1 FROM rate_limit_points WHERE key = 'user:old'"));
    expect(rowCount).toBe(0);
    expect(await spend(limiter, "old", 5)).toBe(5);
  });
});

describe("insurance: the database failing or stalling does not refuse every request", () => {
  it("a failing store: this instance's memory decides (the whole budget, then refusals) and says so once", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()) }));
    const limiter = instance({ logger });
    await admin((client) => client.query("ALTER TABLE rate_limit_points RENAME TO rate_limit_points_away"));
    try {
      expect(await spend(limiter, "insured", 7)).toBe(5);
      expect((await refusal(limiter, "insured")).code).toBe("rate_limited");
    } finally {
      await admin((client) => client.query("ALTER TABLE rate_limit_points_away RENAME TO rate_limit_points"));
    }
    const warnings = lines.filter((line) => line.includes("the rate limit's database store failed"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({ level: 40, err: { code: "42P01" } });
  });

  it("a stalled store (its table locked): decided within the timeout instead of waiting", async () => {
    const limiter = instance({ storeTimeoutMs: 200 });
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE rate_limit_points IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      expect(await spend(limiter, "stalled", 2)).toBe(2);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await locker.query("ROLLBACK");
      await locker.end();
    }
  });

  it("a closed limiter (its pool about to close) answers from memory", async () => {
    const limiter = instance();
    limiter.close();
    expect(await spend(limiter, "closing", 6)).toBe(5);
  });
});

describe("instance scope", () => {
  it("keeps each instance's count apart (N instances allow N times the limit)", async () => {
    const [a, b] = [new UserRateLimiter({ perMinute: 3 }), new UserRateLimiter({ perMinute: 3 })];
    expect(await spend(a, "alone", 4)).toBe(3);
    expect(await spend(b, "alone", 4)).toBe(3);
  });

  it("is the default on the embedded database, cluster on a Postgres server, unless configured", () => {
    expect(resolveRateLimitScope(undefined, "embedded")).toBe("instance");
    expect(resolveRateLimitScope(undefined, "postgres")).toBe("cluster");
    expect(resolveRateLimitScope("instance", "postgres")).toBe("instance");
    expect(resolveRateLimitScope("cluster", "embedded")).toBe("cluster");
  });
});
