import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { lastAssistantText, pageErrors, sendMessage, useBrowserServer } from "./browser.js";

// Slow enough chunks (4 per reply) that a reply is still streaming while the test presses keys.
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 250 }, openPage: true });
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
});
