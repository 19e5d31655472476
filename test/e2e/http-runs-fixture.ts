import type { Run as SdkRun } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, expect } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { requestJson, SseClient, type SseMessage } from "./http-runs-support.js";

/** A Run as the HTTP API answers it: the SDK's shape, with the fields it does not type. */
export type RunBody = Omit<SdkRun, "status" | "multitask_strategy"> & {
  status: string;
  multitask_strategy: string;
  kwargs: Record<string, unknown>;
  cancel_reason: string | null;
};

/** A thread's values as `/wait` answers them. */
export interface Values {
  messages: { type: string; content: string; id: string; tool_calls?: unknown[] }[];
  __error__?: { error: string; message: string };
}

/** A test file's server with two API-key users, Alice and Bob, on a fresh database; requests as either. */
export interface HttpRunsFixture {
  server: () => RunningServer;
  alice: () => <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T; headers: Headers }>;
  bob: () => <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T; headers: Headers }>;
  aliceKey: () => string;
  newThread: () => Promise<string>;
  openStream: (path: string, body: unknown, key?: string) => Promise<SseClient>;
}

/** Start the server before the file's tests, stop it and drop its database after. */
export function useHttpRunsServer(): HttpRunsFixture {
  let database: TestDatabase;
  let server: RunningServer;
  let aliceKey = "";
  let bobKey = "";
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey" } });
    aliceKey = (await server.services.apiKeys.create("alice")).key;
    bobKey = (await server.services.apiKeys.create("bob")).key;
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });
  const as = (key: () => string) => () => <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    requestJson<T>(server.url, { method, path, body, headers: { Authorization: `Bearer ${key()}` } });
  const alice = as(() => aliceKey);
  return {
    server: () => server,
    alice,
    bob: as(() => bobKey),
    aliceKey: () => aliceKey,
    newThread: async () => (await alice()<{ thread_id: string }>("POST", "/threads", {})).body.thread_id,
    openStream: (path, body, key = aliceKey) =>
      SseClient.open(`${server.url}${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
}

function idOrder(id: string | undefined): [number, number] {
  const [seq, index] = (id ?? "").split(".");
  return [Number(seq), Number(index ?? 0)];
}

/** Every event has an id, each after the one before. */
export function expectIncreasingIds(events: SseMessage[]): void {
  for (const [position, event] of events.entries()) {
    expect(event.id, `event ${position} (${event.event}) has an id`).toBeDefined();
    const previous = events[position - 1];
    if (!previous) continue;
    const [seq, index] = idOrder(event.id);
    const [previousSeq, previousIndex] = idOrder(previous.id);
    expect(seq > previousSeq || (seq === previousSeq && index > previousIndex), `${previous.id} < ${event.id}`).toBe(true);
  }
}

/** The text of a stream's `messages` events, joined. */
export function streamedText(events: SseMessage[]): string {
  return events
    .filter((event) => event.event === "messages")
    .map((event) => (event.data as [{ content: string }, unknown])[0].content)
    .join("");
}
