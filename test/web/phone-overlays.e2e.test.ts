import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { lastAssistantText, openPage, pageErrors, sendMessage, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer();
let page: Page;
beforeAll(async () => {
  page = await openPage(fixture.browser, fixture.server.url, { viewport: { width: 390, height: 844 }, hasTouch: true });
  await waitForChat(page);
});

/** Where focus is: inside the drawer, the timeline panel, on a named control, or on the page. */
function focused(): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "body";
    if (element.closest("#session-sidebar")) return "drawer";
    if (element.closest(".timeline-panel")) return "timeline";
    return `${element.tagName.toLowerCase()}.${element.className}`;
  });
}

const chatInert = () => page.evaluate(() => (document.querySelector(".chat-main") as HTMLElement).inert);
const drawerOpen = () => page.locator(".sidebar-open").count();

describe("on a phone, the session drawer and the timeline", () => {
  it("the drawer takes focus, leaves the chat inert under it, and closes with Esc, its close button, the scrim or a choice, focus back on ☰", async () => {
    // Two sessions to choose between.
    for (const text of ["first session", "second session"]) {
      if ((await page.locator(".message").count()) > 0) {
        await page.locator(".menu-button").click();
        await page.getByRole("button", { name: "+ New chat" }).click();
        await expect.poll(() => page.locator(".message").count()).toBe(0);
      }
      await sendMessage(page, text);
      await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe(`You said: ${text}`);
    }
    const menu = page.locator(".menu-button");
    for (const close of ["Escape", "button", "scrim", "choice"]) {
      await menu.click();
      await expect.poll(focused).toBe("drawer");
      expect(await chatInert()).toBe(true);
      if (close === "Escape") await page.keyboard.press("Escape");
      if (close === "button") await page.getByRole("button", { name: "Close sessions" }).click();
      if (close === "scrim") await page.mouse.click(375, 420);
      if (close === "choice") await page.locator(".session-item:not(.session-current) .session-select").first().click();
      await expect.poll(drawerOpen).toBe(0);
      await expect.poll(focused).toBe("button.icon-button menu-button");
      expect(await chatInert()).toBe(false);
    }
    expect(await page.locator(".chat-title h1").innerText()).toBe("first session");
  });

  it("the timeline takes focus, leaves the chat inert under it, and closes with Esc or its close button, focus back on Timeline", async () => {
    const timeline = page.getByRole("button", { name: "Timeline" });
    for (const close of ["Escape", "button"]) {
      await timeline.click();
      await expect.poll(focused).toBe("timeline");
      expect(await chatInert()).toBe(true);
      if (close === "Escape") await page.keyboard.press("Escape");
      else await page.getByRole("button", { name: "Close timeline" }).click();
      await page.locator(".timeline-panel").waitFor({ state: "detached" });
      await expect.poll(focused).toBe("button.button timeline-button");
      expect(await chatInert()).toBe(false);
    }
    expect(pageErrors).toEqual([]);
  });
});
