import { describe, expect, it } from "vitest";
import { lastAssistantText, pageErrors, sendMessage, useBrowserServer } from "./browser.js";

// Several chunks per reply, as a model streams them.
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 150 }, openPage: true });

describe("what screen readers are told", () => {
  it("a completed reply once, not the pending message, the streamed text or the Regenerate glyph", async () => {
    const { page } = fixture;
    // Every text the page's live regions take on, from now on.
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { __said: string[] }).__said = said;
      new MutationObserver(() => {
        for (const region of Array.from(document.querySelectorAll('[aria-live="polite"], [role="log"]:not([aria-live="off"])'))) {
          const text = (region.textContent ?? "").trim();
          if (text && !said.includes(text)) said.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await sendMessage(page, "tell me something in several chunks please");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: tell me something in several chunks please");
    await page.waitForTimeout(500);
    const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
    expect(said).toEqual(["Assistant: You said: tell me something in several chunks please"]);
    expect(await page.getByRole("button", { name: "Regenerate reply", exact: true }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
