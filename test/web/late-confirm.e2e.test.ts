import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { lastAssistantText, pageErrors, TEST_LOCALE, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer();

/** A tab whose `run.start` frames carrying `marker` are held back until `release` (a very slow link). */
async function openSlowLinkPage(marker: string) {
  const context = await fixture.browser.newContext({ viewport: { width: 1100, height: 760 }, locale: TEST_LOCALE });
  const held: (() => void)[] = [];
  const keys: string[] = [];
  let holding = true;
  await context.routeWebSocket(/\/ws/, (route) => {
    const server = route.connectToServer();
    route.onMessage((message) => {
      if (typeof message === "string" && message.includes('"run.start"') && message.includes(marker)) {
        keys.push((JSON.parse(message) as { params: { client_message_id: string } }).params.client_message_id);
        if (holding) return void held.push(() => server.send(message));
      }
      server.send(message);
    });
    server.onMessage((message) => route.send(message));
  });
  const page = await context.newPage();
  trackPageErrors(page);
  await page.goto(fixture.server.url);
  await waitForChat(page);
  return {
    page,
    keys,
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const send of held.splice(0)) send();
    },
  };
}

function storedCount(threadId: string, text: string): Promise<number> {
  return fixture.server.services.pool.query("SELECT 1 FROM messages WHERE thread_id = $1 AND content = $2", [threadId, text]).then(({ rows }) => rows.length);
}

async function sendAndWaitForGivingUp(page: Page, text: string): Promise<void> {
  const input = page.locator("#composer-input");
  await input.fill(text);
  await input.press("Enter");
  // Three attempts of 15 s each go unanswered: the text comes back with a note.
  await page.locator(".composer-error").waitFor({ timeout: 60_000 });
  expect(await page.locator(".composer-error").innerText()).toMatch(/has not confirmed the message yet/);
  expect(await input.inputValue()).toBe(text);
}

describe("a message the server confirms after the page gave up", () => {
  it("leaves the message box and the note when it shows up, and sent again unchanged it is stored once", { timeout: 180_000 }, async () => {
    const link = await openSlowLinkPage("slow link");
    const { page } = link;
    const input = page.locator("#composer-input");
    const threadId = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";

    // The server gets the message after all: it and its reply show, the note and the text in the box go.
    await sendAndWaitForGivingUp(page, "first over a slow link");
    link.release();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: first over a slow link");
    await expect.poll(() => page.locator(".composer-error").count()).toBe(0);
    expect(await input.inputValue()).toBe("");
    expect(await storedCount(threadId, "first over a slow link")).toBe(1);

    // Sent again while still unconfirmed: the same client_message_id, so the server keeps one copy.
    link.hold();
    await sendAndWaitForGivingUp(page, "second over a slow link");
    await input.press("Enter");
    await expect.poll(() => link.keys.filter(Boolean).length).toBe(7);
    expect(new Set(link.keys.slice(3)).size).toBe(1);
    link.release();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: second over a slow link");
    await expect.poll(() => storedCount(threadId, "second over a slow link")).toBe(1);
    await page.waitForTimeout(1_000);
    expect(await storedCount(threadId, "second over a slow link")).toBe(1);
    expect(await page.locator(".message-user", { hasText: "second over a slow link" }).count()).toBe(1);
    expect(await input.inputValue()).toBe("");
    expect(pageErrors).toEqual([]);
  });
});
