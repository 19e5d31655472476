import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunningServer } from "../../src/app.js";
import { defineTool } from "../../src/tools/tool-definition.js";
import { TOOLS_WITH_SLOW_APPROVAL } from "../helpers/slow-tool.js";
import { askForEmail, lastAssistantText, pageErrors, screenshot, sendMessage, startNewChat, useBrowserServer, waitForChat } from "./browser.js";

// The fake model turns `/tool <name> <json>` into a call of that tool; send_email requires approval.

/** How long the human of these tests takes to approve (more than a second, so "N ms" cannot include it). */
const HUMAN_WAIT_MS = 1500;

// A tool without approval that runs until the test lets it finish, so a test can look at the page mid-tool.
let releaseHold: () => void = () => undefined;
let hold = Promise.resolve();
const holdTool = defineTool({
  name: "hold",
  description: "Runs until the test lets it finish.",
  schema: z.object({}),
  execute: async () => {
    await hold;
    return "released";
  },
});

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 50 }, tools: [...TOOLS_WITH_SLOW_APPROVAL, holdTool], openPage: true });
let server: RunningServer;
let page: Page;
beforeAll(() => {
  ({ server, page } = fixture);
});

async function currentThread(): Promise<string> {
  const id = await page.locator(".session-current").getAttribute("data-thread-id");
  if (!id) throw new Error("no current session");
  return id;
}

async function outbox(threadId: string): Promise<unknown[]> {
  const result = await server.services.pool.query<Record<string, unknown>>("SELECT to_address, subject, body FROM outbox WHERE thread_id = $1 ORDER BY created_at", [threadId]);
  return result.rows;
}

async function decisions(threadId: string): Promise<unknown[]> {
  const result = await server.services.pool.query<Record<string, unknown>>("SELECT decision, tool_name, edited_args, reason FROM approvals WHERE thread_id = $1", [threadId]);
  return result.rows;
}

/** A tool card's duration in milliseconds, from "640 ms" or "1.3 sec". */
async function durationMs(card: Locator): Promise<number> {
  const text = await card.locator(".tool-duration").innerText();
  const value = Number.parseFloat(text);
  return /\bms$/.test(text) ? value : value * 1000;
}

describe("approvals in the page", () => {
  it("shows the pending call with Approve / Edit arguments / Reject; Approve resumes the run", async () => {
    const card = await askForEmail(page);
    const threadId = await currentThread();
    expect(await card.locator(".approval-title").innerText()).toContain("send_email");
    expect(await card.locator(".tool-args").innerText()).toContain('"to": "ada@example.com"');
    for (const name of ["Approve", "Edit arguments", "Reject"]) expect(await card.getByRole("button", { name }).isVisible()).toBe(true);
    // The requested call's card says what it waits for, not "running…".
    expect(await page.locator(".tool-card summary").last().innerText()).toContain("awaiting approval");
    expect(await outbox(threadId)).toEqual([]);
    await screenshot(page, "web-approval-pending");

    // The human takes a while: the card keeps saying so, and its duration will not count it.
    await page.waitForTimeout(HUMAN_WAIT_MS);
    expect(await page.locator(".tool-card summary").last().innerText()).toContain("awaiting approval");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toMatch(/^Tool send_email returned: .*"sent":true/);
    expect(await page.locator(".approval-card").count()).toBe(0);
    const tool = page.locator(".tool-card").last();
    await expect.poll(() => tool.locator("summary").innerText()).toMatch(/send_email\s+done/);
    // From the tool's start (tool.started, after the answer) to its result: milliseconds, not the human's seconds.
    expect(await tool.locator(".tool-duration").innerText()).toMatch(/^\d+ ms$/);
    await tool.locator("summary").click();
    expect(await tool.locator(".tool-output").innerText()).toContain('"to":"ada@example.com"');
    expect(await outbox(threadId)).toEqual([{ to_address: "ada@example.com", subject: "Hello", body: "Meeting at 10?" }]);
    expect(await decisions(threadId)).toEqual([{ decision: "approve", tool_name: "send_email", edited_args: null, reason: null }]);
    await screenshot(page, "web-approval-approved");
    // After a reload the result's row says when the tool started: still milliseconds, not the human's seconds.
    await page.reload();
    await waitForChat(page);
    const reloaded = page.locator(".tool-card").last();
    await expect.poll(() => reloaded.locator("summary").innerText(), { timeout: 15_000 }).toMatch(/send_email\s+done/);
    expect(await reloaded.locator(".tool-duration").innerText()).toMatch(/^\d+ ms$/);
  });

  it("shows a reply's other calls as pending until their tools start, also after a reload mid-tool, and times the approved one after a reload", async () => {
    hold = new Promise((resolve) => (releaseHold = resolve));
    await startNewChat(page);
    const calls = [
      { name: "hold", args: {} },
      { name: "slow_approved_task", args: { ms: 600 } },
    ];
    await sendMessage(page, `/tools ${JSON.stringify(calls)}`);
    await page.locator(".approval-card").waitFor({ timeout: 15_000 });
    const held = page.locator(".tool-card", { hasText: "hold" });
    const approved = page.locator(".tool-card", { hasText: "slow_approved_task" });
    const stateOf = (card: Locator) => card.locator(".tool-state").innerText();
    // Nothing of the reply runs before the answer: the call that needs none is not "running…" either.
    expect(await stateOf(held)).toBe("pending");
    expect(await stateOf(approved)).toBe("awaiting approval");
    expect(await held.getAttribute("class")).toContain("tool-pending");
    await page.waitForTimeout(HUMAN_WAIT_MS);
    await page.locator(".approval-card").getByRole("button", { name: "Approve" }).click();

    // The calls run one after the other: the first has started, the approved one waits behind it.
    await expect.poll(() => stateOf(held), { timeout: 15_000 }).toBe("running…");
    expect(await stateOf(approved)).toBe("pending");
    // A reload mid-tool replays the running reply: the started tool is still running, the other still pending.
    await page.reload();
    await waitForChat(page);
    await expect.poll(() => stateOf(held), { timeout: 15_000 }).toBe("running…");
    expect(await stateOf(approved)).toBe("pending");
    releaseHold();

    await expect.poll(() => stateOf(approved), { timeout: 15_000 }).toBe("done");
    expect(await stateOf(held)).toBe("done");
    // The approved tool took ~0.6 s; the human's 1.5 s wait and the first tool's time are not counted.
    const live = await durationMs(approved);
    expect(live).toBeGreaterThanOrEqual(600);
    expect(live).toBeLessThan(1400);
    // After a reload too (the result's row records the start): no longer no duration at all.
    await page.reload();
    await waitForChat(page);
    await expect.poll(() => stateOf(approved), { timeout: 15_000 }).toBe("done");
    const afterReload = await durationMs(approved);
    expect(afterReload).toBeGreaterThanOrEqual(600);
    expect(Math.abs(afterReload - live)).toBeLessThanOrEqual(200);
    expect(pageErrors).toEqual([]);
  });

  it("a Stop while the approved tool runs brings its question back, also after a reload, and it can be answered again", async () => {
    await startNewChat(page);
    await sendMessage(page, '/tool slow_approved_task {"ms":8000}');
    const card = page.locator(".approval-card");
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole("button", { name: "Approve" }).click();
    const tool = page.locator(".tool-card", { hasText: "slow_approved_task" });
    await expect.poll(() => tool.locator(".tool-state").innerText(), { timeout: 15_000 }).toBe("running…");
    await page.getByRole("button", { name: "Stop" }).click();

    // The server keeps the question open (the tool did not finish): the page asks it again, the list waits on it.
    await card.waitFor({ timeout: 15_000 });
    expect(await tool.locator(".tool-state").innerText()).toBe("awaiting approval");
    const threadId = await currentThread();
    await expect.poll(() => page.locator(`.session-item[data-thread-id="${threadId}"] .status-waiting`).count(), { timeout: 5_000 }).toBe(1);
    await page.reload();
    await waitForChat(page);
    await card.waitFor({ timeout: 15_000 });
    expect(await page.locator(".tool-card", { hasText: "slow_approved_task" }).locator(".tool-state").innerText()).toBe("awaiting approval");

    // Answered again (a rejection, with its reason form): the reply goes on and the call ends rejected.
    await card.getByRole("button", { name: "Reject" }).click();
    await card.getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => page.locator(".approval-card").count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.locator(".tool-card", { hasText: "slow_approved_task" }).locator("summary").innerText(), { timeout: 15_000 }).toMatch(/slow_approved_task\s+rejected/);
    expect(await decisions(threadId)).toMatchObject([{ decision: "approve" }, { decision: "reject" }]);
    expect(pageErrors).toEqual([]);
  });

  it("comes back after a reload while the run waits", async () => {
    await askForEmail(page);
    await page.reload();
    await waitForChat(page);
    const card = page.locator(".approval-card");
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator(".tool-args").innerText()).toContain("ada@example.com");
  });

  it("Edit arguments runs the tool with the edited arguments, and shows the server's refusal of invalid ones", async () => {
    const card = page.locator(".approval-card");
    const threadId = await currentThread();
    await card.getByRole("button", { name: "Edit arguments" }).click();
    const editor = card.getByLabel("Arguments (JSON)");
    expect(JSON.parse(await editor.inputValue())).toEqual({ to: "ada@example.com", subject: "Hello", body: "Meeting at 10?" });

    await editor.fill("{ not json");
    await card.getByRole("button", { name: "Run with these arguments" }).click();
    await card.getByRole("alert").waitFor();
    await editor.fill(JSON.stringify({ to: "not an email", subject: "Hello", body: "x" }));
    await card.getByRole("button", { name: "Run with these arguments" }).click();
    await expect.poll(() => card.getByRole("alert").innerText()).toContain("not valid for send_email");
    await screenshot(page, "web-approval-edit");

    await editor.fill(JSON.stringify({ to: "grace@example.com", subject: "Hello", body: "Meeting at 11." }));
    await card.getByRole("button", { name: "Run with these arguments" }).click();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain('"to":"grace@example.com"');
    expect(await outbox(threadId)).toEqual([{ to_address: "grace@example.com", subject: "Hello", body: "Meeting at 11." }]);
    const tool = page.locator(".tool-card").last();
    await tool.locator("summary").click();
    expect(await tool.locator(".tool-output").innerText()).toContain("grace@example.com");
    expect(await decisions(threadId)).toMatchObject([{ decision: "edit", edited_args: { to: "grace@example.com" } }]);
    expect(JSON.parse(await tool.locator(".tool-args").innerText())).toMatchObject({ to: "grace@example.com" });
    // After a reload the card still shows what ran, not the model's arguments.
    await page.reload();
    await waitForChat(page);
    const reloaded = page.locator(".tool-card").last();
    await reloaded.waitFor({ timeout: 15_000 });
    await reloaded.locator("summary").click();
    expect(JSON.parse(await reloaded.locator(".tool-args").innerText())).toMatchObject({ to: "grace@example.com", body: "Meeting at 11." });
  });

  it("Reject with a reason resumes the run with a rejection, records the reason and sends nothing", async () => {
    const card = await askForEmail(page);
    const threadId = await currentThread();
    await card.getByRole("button", { name: "Reject" }).click();
    await card.getByLabel("Reason (sent to the assistant)").fill("wrong recipient");
    await screenshot(page, "web-approval-reject");
    await card.getByRole("button", { name: "Reject" }).click();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain("rejected this call of send_email: wrong recipient");
    const tool = page.locator(".tool-card").last();
    // Rejected, not failed: live, and after a reload (the transcript says so: status "rejected").
    await expect.poll(() => tool.locator("summary").innerText()).toMatch(/send_email\s+rejected/);
    await tool.locator("summary").click();
    expect(await tool.locator(".tool-section-label").allInnerTexts()).toContain("Rejection");
    // The person's words, not the sentence the model was told ("Error: the user rejected this call of …").
    expect(await tool.locator(".tool-output").innerText()).toBe("wrong recipient");
    await page.reload();
    await waitForChat(page);
    await expect.poll(() => page.locator(".tool-card").last().locator("summary").innerText(), { timeout: 15_000 }).toMatch(/send_email\s+rejected/);
    expect(await outbox(threadId)).toEqual([]);
    expect(await decisions(threadId)).toEqual([{ decision: "reject", tool_name: "send_email", edited_args: null, reason: "wrong recipient" }]);
    expect(pageErrors).toEqual([]);
  });
});
