import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningServer } from "../../src/app.js";
import { defineTool } from "../../src/tools/tool-definition.js";
import { BUILT_IN_TOOLS } from "../../tools/index.js";
import { lastAssistantText, openTwoTabs, pageErrors, screenshot, sendMessage, useBrowserServer, waitForChat } from "./browser.js";

const CHUNK_DELAY_MS = 100;

// The first run is held open by a tool that waits for the test, so the second message is sure to be queued
// behind it however slow the machine is.
let releaseGate: () => void = () => undefined;
let gate = Promise.resolve();
/** Hold the next wait_for_test calls until `releaseGate`. */
function armGate(): void {
  gate = new Promise<void>((resolve) => (releaseGate = resolve));
}
armGate();
const gateTool = defineTool({
  name: "wait_for_test",
  description: "Waits until the test lets it finish.",
  schema: z.object({}),
  execute: async () => {
    await gate;
    return "released";
  },
});

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS }, tools: [...BUILT_IN_TOOLS, gateTool] });
let server: RunningServer;
let browser: Browser;
beforeAll(() => {
  ({ server, browser } = fixture);
});

/** Two tabs of one profile (separate windows); the second is switched to the first one's session. */
async function twoTabsOnOneSession(): Promise<[Page, Page]> {
  const [first, second] = await openTwoTabs(browser, server.url);
  await sendMessage(first, "warm up");
  await expect.poll(() => lastAssistantText(first).catch(() => ""), { timeout: 15_000 }).toBe("You said: warm up");
  const threadId = await first.locator(".session-current").getAttribute("data-thread-id");
  await second.reload();
  await waitForChat(second);
  await second.locator(`.session-item[data-thread-id="${threadId}"] .session-select`).click();
  await second.locator(".message-user", { hasText: "warm up" }).waitFor();
  return [first, second];
}

describe("a message sent while a reply streams (enqueue)", () => {
  it("is shown as queued, in this tab and in another one, and then runs", async () => {
    const [first, second] = await twoTabsOnOneSession();
    await sendMessage(first, "/tool wait_for_test {}");
    await first.locator(".tool-card", { hasText: "wait_for_test" }).waitFor({ timeout: 10_000 });
    // While the reply runs, Send stays available next to Stop.
    expect(await first.getByRole("button", { name: "Stop", exact: true }).isVisible()).toBe(true);
    await sendMessage(first, "and a second message behind it");

    const queued = first.locator(".message-pending", { hasText: "and a second message behind it" });
    await queued.locator(".queued-badge").waitFor({ timeout: 10_000 });
    expect(await queued.locator(".queued-badge").innerText()).toContain("Queued");
    // The other window learns of it from run.queued alone.
    await second.locator(".message-pending", { hasText: "and a second message behind it" }).locator(".queued-badge").waitFor({ timeout: 10_000 });
    expect(await first.locator(".tool-card", { hasText: "wait_for_test" }).locator(".tool-state").innerText()).toBe("running…");
    await screenshot(first, "web-run-queued");
    releaseGate();

    for (const page of [first, second]) {
      await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 20_000 }).toBe("You said: and a second message behind it");
      expect(await page.locator(".queued-badge").count()).toBe(0);
      expect(await page.locator(".message-pending").count()).toBe(0);
      const users = await page.locator(".message-user .plain-text").allInnerTexts();
      expect(users).toEqual(["warm up", "/tool wait_for_test {}", "and a second message behind it"]);
      const replies = await page.locator(".message-assistant:not(.message-streaming) .markdown").allInnerTexts();
      expect(replies).toEqual(["You said: warm up", "Tool wait_for_test returned: released", "You said: and a second message behind it"]);
    }
    await first.context().close();
    expect(pageErrors).toEqual([]);
  });

  it("can be withdrawn while it waits: it leaves both tabs, its text goes back into the box, and it never runs", async () => {
    armGate();
    const [first, second] = await twoTabsOnOneSession();
    await sendMessage(first, "/tool wait_for_test {}");
    await first.locator(".tool-card", { hasText: "wait_for_test" }).waitFor({ timeout: 10_000 });
    await first.locator("#composer-input").fill("");
    await sendMessage(first, "on second thought");
    const queued = first.locator(".message-pending", { hasText: "on second thought" });
    // The other tab's copy offers nothing to withdraw: it is not its message.
    await second.locator(".message-pending", { hasText: "on second thought" }).locator(".queued-badge").waitFor({ timeout: 10_000 });
    expect(await second.locator(".message-pending").getByRole("button", { name: "Withdraw" }).count()).toBe(0);
    await queued.getByRole("button", { name: "Withdraw" }).click();
    await expect.poll(() => first.locator(".message-pending").count(), { timeout: 10_000 }).toBe(0);
    expect(await first.locator("#composer-input").inputValue()).toBe("on second thought");
    await expect.poll(() => second.locator(".message-pending").count(), { timeout: 10_000 }).toBe(0);
    releaseGate();
    for (const page of [first, second]) {
      await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 20_000 }).toBe("Tool wait_for_test returned: released");
      expect(await page.locator(".run-error").count()).toBe(0);
      expect(await page.locator(".message-user .plain-text").allInnerTexts()).not.toContain("on second thought");
    }
    const threadId = (await first.locator(".session-current").getAttribute("data-thread-id")) ?? "";
    const runs = (await (await fetch(`${server.url}/threads/${threadId}/runs`)).json()) as { status: string }[];
    expect(runs.map((run) => run.status).sort()).toEqual(["cancelled", "success", "success"]);
    await first.context().close();
    expect(pageErrors).toEqual([]);
  });

  it("stays the tab's own after a reload: it can still be withdrawn there, and not in another tab", async () => {
    armGate();
    const [first, second] = await twoTabsOnOneSession();
    await sendMessage(first, "/tool wait_for_test {}");
    await first.locator(".tool-card", { hasText: "wait_for_test" }).waitFor({ timeout: 10_000 });
    await sendMessage(first, "queued before a reload");
    await first.locator(".message-pending", { hasText: "queued before a reload" }).locator(".queued-badge").waitFor({ timeout: 10_000 });
    await first.reload();
    await waitForChat(first);
    const queued = first.locator(".message-pending", { hasText: "queued before a reload" });
    await queued.locator(".queued-badge").waitFor({ timeout: 10_000 });
    await second.reload();
    await waitForChat(second);
    await second.locator(".message-pending", { hasText: "queued before a reload" }).locator(".queued-badge").waitFor({ timeout: 10_000 });
    expect(await second.locator(".message-pending").getByRole("button", { name: "Withdraw" }).count()).toBe(0);

    await queued.getByRole("button", { name: "Withdraw" }).click();
    await expect.poll(() => first.locator(".message-pending").count(), { timeout: 10_000 }).toBe(0);
    expect(await first.locator("#composer-input").inputValue()).toBe("queued before a reload");
    await expect.poll(() => second.locator(".message-pending").count(), { timeout: 10_000 }).toBe(0);
    releaseGate();
    await expect.poll(() => lastAssistantText(first).catch(() => ""), { timeout: 20_000 }).toBe("Tool wait_for_test returned: released");
    expect(await first.locator(".message-user .plain-text").allInnerTexts()).not.toContain("queued before a reload");
    await first.context().close();
    expect(pageErrors).toEqual([]);
  });
});
