import { request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocketType from "ws";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

const WebSocket = createRequire(import.meta.url)("ws") as typeof WebSocketType;

let database: TestDatabase;
let open: RunningServer;
let keyed: RunningServer;

beforeAll(async () => {
  database = await createTestDatabase();
  open = await startTestServer({ databaseUrl: database.url, env: { TRUSTED_ORIGINS: "http://localhost:5173/" } });
  keyed = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey" } });
});
afterAll(async () => {
  await open?.close();
  await keyed?.close();
  await database?.drop();
});

/** Open a WebSocket with browser-like headers; resolves with the upgrade's HTTP status (101 when it opened). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on("open", () => {
      socket.close();
      resolve(101);
    });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("error", reject);
  });
}

/** A raw HTTP request with exactly these headers (fetch would not let a test set Host). */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const threadCount = async (server: RunningServer) => ((await (await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json()) as unknown[]).length;

describe("a server without authentication refuses browser pages of other origins (AUTH_MODE=none)", () => {
  it("refuses a WebSocket from another origin, accepts its own origin, trusted origins and non-browser clients", async () => {
    const own = new URL(open.url).host;
    expect(await upgradeStatus(open.wsUrl, { Origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus(open.wsUrl, { Origin: "null" })).toBe(403);
    expect(await upgradeStatus(open.wsUrl, { Origin: `http://${own}` })).toBe(101);
    expect(await upgradeStatus(open.wsUrl, { Origin: "http://localhost:5173" })).toBe(101);
    expect(await upgradeStatus(open.wsUrl, {})).toBe(101);
  });

  it("refuses an HTTP write from another origin with a typed 403, creating nothing", async () => {
    const before = await threadCount(open);
    const refused = await rawPost(`${open.url}/threads`, { Origin: "https://evil.example" }, "{}");
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "forbidden", message: expect.stringContaining("TRUSTED_ORIGINS") as unknown });
    expect(await threadCount(open)).toBe(before);
    expect((await rawPost(`${open.url}/threads`, { Origin: open.url }, "{}")).status).toBe(200);
  });

  it("answers only to loopback names in Host (a DNS-rebinding site is not same-origin)", async () => {
    const port = new URL(open.url).port;
    const rebound = await rawPost(`${open.url}/threads`, { Host: `rebind.example:${port}`, Origin: `http://rebind.example:${port}` }, "{}");
    expect(rebound.status).toBe(403);
    expect(await upgradeStatus(open.wsUrl, { Host: `rebind.example:${port}` })).toBe(403);
    expect((await rawPost(`${open.url}/threads`, { Host: `localhost:${port}` }, "{}")).status).toBe(200);
  });
});

describe("with API keys the key protects, whatever the origin", () => {
  it("lets a page of another origin in with a key", async () => {
    const { key } = await keyed.services.apiKeys.create("frontend-user");
    expect(await upgradeStatus(`${keyed.wsUrl}?token=${key}`, { Origin: "https://app.example" })).toBe(101);
    expect(await upgradeStatus(keyed.wsUrl, { Origin: "https://app.example" })).toBe(401);
  });
});
