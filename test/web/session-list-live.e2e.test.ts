import type { Browser, Page, WebSocket as PageSocket } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { TOOLS_WITH_SLOW } from "../helpers/slow-tool.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { currentThread, lastAssistantText, openPage, openTwoTabs, pageErrors, screenshot, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

// Replies stream slowly enough for another tab to see them running.
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 250 }, tools: TOOLS_WITH_SLOW });
let server: RunningServer;
let browser: Browser;
beforeAll(() => {
  ({ server, browser } = fixture);
});

const item = (page: Page, threadId: string) => page.locator(`.session-item[data-thread-id="${threadId}"]`);
const titleIn = (page: Page, threadId: string) => item(page, threadId).locator(".session-title").innerText();

/** Record every session id and title the page's list shows from now on (`shownTitles` reads them). */
async function recordShownTitles(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { shownTitles: Set<string> }).shownTitles = seen;
    const record = () =>
      document.querySelectorAll(".session-item").forEach((entry) => seen.add(`${entry.getAttribute("data-thread-id") ?? ""} ${entry.querySelector(".session-title")?.textContent ?? ""}`));
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    record();
  });
}

/** What `recordShownTitles` saw: `<thread id> <title>` per session and title shown. */
function shownTitles(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { shownTitles: Set<string> }).shownTitles]);
}

describe("the session list of every tab follows the user's sessions live", () => {
  it("a session created, renamed (here and through the API) and deleted in one tab shows so in the other at once", async () => {
    const [watching, acting] = await openTwoTabs(browser, server.url);
    // The watching tab is never focused or refreshed from here on: what it shows comes from the server's notices.
    await sendMessage(acting, "something to leave the window's own session used");
    await expect.poll(() => lastAssistantText(acting).catch(() => ""), { timeout: 10_000 }).toMatch(/^You said/);
    await recordShownTitles(watching);
    const created = await startNewChat(acting);

    await item(acting, created).getByRole("button", { name: /^Rename/ }).click();
    await acting.locator(".rename-input").fill("Trip to Lisbon");
    await acting.locator(".rename-input").press("Enter");
    await expect.poll(() => titleIn(watching, created), { timeout: 5_000 }).toBe("Trip to Lisbon");
    // Blank (untitled, nothing said) it showed only in the tab that had it open; titled, it shows everywhere.
    expect((await shownTitles(watching)).filter((entry) => entry.startsWith(created))).toEqual([`${created} Trip to Lisbon`]);

    // Another device, or a script, renames it through the HTTP API: both tabs follow.
    const patched = await fetch(`${server.url}/threads/${created}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "Trip to Porto" }) });
    expect(patched.status).toBe(200);
    await expect.poll(() => titleIn(watching, created), { timeout: 5_000 }).toBe("Trip to Porto");
    await expect.poll(() => titleIn(acting, created), { timeout: 5_000 }).toBe("Trip to Porto");
    // The tab that has it open renames its header and the browser tab's title too.
    await expect.poll(() => acting.locator(".chat-title h1").innerText(), { timeout: 5_000 }).toBe("Trip to Porto");
    expect(await acting.title()).toBe("Trip to Porto · Threadline");
    await screenshot(watching, "web-session-list-live");

    // Deleted in the acting tab (the watching tab does not have it open): it leaves the watching tab's list, quietly.
    await item(acting, created).getByRole("button", { name: /^Delete/ }).click();
    await acting.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => item(watching, created).count(), { timeout: 5_000 }).toBe(0);
    expect(await watching.locator(".composer-error").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await watching.context().close();
  });

  it("a new tab's blank session shows only in that tab until something is said there; + New chat on a blank session makes no other", async () => {
    const watching = await openPage(browser, server.url);
    await waitForChat(watching);
    const own = (await currentThread(watching)) ?? "";
    await expect.poll(() => titleIn(watching, own)).toBe("New chat");
    await recordShownTitles(watching);
    // A second tab of the same browser: a window of its own, so a blank session of its own.
    const acting = await watching.context().newPage();
    await acting.goto(server.url);
    await waitForChat(acting);
    const fresh = (await currentThread(acting)) ?? "";
    expect(fresh).not.toBe(own);
    expect(await item(acting, own).count()).toBe(0);
    expect(await startNewChat(acting)).toBe(fresh);
    const sessions = async () => ((await (await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ limit: 1000 }) })).json()) as unknown[]).length;
    const before = await sessions();
    await startNewChat(acting);
    expect(await sessions()).toBe(before);

    await sendMessage(acting, "Plans for the weekend");
    await expect.poll(() => titleIn(watching, fresh), { timeout: 10_000 }).toBe("Plans for the weekend");
    expect((await shownTitles(watching)).filter((entry) => entry.startsWith(fresh))).toEqual([`${fresh} Plans for the weekend`]);
    // Switched away from, the watching tab's own blank session leaves its list too.
    await item(watching, fresh).locator(".session-select").click();
    await watching.locator(".message-user", { hasText: "Plans for the weekend" }).waitFor();
    expect(await item(watching, own).count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await watching.context().close();
  });

  it("a reply in one tab shows as replying in the other's list, then as done, a failed one as failed; a tool awaiting approval as waiting", async () => {
    const [watching, acting] = await openTwoTabs(browser, server.url);
    const threadId = await startNewChat(acting);
    const dot = (page: Page, kind: string) => item(page, threadId).locator(kind).count();

    await sendMessage(acting, "Tell me about the tides");
    await expect.poll(() => dot(watching, ".status-dot:not(.status-waiting)"), { timeout: 5_000 }).toBe(1);
    expect(await item(watching, threadId).locator(".status-dot").getAttribute("aria-label")).toBe("replying");
    // The reply ended: the dot goes, with no refresh of the watching tab's list.
    await expect.poll(() => dot(watching, ".status-dot"), { timeout: 10_000 }).toBe(0);

    // A failed reply leaves a red dot until the next one succeeds.
    await sendMessage(acting, "/fail the provider is down");
    await expect.poll(() => dot(watching, ".status-failed"), { timeout: 10_000 }).toBe(1);
    expect(await item(watching, threadId).locator(".status-failed").getAttribute("aria-label")).toBe("the last reply failed");
    await sendMessage(acting, "Try again");
    await expect.poll(() => dot(watching, ".status-dot:not(.status-waiting):not(.status-failed)"), { timeout: 5_000 }).toBe(1);
    await expect.poll(() => dot(watching, ".status-dot"), { timeout: 10_000 }).toBe(0);

    await sendMessage(acting, '/tool send_email {"to":"ada@example.com","subject":"Tides","body":"High at 10"}');
    await acting.locator(".approval-card").waitFor({ timeout: 15_000 });
    await expect.poll(() => dot(watching, ".status-waiting"), { timeout: 5_000 }).toBe(1);
    expect(await item(watching, threadId).locator(".status-waiting").getAttribute("aria-label")).toBe("waiting for you");
    // The watching tab's list has the session first: it is the newest activity.
    expect(await watching.locator(".session-item").first().getAttribute("data-thread-id")).toBe(threadId);
    expect(pageErrors).toEqual([]);
    await watching.context().close();
  });

  it("a reply another client stops with run.cancel {action: interrupt} is interrupted but waits for nobody: no waiting dot, after a reload too", async () => {
    const [watching, acting] = await openTwoTabs(browser, server.url);
    const threadId = await startNewChat(acting);
    await sendMessage(acting, '/tool slow_task {"ms": 20000}');
    await expect.poll(() => item(watching, threadId).locator(".status-dot").count(), { timeout: 5_000 }).toBe(1);
    await using client = await TestWsClient.connect(server.wsUrl);
    const runs = (await (await fetch(`${server.url}/threads/${threadId}/runs`)).json()) as { run_id: string; status: string }[];
    const running = runs.find((run) => run.status === "running");
    await client.call("run.cancel", { thread_id: threadId, run_id: running?.run_id, action: "interrupt" });
    await expect.poll(async () => (await client.call<{ status: string }>("thread.get", { thread_id: threadId })).status, { timeout: 5_000 }).toBe("interrupted");
    await expect.poll(() => item(watching, threadId).locator(".status-dot").count(), { timeout: 5_000 }).toBe(0);
    await watching.reload();
    await item(watching, threadId).waitFor({ timeout: 5_000 });
    expect(await item(watching, threadId).locator(".status-dot").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await watching.context().close();
  });

  it("a page load reads the list once", async () => {
    const listReads: string[] = [];
    const page = await openPage(browser, "about:blank");
    page.on("websocket", (socket) => socket.on("framesent", ({ payload }) => void (String(payload).includes('"thread.list"') && listReads.push(String(payload)))));
    await page.goto(server.url);
    await waitForChat(page);
    await page.locator(".session-item").first().waitFor();
    await page.waitForTimeout(500);
    expect(listReads).toHaveLength(1);
    await page.context().close();
  });

  it("a stateless API call's throwaway thread never shows in the list, and its notices cost no list read", async () => {
    const sockets: PageSocket[] = [];
    const page = await openPage(browser, "about:blank");
    page.on("websocket", (socket) => sockets.push(socket));
    await page.goto(server.url);
    await startNewChat(page);
    // Every session the list ever shows from here on, and every list read the page sends.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { listedEver: Set<string> }).listedEver = seen;
      const record = () => document.querySelectorAll(".session-item").forEach((item) => seen.add(item.getAttribute("data-thread-id") ?? ""));
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true });
      record();
    });
    const shownBefore = await page.locator(".session-item").evaluateAll((items) => items.map((entry) => entry.getAttribute("data-thread-id") ?? ""));
    const listReads: string[] = [];
    for (const socket of sockets) socket.on("framesent", ({ payload }) => void (String(payload).includes('"thread.list"') && listReads.push(String(payload))));

    // Streams in four chunks of 250 ms: its thread exists (busy, titled) for about a second, then is deleted.
    const answer = await fetch(`${server.url}/runs/wait`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ assistant_id: "chat", input: { messages: [{ role: "user", content: "A one-off question" }] } }) });
    expect(answer.status).toBe(200);
    // The status comes at once, the body when the run has ended (and its thread is gone).
    await answer.text();
    // Its notices (created, busy, titled, idle, deleted) have all reached the page by the time a later one does.
    const after = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "Marker", metadata: { marker: true } }) });
    const { thread_id: marker } = (await after.json()) as { thread_id: string };
    await expect.poll(() => item(page, marker).count(), { timeout: 5_000 }).toBe(1);

    const listed = await page.evaluate(() => [...(window as unknown as { listedEver: Set<string> }).listedEver]);
    expect(listed.sort()).toEqual([...shownBefore, marker].sort());
    expect(listReads).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
