import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { lastAssistantText, pageErrors, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

// Slow enough chunks (4 per reply) that a reply is still streaming while the test presses keys.
// A small frame limit, so a refused (too long) message is quick to type.
const FRAME_LIMIT = 16_384;
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 250, WS_MAX_FRAME_BYTES: FRAME_LIMIT }, openPage: true });
let page: Page;
beforeAll(() => {
  ({ page } = fixture);
});

/** Pixels between the bottom of the conversation and the bottom of its visible part. */
function distanceFromBottom(target: Page): Promise<number> {
  return target.evaluate(() => {
    const scroller = document.querySelector(".message-scroller");
    return scroller ? scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight : Number.NaN;
  });
}

describe("the composer", () => {
  it("keeps the conversation at the bottom when a pasted multi-line message is sent", async () => {
    const lines = (prefix: string) => Array.from({ length: 12 }, (_, index) => `${prefix} line ${index} 粘贴`).join("\n");
    // Enough conversation to fill the screen several times over.
    for (const turn of [1, 2]) {
      await sendMessage(page, lines(`filler ${turn}`));
      await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain(`filler ${turn} line 11`);
    }
    expect(await distanceFromBottom(page)).toBeLessThan(80);
    // A paste lands all at once: the composer grows by ~200 px in one go and the conversation's box shrinks.
    await page.locator("#composer-input").fill(lines("pasted"));
    // Let the browser lay out and fire its scroll events for the shrunken box before the send.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    // The newest reply stays in view above the grown composer.
    expect(await distanceFromBottom(page)).toBeLessThan(80);
    await page.locator("#composer-input").press("Enter");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain("pasted line 11");
    await expect.poll(() => distanceFromBottom(page)).toBeLessThan(80);
  });

  it("brings the conversation back to the bottom when the user sends after scrolling up", async () => {
    await page.locator(".message-scroller").evaluate((scroller) => scroller.scrollTo({ top: 0 }));
    await expect.poll(() => distanceFromBottom(page)).toBeGreaterThan(200);
    await sendMessage(page, "sent from up there");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: sent from up there");
    await expect.poll(() => distanceFromBottom(page)).toBeLessThan(80);
    expect(pageErrors).toEqual([]);
  });

  it("stops the reply on Esc only outside text fields or in an empty message box, never on an IME's Esc", async () => {
    const stopped = () => page.locator(".stopped-badge").count();
    const before = await stopped();
    await sendMessage(page, "esc in the search box must not stop this");
    await page.locator(".message-streaming").waitFor({ timeout: 15_000 });
    const search = page.getByLabel("Search sessions and messages");
    await search.fill("abc");
    await search.press("Escape");
    // The search box gets its own Esc (it clears), and the reply goes on.
    expect(await search.inputValue()).toBe("");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: esc in the search box must not stop this");

    await sendMessage(page, "an IME's esc and a draft's esc must not stop this");
    await page.locator(".message-streaming").waitFor({ timeout: 15_000 });
    const input = page.locator("#composer-input");
    // An Esc that cancels an IME candidate (Chinese, Japanese input) arrives while composing.
    await input.evaluate((element) => {
      element.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", isComposing: true, bubbles: true, cancelable: true }));
    });
    await input.fill("a draft");
    await input.press("Escape");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: an IME's esc and a draft's esc must not stop this");
    expect(await stopped()).toBe(before);
    expect(await input.inputValue()).toBe("a draft");

    // From an empty message box, and from outside any field, Esc stops.
    await input.fill("stop me from the empty box");
    await input.press("Enter");
    await page.locator(".message-streaming").waitFor({ timeout: 15_000 });
    await input.press("Escape");
    await expect.poll(stopped, { timeout: 15_000 }).toBe(before + 1);
    await sendMessage(page, "stop me from the page");
    await page.locator(".message-streaming").waitFor({ timeout: 15_000 });
    await page.locator(".chat-title h1").click();
    await page.keyboard.press("Escape");
    await expect.poll(stopped, { timeout: 15_000 }).toBe(before + 2);
    expect(pageErrors).toEqual([]);
  });

  it("a message the server is slow to take (longer than the page waits for an answer) is sent once, with no error", { timeout: 60_000 }, async () => {
    await startNewChat(page);
    await sendMessage(page, "first, to make the session");
    await expect.poll(() => lastAssistantText(page), { timeout: 15_000 }).toContain("first, to make the session");
    const threadId = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";
    // Hold the thread's row: the submission waits for it, past the page's 15 s answer timeout.
    const holder = await fixture.server.services.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM threads WHERE thread_id = $1 FOR UPDATE", [threadId]);
      await page.locator("#composer-input").fill("slow but sent once");
      await page.locator("#composer-input").press("Enter");
      await new Promise((resolve) => setTimeout(resolve, 17_000));
      await holder.query("COMMIT");
    } finally {
      holder.release();
    }
    await expect.poll(() => lastAssistantText(page), { timeout: 20_000 }).toContain("slow but sent once");
    const { rows } = await fixture.server.services.pool.query("SELECT 1 FROM messages WHERE thread_id = $1 AND content = 'slow but sent once'", [threadId]);
    expect(rows).toHaveLength(1);
    // Nothing said it failed, and the text did not come back to the box.
    expect(await page.locator(".composer-error").count()).toBe(0);
    expect(await page.locator("#composer-input").inputValue()).toBe("");
  });

  it("keeps a message the server refuses as too long in the box, and says why in words", async () => {
    const input = page.locator("#composer-input");
    const huge = "long ".repeat(FRAME_LIMIT / 4);
    await input.fill(huge);
    await input.press("Enter");
    const alert = page.locator(".composer-error");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toMatch(/too long to send \(the server takes up to about 16 KB\)/);
    expect(await alert.innerText()).not.toContain("payload_too_large");
    expect(await input.inputValue()).toBe(huge.trim());
    expect(await page.locator(".message-user", { hasText: "long long" }).count()).toBe(0);
    await alert.getByRole("button", { name: "Dismiss" }).click();
    await input.fill("");
  });

  it("a message past twice the frame limit (the server closes the socket: 1009) is too long, not a lost connection, and is not sent again", async () => {
    const input = page.locator("#composer-input");
    const frames: string[] = [];
    page.on("websocket", (socket) => socket.on("framesent", (frame) => void (typeof frame.payload === "string" && frame.payload.includes('"run.start"') && frames.push(frame.payload))));
    // Sockets opened from now on are watched: the page's own, after a reload.
    await page.reload();
    await waitForChat(page);
    // Three bytes a character: a long Chinese paste passes the byte limits long before the character one. The
    // socket's own limit is twice the frame limit and 64 KiB more (src/ws/websocket-server.ts): 120 kB is past it.
    const huge = "长".repeat(40_000);
    await input.fill(huge);
    await input.press("Enter");
    const alert = page.locator(".composer-error");
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.innerText()).toMatch(/too long to send/);
    expect(await input.inputValue()).toBe(huge);
    // The page reconnects (the server closed the socket) but does not send it again.
    await page.locator(".connection-banner").waitFor({ state: "hidden", timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(frames.filter((frame) => frame.includes("长长长"))).toHaveLength(1);
    await alert.getByRole("button", { name: "Dismiss" }).click();
    await input.fill("");
  });

  it("a message sent to a session deleted in another tab stays in the box; the tab leaves that session", async () => {
    // This tab misses the server's thread.deleted (as when its socket was down at that moment, the notice is not
    // stored): it learns of the deletion only when it sends. The route drops nothing else, so it may stay.
    await page.routeWebSocket(/\/ws/, (route) => {
      const toServer = route.connectToServer();
      toServer.onMessage((message) => {
        if (typeof message === "string" && message.includes('"event":"thread.deleted"')) return;
        route.send(message);
      });
    });
    await page.reload();
    await waitForChat(page);
    await sendMessage(page, "this session is about to go");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: this session is about to go");
    const doomed = await page.locator(".session-current").getAttribute("data-thread-id");
    expect(doomed).toBeTruthy();
    const other = await page.context().newPage();
    await other.goto(page.url());
    await waitForChat(other);
    await other.locator(`.session-item[data-thread-id="${doomed ?? ""}"]`).getByRole("button", { name: /^Delete/ }).click();
    await other.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => other.locator(`.session-item[data-thread-id="${doomed ?? ""}"]`).count()).toBe(0);
    await other.close();

    const input = page.locator("#composer-input");
    await input.fill("typed before I knew");
    await input.press("Enter");
    const alert = page.locator(".composer-error");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toMatch(/session was deleted/);
    expect(await alert.innerText()).not.toContain("not_found");
    expect(await input.inputValue()).toBe("typed before I knew");
    // The tab moved to a live session and the deleted one left its list.
    await expect.poll(() => page.locator(".session-current").getAttribute("data-thread-id")).not.toBe(doomed);
    expect(await page.locator(`.session-item[data-thread-id="${doomed ?? ""}"]`).count()).toBe(0);
    expect(await alert.getByRole("button", { name: "Retry" }).count()).toBe(0);
    // Sending it again goes to the session the tab is on now.
    await input.press("Enter");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: typed before I knew");
    expect(pageErrors).toEqual([]);
  });

  it("returns focus to the Delete button when the delete dialog is cancelled, and to a neighbouring session after a delete", async () => {
    // A blank session shows only while open (and *+ New chat* on one makes no other): say something in each.
    for (let opened = await page.locator(".session-item").count(); opened < 3; opened += 1) {
      if ((await page.locator(".message").count()) > 0) await startNewChat(page);
      await sendMessage(page, `filler ${opened}`);
      await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe(`You said: filler ${opened}`);
      await expect.poll(() => page.locator(".session-item").count()).toBeGreaterThanOrEqual(opened + 1);
    }
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return element ? `${element.tagName.toLowerCase()}.${element.className} ${element.getAttribute("aria-label") ?? ""}`.trim() : "";
      });
    const items = page.locator(".session-item");
    const deleteButton = items.nth(1).getByRole("button", { name: /^Delete/ });
    const label = (await deleteButton.getAttribute("aria-label")) ?? "";
    for (const close of ["Escape", "Cancel"]) {
      await deleteButton.focus();
      await page.keyboard.press("Enter");
      await page.getByRole("dialog").waitFor();
      if (close === "Escape") await page.keyboard.press("Escape");
      else await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });
      // Focus moves as the dialog unmounts, which can land just after the element left the page.
      await expect.poll(focused).toBe(`button.icon-button ${label}`);
    }
    const count = await items.count();
    const below = await items.nth(2).getAttribute("data-thread-id");
    await deleteButton.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => items.count()).toBe(count - 1);
    // The session that was below the deleted one has focus, not the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest(".session-item")?.getAttribute("data-thread-id"))).toBe(below);
    expect(await focused()).toMatch(/^button\.session-select/);
    expect(pageErrors).toEqual([]);
  });

  it("does not send on the Enter that confirms an IME candidate in Safari (after compositionend, keyCode 229)", async () => {
    await startNewChat(page);
    const input = page.locator("#composer-input");
    await input.fill("你好世界");
    await input.evaluate((element) => {
      element.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
      element.dispatchEvent(new CompositionEvent("compositionend", { data: "世界", bubbles: true }));
      // WebKit's order: the candidate's Enter comes after compositionend, isComposing false, keyCode 229.
      const enter = new KeyboardEvent("keydown", { key: "Enter", isComposing: false, bubbles: true, cancelable: true });
      Object.defineProperty(enter, "keyCode", { value: 229 });
      element.dispatchEvent(enter);
    });
    await page.waitForTimeout(300);
    expect(await page.locator(".message-user").count()).toBe(0);
    expect(await input.inputValue()).toBe("你好世界");
    // The Enter after it sends.
    await input.press("Enter");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: 你好世界");
    expect(pageErrors).toEqual([]);
  });

  it("cancels a rename on Esc (the edit is not saved when its field goes away)", async () => {
    const current = page.locator(".session-current");
    const before = (await current.locator(".session-title").innerText()).trim();
    await current.getByRole("button", { name: /^Rename/ }).click();
    await page.locator(".rename-input").fill("不想要的标题");
    await page.locator(".rename-input").press("Escape");
    await page.locator(".rename-input").waitFor({ state: "detached" });
    await page.waitForTimeout(300);
    expect((await current.locator(".session-title").innerText()).trim()).toBe(before);
    const threadId = (await current.getAttribute("data-thread-id")) ?? "";
    const stored = (await (await fetch(`${fixture.server.url}/threads/${threadId}`)).json()) as { metadata?: unknown; title?: string | null };
    expect(JSON.stringify(stored)).not.toContain("不想要的标题");
    // Enter still saves.
    await current.getByRole("button", { name: /^Rename/ }).click();
    await page.locator(".rename-input").fill("想要的标题");
    await page.locator(".rename-input").press("Enter");
    await expect.poll(async () => (await current.locator(".session-title").innerText()).trim()).toBe("想要的标题");
    expect(pageErrors).toEqual([]);
  });
});
