import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { launchBrowser } from "./browser.js";

// A front-end of another origin (the official SDK in a web app) calls the API from a real browser: with API keys
// or JWTs any origin may (the Authorization header is the protection), without authentication only TRUSTED_ORIGINS.

let database: TestDatabase;
let browser: Browser & AsyncDisposable;
let frontEnd: Server;
let frontEndOrigin: string;

beforeAll(async () => {
  database = await createTestDatabase();
  browser = await launchBrowser();
  frontEnd = createServer((_request, response) => response.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>front-end</title>"));
  await new Promise<void>((resolve) => frontEnd.listen(0, "127.0.0.1", resolve));
  // Another port is another origin; "localhost" keeps it apart from the API's 127.0.0.1 in the browser's eyes too.
  frontEndOrigin = `http://localhost:${(frontEnd.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser[Symbol.asyncDispose]();
  await new Promise((resolve) => frontEnd.close(resolve));
  await database.drop();
});

/** A page of the front-end's origin. */
async function frontEndPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(frontEndOrigin);
  return page;
}

/** What the page's fetch got: status, a readable header and body, or the browser's refusal. */
function callFromPage(page: Page, url: string, init: { method: string; headers: Record<string, string>; body?: string }) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return { status: response.status, location: response.headers.get("Content-Location"), body: (await response.json()) as unknown };
      } catch (error) {
        return { refused: String(error) };
      }
    },
    { url, init },
  );
}

describe("a browser page of another origin", () => {
  it("calls a server with API keys: preflight answered before authentication, responses and their headers readable", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey" } });
    const { key } = await server.services.apiKeys.create("web-dev");
    const page = await frontEndPage();
    const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
    const created = await callFromPage(page, `${server.url}/threads`, { method: "POST", headers, body: "{}" });
    expect(created).toMatchObject({ status: 200, body: { thread_id: expect.any(String) as string } });
    const threadId = (created as { body: { thread_id: string } }).body.thread_id;
    const run = await callFromPage(page, `${server.url}/threads/${threadId}/runs`, { method: "POST", headers, body: JSON.stringify({ input: { messages: [{ role: "user", content: "hi" }] } }) });
    expect(run).toMatchObject({ status: 200, location: expect.stringContaining(`/threads/${threadId}/runs/`) as string });
    // Without the key: the server's typed 401, readable by the page (not a bare network failure).
    expect(await callFromPage(page, `${server.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).toMatchObject({ status: 401, body: { code: "unauthorized" } });
    await page.close();
  });

  it("calls a server without authentication only from TRUSTED_ORIGINS", async () => {
    await using trusting = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "none", TRUSTED_ORIGINS: frontEndOrigin } });
    const page = await frontEndPage();
    const headers = { "Content-Type": "application/json" };
    expect(await callFromPage(page, `${trusting.url}/threads/search`, { method: "POST", headers, body: "{}" })).toMatchObject({ status: 200, body: [] });
    await trusting.close();

    await using other = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "none" } });
    expect(await callFromPage(page, `${other.url}/threads/search`, { method: "POST", headers, body: "{}" })).toMatchObject({ refused: expect.stringContaining("Failed to fetch") as string });
    await page.close();
  });
});
