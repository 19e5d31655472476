import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BUILT_IN_TOOLS } from "../../tools/index.js";
import { lastAssistantText, openPage, pageErrors, sendMessage, useBrowserServer, waitForChat } from "./browser.js";

// Slow chunks, so Stop shows long enough to be measured.
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 300 }, tools: BUILT_IN_TOOLS });

/** The contrast ratio (WCAG) between the colours `element` and `pseudo` computes for `color` and its `background`. */
function contrast(page: Page, selector: string, pseudo: string | null = null): Promise<number> {
  return page.evaluate(
    ([selector, pseudo]) => {
      const parse = (value: string) => (value.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const luminance = (rgb: number[]) => {
        const [r = 0, g = 0, b = 0] = rgb.map((channel) => {
          const c = channel / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const element = document.querySelector(selector ?? "");
      if (!element) return Number.NaN;
      const fore = luminance(parse(getComputedStyle(element, pseudo).color));
      const back = luminance(parse(getComputedStyle(element).backgroundColor));
      return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    },
    [selector, pseudo] as const,
  );
}

/** The product of the opacities from `selector`'s element up to the page: what its colours are multiplied by. */
function effectiveOpacity(page: Page, selector: string): Promise<number> {
  return page.evaluate((selector) => {
    let opacity = 1;
    for (let element = document.querySelector(selector); element; element = element.parentElement) opacity *= Number(getComputedStyle(element).opacity);
    return opacity;
  }, selector);
}

/** The smaller side of each element `selector` names, the smallest of them. */
function smallestSide(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluateAll((elements) => Math.min(...elements.map((element) => Math.min(element.getBoundingClientRect().width, element.getBoundingClientRect().height))));
}

describe("contrast, touch targets and a long approval", () => {
  it("keeps Stop, placeholders and the session icons at 4.5:1 or more in the system's dark scheme", async () => {
    const page = await openPage(fixture.browser, fixture.server.url, { colorScheme: "dark" });
    await waitForChat(page);
    expect(await contrast(page, "#composer-input", "::placeholder")).toBeGreaterThanOrEqual(4.5);
    await sendMessage(page, "a reply long enough to see the Stop button for a moment");
    await page.locator(".button-stop").waitFor({ timeout: 15_000 });
    expect(await contrast(page, ".button-stop")).toBeGreaterThanOrEqual(4.5);
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 20_000 }).toContain("Stop button");
    // A session that is not the open one: its rename and delete icons are not dimmed.
    await page.getByRole("button", { name: "+ New chat" }).click();
    await sendMessage(page, "second");
    await page.locator(".session-item:not(.session-current) .session-actions").first().waitFor({ timeout: 15_000 });
    expect(await effectiveOpacity(page, ".session-item:not(.session-current) .session-actions .icon-button")).toBe(1);
    await page.context().close();
  });

  it("gives a phone's controls 44 px targets, and keeps a long approval's buttons and the chat on screen", async () => {
    const page = await openPage(fixture.browser, fixture.server.url, { viewport: { width: 390, height: 700 }, hasTouch: true });
    await waitForChat(page);
    for (const selector of [".menu-button", ".timeline-button", ".language-select", ".chat-header .icon-button", ".composer .button"]) {
      await page.locator(selector).first().waitFor();
      expect(await smallestSide(page, selector), selector).toBeGreaterThanOrEqual(44);
    }
    await page.locator(".menu-button").click();
    await page.locator(".sidebar-open").waitFor();
    for (const selector of ["#session-sidebar .new-session", "#session-sidebar .icon-button"]) expect(await smallestSide(page, selector), selector).toBeGreaterThanOrEqual(44);
    await page.keyboard.press("Escape");

    const body = Array.from({ length: 60 }, (_, index) => `line ${index}`).join("\n");
    await sendMessage(page, `/tool send_email ${JSON.stringify({ to: "ada@example.com", subject: "Long", body })}`);
    const card = page.locator(".approval-card");
    await card.waitFor({ timeout: 15_000 });
    // The body reads as written, one line per line.
    expect(await card.locator(".tool-args").innerText()).toContain("line 1\nline 2");
    const approve = await card.getByRole("button", { name: "Approve" }).boundingBox();
    expect(approve && approve.y + approve.height).toBeLessThanOrEqual(700);
    expect(await page.locator(".message-scroller").evaluate((element) => element.clientHeight)).toBeGreaterThan(100);
    const input = await page.locator("#composer-input").boundingBox();
    expect(input && input.y + input.height).toBeLessThanOrEqual(700);
    expect(pageErrors).toEqual([]);
  });
});
