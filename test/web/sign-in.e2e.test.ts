import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { RunningServer } from "../../src/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { lastAssistantText, launchBrowser, openPage, screenshot, sendMessage, waitForChat } from "./browser.js";

let database: TestDatabase;
let server: RunningServer;
let browser: Browser & AsyncDisposable;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", FAKE_CHUNK_DELAY_MS: 30 } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
});

describe("sign-in (AUTH_MODE=apikey)", () => {
  it("asks for a key, rejects a wrong one, remembers a right one across reloads, and signs out", async () => {
    const { key } = await server.services.apiKeys.create("alice", "browser test");
    const page = await openPage(browser, server.url);
    await page.getByLabel("API key").waitFor();
    await screenshot(page, "web-sign-in");

    await page.getByLabel("API key").fill("tl_wrong-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toMatch(/not accepted/);

    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitForChat(page);
    await sendMessage(page, "signed in");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: signed in");

    await page.reload();
    await waitForChat(page);
    await page.locator(".message-user", { hasText: "signed in" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => localStorage.getItem("threadline.token"))).toBeNull();
  });

  it("sends a revoked remembered key back to the sign-in form", async () => {
    const { key, info } = await server.services.apiKeys.create("bob");
    const page = await openPage(browser, server.url);
    await page.evaluate((token) => localStorage.setItem("threadline.token", token), key);
    await page.reload();
    await waitForChat(page);
    await server.services.apiKeys.revoke(info.key_id);
    await page.reload();
    await page.getByLabel("API key").waitFor();
    expect(await page.getByRole("alert").innerText()).toMatch(/no longer accepted/);
  });

  it("a key revoked while the page is open sends it to the sign-in form instead of reconnecting forever", async () => {
    const own = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "apikey", WS_REAUTH_MS: 200 } });
    try {
      const { key, info } = await own.services.apiKeys.create("carol");
      const page = await openPage(browser, own.url);
      await page.evaluate((token) => localStorage.setItem("threadline.token", token), key);
      await page.reload();
      await waitForChat(page);
      await own.services.apiKeys.revoke(info.key_id);
      await page.getByLabel("API key").waitFor({ timeout: 10_000 });
      expect(await page.getByRole("alert").innerText()).toMatch(/revoked or your session expired/);
      expect(await page.evaluate(() => localStorage.getItem("threadline.token"))).toBeNull();
    } finally {
      await own.close();
    }
  });
});
