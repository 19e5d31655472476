import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { TOOLS_WITH_SLOW_APPROVAL } from "../helpers/slow-tool.js";
import { TestWsClient } from "../helpers/ws-client.js";
import { currentThread, lastAssistantText, pageErrors, screenshot, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

// The tool cards of a reply whose run stopped before their results: "stopped", live and after a reload, never
// "running…" or "pending" again. slow_task honours cancellation; the fake model turns `/tools [...]` into calls.

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 20 }, tools: TOOLS_WITH_SLOW_APPROVAL, openPage: true });
let page: Page;
beforeAll(async () => {
  ({ page } = fixture);
  // Every state any tool card shows, from the page's first render on (after each reload too), in order.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __toolStates: string[] }).__toolStates = seen;
    new MutationObserver(() => {
      for (const card of Array.from(document.querySelectorAll(".tool-card"))) {
        const entry = `${card.querySelector(".tool-name")?.textContent ?? ""}:${card.querySelector(".tool-state")?.textContent ?? ""}`;
        if (!seen.includes(entry)) seen.push(entry);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
});

const card = (name: string): Locator => page.locator(".tool-card", { has: page.locator(".tool-name", { hasText: new RegExp(`^${name}$`) }) });
const stateOf = (name: string): Promise<string> => card(name).locator(".tool-state").innerText();
const seenStates = (): Promise<string[]> => page.evaluate(() => (window as unknown as { __toolStates?: string[] }).__toolStates ?? []);

async function newChat(): Promise<void> {
  await startNewChat(page);
}

async function reload(): Promise<void> {
  await page.reload();
  await waitForChat(page);
}

describe("tool calls of a stopped run", () => {
  it("say stopped once the run is cancelled mid-tool (the running one and the one behind it), and after a reload", async () => {
    await newChat();
    const calls = [
      { name: "slow_task", args: { ms: 30_000 } },
      { name: "calculator", args: { expression: "6*7" } },
    ];
    await sendMessage(page, `/tools ${JSON.stringify(calls)}`);
    await expect.poll(() => stateOf("slow_task").catch(() => ""), { timeout: 15_000 }).toBe("running…");
    expect(await stateOf("calculator")).toBe("pending");

    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await expect.poll(() => stateOf("slow_task"), { timeout: 15_000 }).toBe("stopped");
    expect(await stateOf("calculator")).toBe("stopped");
    expect(await card("slow_task").getAttribute("class")).toContain("tool-stopped");
    await card("calculator").locator("summary").click();
    expect(await card("calculator").locator(".tool-note").innerText()).toBe("The run ended before this call returned a result.");
    expect(await card("calculator").locator(".tool-duration").count()).toBe(0);
    await screenshot(page, "web-tool-stopped");

    // After a reload there are no events: the idle session says no run will answer these calls.
    await reload();
    await expect.poll(() => stateOf("slow_task").catch(() => ""), { timeout: 15_000 }).toBe("stopped");
    expect(await stateOf("calculator")).toBe("stopped");
    expect(await seenStates()).not.toContain("calculator:pending");

    // The next message closes them (cancelled results): failed, without a step back to pending on the way.
    await sendMessage(page, "something else");
    await expect.poll(() => stateOf("calculator"), { timeout: 15_000 }).toBe("failed");
    expect(await stateOf("slow_task")).toBe("failed");
    expect(await seenStates()).not.toContain("calculator:pending");
    expect(pageErrors).toEqual([]);
  });

  it("keep the calls of a reply that waits for an answer pending across a reload, never stopped", async () => {
    await newChat();
    const calls = [
      { name: "calculator", args: { expression: "1+1" } },
      { name: "slow_approved_task", args: { ms: 10 } },
    ];
    await sendMessage(page, `/tools ${JSON.stringify(calls)}`);
    await page.locator(".approval-card").waitFor({ timeout: 15_000 });
    expect(await stateOf("calculator")).toBe("pending");
    expect(await stateOf("slow_approved_task")).toBe("awaiting approval");

    // The session is "interrupted": its pending interrupts come with its history, so no render says stopped.
    await reload();
    await page.locator(".approval-card").waitFor({ timeout: 15_000 });
    expect(await stateOf("calculator")).toBe("pending");
    expect(await stateOf("slow_approved_task")).toBe("awaiting approval");
    expect((await seenStates()).filter((entry) => entry.endsWith(":stopped"))).toEqual([]);

    await page.locator(".approval-card").getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => stateOf("slow_approved_task"), { timeout: 15_000 }).toBe("done");
    expect(await stateOf("calculator")).toBe("done");
    expect(pageErrors).toEqual([]);
  });

  it("say stopped after a reload when another client stopped the reply with run.cancel {action: interrupt} (interrupted, awaiting nobody)", async () => {
    await newChat();
    const threadId = await currentThread(page);
    await sendMessage(page, '/tool slow_task {"ms": 30000}');
    await expect.poll(() => stateOf("slow_task").catch(() => ""), { timeout: 15_000 }).toBe("running…");
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const runs = (await (await fetch(`${fixture.server.url}/threads/${threadId}/runs`)).json()) as { run_id: string; status: string }[];
    await client.call("run.cancel", { thread_id: threadId, run_id: runs.find((run) => run.status === "running")?.run_id, action: "interrupt" });
    await expect.poll(() => stateOf("slow_task"), { timeout: 15_000 }).toBe("stopped");
    // The graph has nodes left (`next`), but no breakpoint and no question: not pending after a reload either.
    await reload();
    await expect.poll(() => stateOf("slow_task").catch(() => ""), { timeout: 15_000 }).toBe("stopped");
    expect(pageErrors).toEqual([]);
  });

  it("keep the calls of a reply paused at a static breakpoint (interrupt_before, HTTP) pending, live and after a reload, until it continues", async () => {
    await newChat();
    const threadId = await currentThread(page);
    const post = (path: string, body: unknown) => fetch(`${fixture.server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const paused = await post(`/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content: '/tool calculator {"expression": "6*7"}' }] }, interrupt_before: ["tools"] });
    expect(paused.status).toBe(200);
    // The status comes at once, the body when the run has paused.
    await paused.text();
    // It read "stopped": the run ended, no question pending.
    await expect.poll(() => stateOf("calculator").catch(() => ""), { timeout: 15_000 }).toBe("pending");
    await reload();
    await expect.poll(() => stateOf("calculator").catch(() => ""), { timeout: 15_000 }).toBe("pending");
    // A run without input continues from the breakpoint: the call runs.
    const continued = await post(`/threads/${threadId}/runs/wait`, {});
    expect(continued.status).toBe(200);
    await continued.text();
    await expect.poll(() => stateOf("calculator"), { timeout: 15_000 }).toBe("done");
    expect(pageErrors).toEqual([]);
  });

  it("offer to continue a reply paused at a static breakpoint, live and after a reload; continuing runs its calls", async () => {
    await newChat();
    const threadId = await currentThread(page);
    const bar = page.getByRole("region", { name: "Paused reply" });
    const post = (path: string, body: unknown) => fetch(`${fixture.server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const paused = await post(`/threads/${threadId}/runs/wait`, { input: { messages: [{ role: "user", content: '/tool calculator {"expression": "6*7"}' }] }, interrupt_before: ["tools"] });
    expect(paused.status).toBe(200);
    await paused.text();
    await bar.waitFor({ timeout: 15_000 });
    expect(await bar.innerText()).toContain("before tools");
    await reload();
    await bar.waitFor({ timeout: 15_000 });
    await bar.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => stateOf("calculator"), { timeout: 15_000 }).toBe("done");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain("42");
    expect(await bar.count()).toBe(0);
    // One run continued it: the paused one and the continuation, no second continuation from a double click.
    const runs = (await (await fetch(`${fixture.server.url}/threads/${threadId}/runs`)).json()) as unknown[];
    expect(runs).toHaveLength(2);
    // A reply stopped by a cancel, not a breakpoint, offers nothing to continue.
    await sendMessage(page, '/tool slow_task {"ms": 20000}');
    await expect.poll(() => stateOf("slow_task").catch(() => ""), { timeout: 15_000 }).toBe("running…");
    await page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(() => stateOf("slow_task"), { timeout: 15_000 }).toBe("stopped");
    expect(await bar.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
