import { createHmac } from "node:crypto";
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
      await page.locator("#composer-input").fill("a thought I had not sent yet");
      await own.services.apiKeys.revoke(info.key_id);
      await page.getByLabel("API key").waitFor({ timeout: 10_000 });
      expect(await page.getByRole("alert").innerText()).toMatch(/revoked or your session expired/);
      expect(await page.evaluate(() => localStorage.getItem("threadline.token"))).toBeNull();
      // Signed in again as the same user: the unsent text is back. As someone else: it is not theirs to see.
      const { key: again } = await own.services.apiKeys.create("carol");
      await page.getByLabel("API key").fill(again);
      await page.getByLabel("API key").press("Enter");
      await expect.poll(() => page.locator("#composer-input").inputValue().catch(() => ""), { timeout: 10_000 }).toBe("a thought I had not sent yet");
      await page.reload();
      await expect.poll(() => page.locator("#composer-input").inputValue().catch(() => ""), { timeout: 10_000 }).toBe("a thought I had not sent yet");
      await page.getByRole("button", { name: "Sign out" }).click();
      const { key: dave } = await own.services.apiKeys.create("dave");
      await page.getByLabel("API key").fill(dave);
      await page.getByLabel("API key").press("Enter");
      await waitForChat(page);
      expect(await page.locator("#composer-input").inputValue()).toBe("");
    } finally {
      await own.close();
    }
  });
});

/** An HS256 JWT for `sub`, expiring `expiresInSeconds` from now (negative: already expired). */
function signJwt(secret: string, sub: string, expiresInSeconds: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub, exp: Math.floor(Date.now() / 1000) + expiresInSeconds })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

describe("sign-in (AUTH_MODE=jwt)", () => {
  it("asks for a token without mentioning API keys, and says token when one has expired or is refused, at sign-in or later", async () => {
    const secret = "web-test-secret-0123456789abcdef";
    const own = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: secret, WS_REAUTH_MS: 300 } });
    try {
      const page = await openPage(browser, own.url);
      await page.getByLabel("Access token").waitFor();
      const form = await page.locator(".sign-in-card").innerText();
      expect(form).toContain("Sign in with your access token.");
      expect(form).not.toMatch(/keys create|Create a key/);
      await screenshot(page, "web-sign-in-jwt");

      await page.getByLabel("Access token").fill(signJwt(secret, "dana", -60));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
      expect(await page.getByRole("alert").innerText()).toMatch(/^That token has expired/);

      await page.getByLabel("Access token").fill(signJwt("another-secret-0123456789abcdefgh", "dana", 600));
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect.poll(() => page.getByRole("alert").innerText()).toBe("That token was not accepted");

      // A token that expires while the page is open: back to the form, which says token, not key.
      await page.getByLabel("Access token").fill(signJwt(secret, "dana", 3));
      await page.getByRole("button", { name: "Sign in" }).click();
      await waitForChat(page);
      await page.getByLabel("Access token").waitFor({ timeout: 15_000 });
      expect(await page.getByRole("alert").innerText()).toBe("Your token expired or was refused; please sign in again.");
      await page.context().close();
    } finally {
      await own.close();
    }
  });
});
