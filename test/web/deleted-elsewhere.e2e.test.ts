import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { currentThread, lastAssistantText, openTwoTabs, pageErrors, screenshot, sendMessage, openCuttablePage, TEST_LOCALE, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer();
let server: RunningServer;
let browser: Browser;
beforeAll(() => {
  ({ server, browser } = fixture);
});

async function deleteFromSidebar(page: Page, threadId: string): Promise<void> {
  await page.locator(`.session-item[data-thread-id="${threadId}"]`).getByRole("button", { name: /^Delete/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect.poll(() => page.locator(`.session-item[data-thread-id="${threadId}"]`).count()).toBe(0);
}

/** Make `page` list the sessions the server has now (the list refreshes on focus). */
async function refreshList(page: Page): Promise<void> {
  await page.evaluate(() => window.dispatchEvent(new Event("focus")));
}

describe("a session deleted in another window", () => {
  it("the window that had it open moves to a session of its own at once, says why, and keeps the unsent draft", async () => {
    const [watching, deleting] = await openTwoTabs(browser, server.url);
    await sendMessage(watching, "this session is about to go");
    await expect.poll(() => lastAssistantText(watching).catch(() => ""), { timeout: 15_000 }).toBe("You said: this session is about to go");
    const doomed = await currentThread(watching);
    expect(doomed).toBeTruthy();
    const input = watching.locator("#composer-input");
    await input.fill("a draft I have not sent");

    await refreshList(deleting);
    await deleteFromSidebar(deleting, doomed ?? "");

    // Without sending anything: the server's thread.deleted moves the tab and says so.
    const alert = watching.locator(".composer-error");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toMatch(/deleted in another window/);
    expect(await alert.innerText()).not.toMatch(/not sent|not_found/);
    await expect.poll(() => currentThread(watching)).not.toBe(doomed);
    expect(await currentThread(watching)).toBeTruthy();
    expect(await watching.locator(`.session-item[data-thread-id="${doomed ?? ""}"]`).count()).toBe(0);
    expect(await watching.locator(".message-user", { hasText: "this session is about to go" }).count()).toBe(0);
    expect(await input.inputValue()).toBe("a draft I have not sent");
    await screenshot(watching, "web-session-deleted-elsewhere");

    // The draft goes to the session the tab is on now.
    await input.press("Enter");
    await expect.poll(() => lastAssistantText(watching).catch(() => ""), { timeout: 15_000 }).toBe("You said: a draft I have not sent");
    // The deleting tab saw nothing of the kind: it deleted a session it did not have open.
    expect(await deleting.locator(".composer-error").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await watching.context().close();
  });

  it("a window that was disconnected when its open session was deleted moves away as it reconnects, and keeps the draft", async () => {
    const tab = await openCuttablePage(browser, server.url);
    const { page } = tab;
    await sendMessage(page, "deleted while I was away");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: deleted while I was away");
    const doomed = (await currentThread(page)) ?? "";
    const input = page.locator("#composer-input");
    await input.fill("a draft typed offline");

    await tab.cut();
    await page.getByTestId("connection-status").waitFor({ timeout: 5_000 });
    // Deleted elsewhere (here through the API) while this tab cannot hear the server's notice.
    expect((await fetch(`${server.url}/threads/${doomed}`, { method: "DELETE" })).status).toBe(204);
    tab.restore();
    await page.getByTestId("connection-status").waitFor({ state: "detached", timeout: 15_000 });

    const alert = page.locator(".composer-error");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toMatch(/deleted in another window/);
    await expect.poll(() => currentThread(page)).not.toBe(doomed);
    expect(await currentThread(page)).toBeTruthy();
    expect(await page.locator(`.session-item[data-thread-id="${doomed}"]`).count()).toBe(0);
    expect(await page.locator(".message-user", { hasText: "deleted while I was away" }).count()).toBe(0);
    expect(await input.inputValue()).toBe("a draft typed offline");
    await screenshot(page, "web-session-deleted-while-offline");
    expect(pageErrors).toEqual([]);
    await tab.close();
  });

  it("the window that deletes its own open session shows no 'another window' notice", async () => {
    const [first, second] = await openTwoTabs(browser, server.url);
    await sendMessage(first, "delete me here");
    await expect.poll(() => lastAssistantText(first).catch(() => ""), { timeout: 15_000 }).toBe("You said: delete me here");
    const own = await currentThread(first);
    await deleteFromSidebar(first, own ?? "");
    await expect.poll(() => currentThread(first)).not.toBe(own);
    // Long enough for the server's notice to this tab's own socket to have arrived.
    await first.waitForTimeout(500);
    expect(await first.locator(".composer-error").count()).toBe(0);
    expect(await second.locator(".composer-error").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await first.context().close();
  });

  it("a session picked in the list after it was deleted elsewhere (its notice missed) leaves the list, and the tab says so and stays", async () => {
    // A tab whose socket loses the deletion's notice (the route drops it): its list still shows the session.
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: TEST_LOCALE });
    await context.routeWebSocket(/\/ws/, (route) => {
      const toServer = route.connectToServer();
      route.onMessage((message) => toServer.send(message));
      toServer.onMessage((message) => {
        if (typeof message === "string" && message.includes('"notice":"thread.deleted"')) return;
        route.send(message);
      });
    });
    const page = await context.newPage();
    trackPageErrors(page);
    await page.goto(server.url);
    await waitForChat(page);
    const staying = await currentThread(page);
    const created = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "Picked too late" }) });
    const { thread_id: doomed } = (await created.json()) as { thread_id: string };
    const item = page.locator(`.session-item[data-thread-id="${doomed}"]`);
    await expect.poll(() => item.count(), { timeout: 5_000 }).toBe(1);
    expect((await fetch(`${server.url}/threads/${doomed}`, { method: "DELETE" })).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await item.count()).toBe(1);

    await item.locator(".session-select").click();
    await expect.poll(() => item.count(), { timeout: 5_000 }).toBe(0);
    expect(await page.locator(".composer-error").innerText()).toContain("That session was deleted in another window");
    expect(await currentThread(page)).toBe(staying);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
