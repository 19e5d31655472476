import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { lastAssistantText, pageErrors, screenshot, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 30 }, openPage: true });
let server: RunningServer;
let page: Page;
let originalThread: string;
beforeAll(() => {
  ({ server, page } = fixture);
});

async function reply(text: string, expected: string): Promise<void> {
  await sendMessage(page, text);
  await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe(expected);
  await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached" });
}

const panel = () => page.getByRole("complementary", { name: "Timeline" });
/** The chat in display order: "divider" for a replay divider, else role and text (or "tool" for a tool-call card). */
const chatRows = () =>
  page.locator(".message-list > .message, .message-list > .replay-divider").evaluateAll((elements) =>
    elements.map((element) => {
      if (element.classList.contains("replay-divider")) return "divider";
      const role = element.getAttribute("data-role") ?? "?";
      return element.querySelector(".tool-card") ? `${role}: tool` : `${role}: ${element.querySelector(".bubble")?.textContent?.trim() ?? ""}`;
    }),
  );
const checkpoint = (node: RegExp, summary: string) =>
  panel().locator(".checkpoint-button").filter({ has: page.locator(".checkpoint-node", { hasText: node }) }).filter({ has: page.locator(".checkpoint-summary", { hasText: summary }) });

describe("the timeline panel", () => {
  it("lists the checkpoints with time, node and the last message of each", async () => {
    await reply("hello", "You said: hello");
    await reply('/tool calculator {"expression":"6*7"}', "Tool calculator returned: 42");
    await reply("bye", "You said: bye");
    originalThread = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";

    await page.getByRole("button", { name: "Timeline" }).click();
    const items = panel().locator(".checkpoint-button");
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBeGreaterThan(8);
    const newest = items.first();
    expect(await newest.locator(".checkpoint-node").innerText()).toMatch(/^model · step \d+$/);
    expect(await newest.locator(".checkpoint-summary").innerText()).toBe("assistant: You said: bye");
    expect(await newest.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await newest.locator("time").innerText()).toMatch(/\d+:\d\d:\d\d/);
    // The tool step and the input checkpoints are told apart by node.
    await checkpoint(/^tools\b/, "tool: 42").waitFor();
    await checkpoint(/^input\b/, "assistant: Tool calculator returned: 42").waitFor();
    await checkpoint(/^__start__\b/, "user: bye").waitFor();
    // The model step that only calls a tool has no text: its row names the tool.
    await checkpoint(/^model\b/, "assistant: calls calculator").waitFor();
    expect(await panel().locator(".checkpoint-summary", { hasText: "(no text)" }).count()).toBe(0);
    await screenshot(page, "web-timeline");
  });

  it("shows the state at a selected checkpoint", async () => {
    await checkpoint(/^model\b/, "assistant: You said: hello").click();
    const detail = panel().getByRole("region", { name: "State at the selected checkpoint" });
    await expect.poll(() => detail.locator(".state-messages li").allInnerTexts()).toEqual(["user hello", "assistant You said: hello"]);
    expect(await detail.locator(".checkpoint-detail-title").innerText()).toContain("2 messages");
    await detail.locator("details summary").click();
    expect(await detail.locator(".state-snapshot").innerText()).toContain('"content": "You said: hello"');
    await screenshot(page, "web-timeline-selected");
  });

  it("Fork from here opens a new session holding only the messages up to that checkpoint", async () => {
    await panel().getByRole("button", { name: "Fork from here" }).click();
    await expect.poll(() => page.locator(".session-current").getAttribute("data-thread-id"), { timeout: 10_000 }).not.toBe(originalThread);
    await expect.poll(() => page.locator(".message .bubble").allInnerTexts(), { timeout: 10_000 }).toEqual(["hello", "You said: hello"]);
    // Titled by the page, in its language (the server's default is English whatever the page speaks).
    await expect.poll(() => page.locator(".session-current").innerText(), { timeout: 10_000 }).toContain("hello (fork)");
    // The panel now shows the fork's own timeline.
    await expect.poll(() => panel().locator(".checkpoint-summary").first().innerText(), { timeout: 10_000 }).toBe("assistant: You said: hello");
    await screenshot(page, "web-forked-session");

    await reply("a different path", "You said: a different path");
    await expect.poll(() => page.locator(".message .bubble").allInnerTexts()).toEqual(["hello", "You said: hello", "a different path", "You said: a different path"]);
    // The timeline picks up the new turn's checkpoints once it ends.
    await expect.poll(() => panel().locator(".checkpoint-summary").first().innerText(), { timeout: 10_000 }).toBe("assistant: You said: a different path");
  });

  it("Replay from here re-runs the session from that checkpoint as a new branch", async () => {
    await page.locator(`.session-item[data-thread-id="${originalThread}"] .session-select`).click();
    await page.locator(".message-user", { hasText: "bye" }).waitFor();
    const before = await panel().locator(".checkpoint-button").count();
    // The checkpoint taken as the calculator turn came in, before the model answered it.
    const start = checkpoint(/^__start__\b/, "user: /tool calculator").first();
    const startId = await start.getAttribute("data-checkpoint-id");
    expect(await page.locator(".replay-divider").count()).toBe(0);
    await start.click();
    await panel().getByRole("button", { name: "Replay from here" }).click();
    await panel().getByRole("status").waitFor();
    // The new branch is marked in the chat as it streams, naming the checkpoint it starts from.
    const divider = page.locator(".replay-divider");
    await divider.waitFor({ timeout: 10_000 });
    expect(await divider.getAttribute("data-checkpoint-id")).toBe(startId);
    // In words, not the checkpoint's UUID (it is the tooltip).
    expect(await divider.innerText()).toBe("Replayed from an earlier checkpoint · new branch");
    expect(await divider.locator(".replay-divider-label").getAttribute("title")).toBe(`Checkpoint ${startId ?? ""}`);
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("Tool calculator returned: 42");
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached" });
    const branchRows = ["user: bye", "assistant: You said: bye", "divider", "assistant: tool", "assistant: Tool calculator returned: 42"];
    await expect.poll(async () => (await chatRows()).slice(-5)).toEqual(branchRows);
    await expect.poll(() => panel().locator(".checkpoint-button").count(), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await panel().locator(".checkpoint-summary").first().innerText()).toBe("assistant: Tool calculator returned: 42");
    // The timeline marks where the new branch starts, and dims what the replay left behind.
    await expect.poll(() => panel().locator(".checkpoint-branch").getAttribute("data-branch-from"), { timeout: 10_000 }).toBe(startId);
    expect(await panel().locator(".checkpoint-button").first().getAttribute("class")).not.toContain("off-branch");
    expect(await checkpoint(/^model\b/, "assistant: You said: bye").getAttribute("class")).toContain("off-branch");
    expect(await panel().locator(`.checkpoint-button[data-checkpoint-id="${startId}"]`).getAttribute("class")).not.toContain("off-branch");
    const state = await fetch(`${server.url}/threads/${originalThread}/state`).then((response) => response.json() as Promise<{ values: { messages: { content: string }[] } }>);
    expect(state.values.messages.map((message) => message.content).at(-1)).toBe("Tool calculator returned: 42");
    expect(state.values.messages).toHaveLength(6);
    await screenshot(page, "web-timeline-replayed");

    // After a reload the history comes from the transcript, which keeps both branches: the divider is back.
    await page.reload();
    await waitForChat(page);
    await expect.poll(async () => (await chatRows()).slice(-5), { timeout: 10_000 }).toEqual(branchRows);
    expect(await chatRows()).toHaveLength(10);
    expect(await page.locator(".replay-divider").getAttribute("data-checkpoint-id")).toBe(startId);
    expect(pageErrors).toEqual([]);
  });

  it("Older checkpoints pages back with the server's cursor until the first checkpoint", async () => {
    // A session with more checkpoints than one page of the panel (30), made over the protocol.
    await using client = await TestWsClient.connect(server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { title: "Many checkpoints" });
    for (let turn = 1; turn <= 12; turn += 1) await chat(client, thread_id, `turn ${turn}`);
    const all = await client.call<{ checkpoints: { checkpoint_id: string }[]; next_before: string | null }>("state.listCheckpoints", { thread_id, limit: 100 });
    expect(all.checkpoints.length).toBeGreaterThan(30);
    expect(all.next_before).toBeNull();

    await page.reload();
    await waitForChat(page);
    await page.locator(`.session-item[data-thread-id="${thread_id}"] .session-select`).waitFor({ timeout: 10_000 });
    await page.locator(`.session-item[data-thread-id="${thread_id}"] .session-select`).click();
    await page.locator(".message-user", { hasText: "turn 12" }).waitFor();
    if ((await panel().count()) === 0) await page.getByRole("button", { name: "Timeline" }).click();
    const ids = () => panel().locator(".checkpoint-button").evaluateAll((buttons) => buttons.map((button) => button.getAttribute("data-checkpoint-id")));
    await expect.poll(() => panel().locator(".checkpoint-button").count(), { timeout: 10_000 }).toBe(30);
    const older = panel().getByRole("button", { name: "Older checkpoints" });
    while ((await ids()).length < all.checkpoints.length) {
      const shown = (await ids()).length;
      await older.click();
      await expect.poll(async () => (await ids()).length, { timeout: 10_000 }).toBeGreaterThan(shown);
    }
    expect(await ids()).toEqual(all.checkpoints.map((entry) => entry.checkpoint_id));
    // The last page's next_before is null: nothing older to ask for.
    await older.waitFor({ state: "detached" });
    expect(pageErrors).toEqual([]);
  });

  it("shows the selected checkpoint's state in view, under its row, in a long list", async () => {
    // The session of the previous test: every page loaded, far more rows than the panel's height.
    const rows = panel().locator(".checkpoint-button");
    expect(await rows.count()).toBeGreaterThan(30);
    const inView = (selector: string) =>
      panel()
        .locator(selector)
        .evaluate((element) => {
          const box = element.getBoundingClientRect();
          const scroller = element.closest(".timeline-panel")?.getBoundingClientRect();
          return scroller !== undefined && box.height > 0 && box.top >= scroller.top - 1 && box.bottom <= Math.min(scroller.bottom, innerHeight) + 1;
        });
    for (const index of [0, 20]) {
      await rows.nth(index).click();
      const detail = panel().getByRole("region", { name: "State at the selected checkpoint" });
      await detail.locator(".checkpoint-detail-title").waitFor({ timeout: 10_000 });
      await expect.poll(() => inView(".checkpoint-detail .approval-actions")).toBe(true);
      expect(await inView(".checkpoint-button[aria-pressed=true]")).toBe(true);
      // Focus stays on the row, and the next Tab reaches the actions right under it.
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-pressed"))).toBe("true");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Fork from here");
    }
    expect(pageErrors).toEqual([]);
  });

  it("shows a long thread's running summary in the state at a checkpoint", async () => {
    // An imported 40-turn conversation under a small budget: its working context starts with a summary.
    const assistant = await fetch(`${server.url}/assistants`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ graph_id: "chat", context: { tools: [], context_budget: 400 } }) });
    const { assistant_id } = (await assistant.json()) as { assistant_id: string };
    const lines = Array.from({ length: 40 }, (_, turn) => [`{"role":"user","content":"Turn ${turn + 1}: I planted ${turn + 1} tulips by the fence."}`, `{"role":"assistant","content":"Noted, ${turn + 1} tulips."}`]).flat();
    const imported = await fetch(`${server.url}/threads/import?assistant_id=${assistant_id}&title=Tulips`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: lines.join("\n") });
    const { thread_id, folds } = (await imported.json()) as { thread_id: string; folds: number };
    expect(folds).toBeGreaterThan(0);

    await page.reload();
    await waitForChat(page);
    await page.locator(`.session-item[data-thread-id="${thread_id}"] .session-select`).click();
    await page.locator(".message-user", { hasText: "Turn 40:" }).waitFor();
    if ((await panel().count()) === 0) await page.getByRole("button", { name: "Timeline" }).click();
    await panel().locator(".checkpoint-button").first().click();
    const detail = panel().getByRole("region", { name: "State at the selected checkpoint" });
    const summary = detail.locator(".state-summary");
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.innerText()).toMatch(/^summary of \d+ earlier messages\s+\S/);
    expect(await summary.innerText()).toContain("tulips");
    await screenshot(page, "web-timeline-summary");
    expect(pageErrors).toEqual([]);
  });

  it("generates the newest reply again from its button: a replay from before it, a new branch under a divider", async () => {
    await startNewChat(page);
    await reply('/tool calculator {"expression":"6*7"}', "Tool calculator returned: 42");
    const threadId = (await page.locator(".session-current").getAttribute("data-thread-id")) ?? "";
    const regenerate = page.getByRole("button", { name: "Regenerate reply" });
    await regenerate.click();
    await expect.poll(chatRows, { timeout: 15_000 }).toEqual(["user: /tool calculator {\"expression\":\"6*7\"}", "assistant: tool", "assistant: Tool calculator returned: 42", "divider", "assistant: tool", "assistant: Tool calculator returned: 42"]);
    await page.getByRole("button", { name: "Stop", exact: true }).waitFor({ state: "detached" });
    await regenerate.waitFor();
    await using client = await TestWsClient.connect(server.wsUrl);
    const state = await client.call<{ values: { messages: { type?: string }[] } }>("state.get", { thread_id: threadId });
    // The thread continues from the new branch: one user message, the call, its result, the reply.
    expect(state.values.messages).toHaveLength(4);
    const runs = await client.call<{ runs?: { kind: string }[] } | { kind: string }[]>("run.list", { thread_id: threadId });
    expect((Array.isArray(runs) ? runs : (runs.runs ?? [])).map((run) => run.kind).sort()).toEqual(["chat", "replay"]);
    // Not offered while a reply runs, nor under a user's message.
    await sendMessage(page, "and now?");
    await expect.poll(() => regenerate.count()).toBe(0);
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: and now?");
    await regenerate.waitFor();
    expect(pageErrors).toEqual([]);
  });
});
