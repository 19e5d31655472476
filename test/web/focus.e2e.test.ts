import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_TOOLS } from "../../tools/index.js";
import { askForEmail, lastAssistantText, pageErrors, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

// Slow chunks, so a reply is still streaming when the test presses Stop.
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 250 }, tools: BUILT_IN_TOOLS, openPage: true });
let page: Page;
beforeAll(() => {
  ({ page } = fixture);
});


/** What has focus: its id, else its tag and classes. */
function focused(target: Page = page): Promise<string> {
  return target.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "body";
    return element.id ? `#${element.id}` : `${element.tagName.toLowerCase()}.${element.className}`;
  });
}

describe("focus when the control just used goes away", () => {
  it("follows the approval card's steps, Enter rejects with the reason, Esc goes back, and the answer leaves focus in the message box", async () => {
    const card = await askForEmail(page);
    const id = (await card.getAttribute("data-interrupt-id")) ?? "";
    // A new card is announced politely, without taking focus from the message box.
    await expect.poll(() => page.locator(".announcer").innerText()).toContain("send_email waits for your approval");
    expect(await focused()).toBe("#composer-input");

    await card.getByRole("button", { name: "Edit arguments" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focused()).toBe(`#approval-${id}-args`);
    await page.keyboard.press("Escape");
    await expect.poll(() => focused()).toBe(`#approval-${id}-edit-button`);
    await card.getByRole("button", { name: "Reject" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focused()).toBe(`#approval-${id}-reason`);
    await card.getByRole("button", { name: "Back" }).click();
    await expect.poll(() => focused()).toBe(`#approval-${id}-reject-button`);
    await page.keyboard.press("Enter");
    // Focus moves to the reason field once the card re-renders: typing before that loses the first keys.
    await expect.poll(() => focused()).toBe(`#approval-${id}-reason`);
    await page.keyboard.type("wrong recipient");
    await page.keyboard.press("Enter");
    await card.waitFor({ state: "detached", timeout: 15_000 });
    await expect.poll(() => focused()).toBe("#composer-input");
    const threadId = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";
    const { rows } = await fixture.server.services.pool.query("SELECT decision, reason FROM approvals WHERE thread_id = $1", [threadId]);
    expect(rows).toEqual([{ decision: "reject", reason: "wrong recipient" }]);
  });

  it("goes to the message box when the card holding it is answered in another window", async () => {
    const card = await askForEmail(page);
    const threadId = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";
    await card.getByRole("button", { name: "Edit arguments" }).focus();
    const other = await page.context().newPage();
    await other.goto(fixture.server.url);
    await waitForChat(other);
    await other.locator(`.session-item[data-thread-id="${threadId}"] .session-select`).click();
    await other.locator(".approval-card").getByRole("button", { name: "Approve" }).click();
    await card.waitFor({ state: "detached", timeout: 15_000 });
    await expect.poll(() => focused()).toBe("#composer-input");
    await other.close();
  });

  it("goes to the message box after Stop and Regenerate reply, and back to the session after a rename with Enter or Esc", async () => {
    await startNewChat(page);
    await sendMessage(page, "a long enough reply to stop before it ends");
    await page.locator(".message-streaming").waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.locator(".stopped-badge").first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator(".button-stop").count()).toBe(0);
    expect(await focused()).toBe("#composer-input");

    await sendMessage(page, "something to regenerate");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: something to regenerate");
    const regenerate = page.getByRole("button", { name: /Regenerate reply/ });
    await regenerate.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focused()).toBe("#composer-input");

    const current = page.locator(".session-current");
    for (const key of ["Enter", "Escape"]) {
      await current.getByRole("button", { name: /^Rename/ }).click();
      await page.locator(".rename-input").fill(`renamed with ${key}`);
      await page.locator(".rename-input").press(key);
      await page.locator(".rename-input").waitFor({ state: "detached" });
      await expect.poll(() => focused()).toBe("button.session-select");
      expect(await page.evaluate(() => document.activeElement?.closest(".session-current") !== null)).toBe(true);
    }
    expect(pageErrors).toEqual([]);
  });
});
