import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { currentThread, lastAssistantText, openPage, openTwoTabs, pageErrors, recordStreaming, screenshot, sendMessage, streamSnapshots, openCuttablePage, useBrowserServer, waitForChat } from "./browser.js";
import { postStateEdit } from "../helpers/state-edit.js";

const CHUNK_DELAY_MS = 300;

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS } });
let server: RunningServer;
let browser: Browser;
beforeAll(() => {
  ({ server, browser } = fixture);
});

/** Two tabs of one browser profile: shared localStorage, separate sessionStorage (so separate windows). */
function twoTabs(): Promise<[Page, Page]> {
  return openTwoTabs(browser, server.url);
}

describe("live in every tab", () => {
  it("gives a second tab its own window, and shows the same session's stream live in both", async () => {
    const [first, second] = await twoTabs();
    const firstThread = await currentThread(first);
    expect(firstThread).toBeTruthy();
    expect(await currentThread(second)).not.toBe(firstThread);

    await sendMessage(first, "shared hello");
    await expect.poll(() => lastAssistantText(first).catch(() => ""), { timeout: 10_000 }).toBe("You said: shared hello");
    await second.reload();
    await waitForChat(second);
    await second.locator(`.session-item[data-thread-id="${firstThread}"] .session-select`).click();
    await second.locator(".message-user", { hasText: "shared hello" }).waitFor();

    await recordStreaming(second);
    await sendMessage(first, "watch this in the other tab");
    await expect.poll(() => lastAssistantText(second).catch(() => ""), { timeout: 10_000 }).toBe("You said: watch this in the other tab");
    const snapshots = await streamSnapshots(second);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (const snapshot of snapshots) expect("You said: watch this in the other tab".startsWith(snapshot)).toBe(true);
    await screenshot(second, "web-second-tab-live");
    await first.context().close();
  });

  it("joining a reply mid-stream replays its beginning, so the text is whole", async () => {
    const [first, second] = await twoTabs();
    const firstThread = await currentThread(first);
    await sendMessage(first, "a reply the other tab joins halfway through");
    await first.locator(".message-streaming").waitFor({ timeout: 10_000 });
    await first.waitForTimeout(CHUNK_DELAY_MS);
    await recordStreaming(second);
    await second.locator(`.session-item[data-thread-id="${firstThread}"] .session-select`).click().catch(async () => {
      // The sidebar may not list the session yet: refresh by focusing, then pick it.
      await second.reload();
      await waitForChat(second);
      await second.locator(`.session-item[data-thread-id="${firstThread}"] .session-select`).click();
    });
    await expect.poll(() => lastAssistantText(second).catch(() => ""), { timeout: 10_000 }).toBe("You said: a reply the other tab joins halfway through");
    const final = "You said: a reply the other tab joins halfway through";
    for (const snapshot of await streamSnapshots(second)) expect(final.startsWith(snapshot)).toBe(true);
    await first.context().close();
  });

  it("shows a reconnecting indicator when the socket drops and resumes from the last seq without losing or repeating text", async () => {
    const tab = await openCuttablePage(browser, server.url);
    const { page } = tab;

    const text = "resume me after the network comes back";
    const final = `You said: ${text}`;
    await recordStreaming(page);
    await sendMessage(page, text);
    await page.locator(".message-streaming").waitFor({ timeout: 10_000 });
    await tab.cut();
    await page.getByTestId("connection-status").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("connection-status").innerText()).toContain("reconnecting");
    await screenshot(page, "web-reconnecting");
    // The reply finishes on the server while this tab is offline.
    await page.waitForTimeout(CHUNK_DELAY_MS * 5);
    tab.restore();
    await page.getByTestId("connection-status").waitFor({ state: "detached", timeout: 15_000 });
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe(final);
    expect(await page.locator(".message-assistant", { hasText: final }).count()).toBe(1);
    expect(await page.locator(".message-user", { hasText: text }).count()).toBe(1);
    const snapshots = await streamSnapshots(page);
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    for (const snapshot of snapshots) expect(final.startsWith(snapshot)).toBe(true);

    // And the connection is live again: a new turn streams normally.
    await sendMessage(page, "after the reconnect");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: after the reconnect");
    await tab.close();
    expect(pageErrors).toEqual([]);
  });
  it("shows the model at work until the reply's first token, then the reply in its place", async () => {
    // A reasoning model can think for a minute before its first token: the page showed only the user's bubble.
    const page = await openPage(browser, server.url);
    await waitForChat(page);
    await sendMessage(page, "think first");
    const thinking = page.locator(".message-thinking .thinking");
    await thinking.waitFor({ timeout: 5_000 });
    expect(await thinking.innerText()).toBe("Thinking");
    await page.locator(".message-streaming .markdown").waitFor({ timeout: 10_000 });
    await expect.poll(() => thinking.count()).toBe(0);
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: think first");
    expect(await thinking.count()).toBe(0);
    await page.context().close();
  });

  it("says it is reconnecting as soon as the device goes offline, and a message sent meanwhile arrives once it is back", async () => {
    // Offline, the socket stays "open" (no close ever comes): the page showed nothing until a send gave up.
    const page = await openPage(browser, server.url);
    await waitForChat(page);
    await page.context().setOffline(true);
    await page.getByTestId("connection-status").waitFor({ timeout: 2_000 });
    expect(await page.getByTestId("connection-status").innerText()).toContain("reconnecting");
    await sendMessage(page, "sent while offline");
    await page.waitForTimeout(1_000);
    await page.context().setOffline(false);
    await page.getByTestId("connection-status").waitFor({ state: "detached", timeout: 15_000 });
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 20_000 }).toBe("You said: sent while offline");
    expect(await page.locator(".message-user", { hasText: "sent while offline" }).count()).toBe(1);
    await page.context().close();
  });

  it("shows a reply replaced by a state edit in place, marked edited", async () => {
    const page = await openPage(browser, server.url);
    await waitForChat(page);
    await sendMessage(page, "remember 4111 1111");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: remember 4111 1111");
    const threadId = await currentThread(page);
    const listed = (await (await fetch(`${server.url}/threads/${threadId}/messages?limit=10`)).json()) as { messages: { id: string; role: string }[] };
    const reply = listed.messages.find((message) => message.role === "assistant");
    const edit = () => postStateEdit(server.url, threadId ?? "", [{ role: "assistant", content: "You said: remember [redacted]", id: reply?.id }]).then((response) => response.status);
    // The reply shows before its run's bookkeeping ends; an edit meanwhile is refused as busy (409).
    await expect.poll(edit, { timeout: 10_000 }).toBe(200);
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: remember [redacted]");
    await page.locator(".message-assistant .edited-badge").waitFor();
    expect(await page.locator(".message-assistant").count()).toBe(1);
    await page.context().close();
  });
});
