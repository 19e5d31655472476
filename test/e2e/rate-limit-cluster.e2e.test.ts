import { describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { useTwoInstances } from "../helpers/two-instances.js";

const LIMIT = 6;
// RATE_LIMIT_SCOPE unset: on a Postgres server that means cluster.
const cluster = useTwoInstances({ RATE_LIMIT_PER_MINUTE: LIMIT });
const keyOf = (user: "alice" | "bob") => (user === "alice" ? cluster.aliceKey : cluster.bobKey);
const socket = (server: RunningServer, user: "alice" | "bob") => cluster.connect(server, keyOf(user));

/** One authenticated HTTP request; its status and Retry-After. */
async function search(server: RunningServer, user: "alice" | "bob"): Promise<{ status: number; retryAfter: string | null; body: { code?: string } }> {
  const response = await fetch(`${server.url}/threads/search`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": keyOf(user) },
    body: "{}",
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { code?: string } };
}

describe("RATE_LIMIT_PER_MINUTE across two instances on one database", () => {
  it("HTTP requests and WS commands on either instance spend one budget; both then refuse, saying when to retry", async () => {
    for (let index = 0; index < 3; index += 1) expect((await search(cluster.instanceA, "alice")).status).toBe(200);
    const onB = await socket(cluster.instanceB, "alice");
    for (let index = 0; index < 3; index += 1) await onB.call("thread.list", {});

    const refused = await search(cluster.instanceA, "alice");
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("rate_limited");
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);

    const frame = await onB.callError("thread.list", {});
    expect(frame.code).toBe("rate_limited");
    const wait = (frame.details as { retry_after_ms: number }).retry_after_ms;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60_000);
    // In words too, for clients that print only the message (the terminal's).
    expect(frame.message).toBe(`Too many requests: try again in ${Math.max(1, Math.ceil(wait / 1000))} s`);
    expect((await search(cluster.instanceB, "alice")).status).toBe(429);
  });

  it("another user's budget is untouched by alice's, on both instances", async () => {
    const onA = await socket(cluster.instanceA, "bob");
    for (let index = 0; index < LIMIT / 2; index += 1) await onA.call("thread.list", {});
    for (let index = 0; index < LIMIT / 2; index += 1) expect((await search(cluster.instanceB, "bob")).status).toBe(200);
    expect((await search(cluster.instanceB, "bob")).status).toBe(429);
  });

  it("RATE_LIMIT_SCOPE unset on a Postgres server means cluster", () => {
    expect(cluster.instanceA.services.rateLimiter.scope).toBe("cluster");
  });
});
