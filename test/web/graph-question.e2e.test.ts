import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { currentThread, lastAssistantText, pageErrors, screenshot, sendMessage, useBrowserServer } from "./browser.js";

// A developer's graph asking its own question (`interrupt({question, options})`, test/helpers/question-graph.ts): the
// page shows it as asked, with its options as buttons and a box for a typed answer, and the reply continues.
const fixture = useBrowserServer({ env: { LANGGRAPH_CONFIG: fileURLToPath(new URL("../helpers/question-graphs.langgraph.json", import.meta.url)) }, openPage: true });

async function askInNewChat(assistant = "ask"): Promise<void> {
  const { page } = fixture;
  const before = await currentThread(page);
  await page.locator("#assistant-picker").selectOption({ label: assistant });
  await page.getByRole("button", { name: "+ New chat" }).click();
  // A session of the assistant picked: the blank one open (of the chat assistant) is not it.
  await expect.poll(() => currentThread(page)).not.toBe(before);
  await sendMessage(page, "go");
  await page.locator(".question-card").first().waitFor({ timeout: 15_000 });
}

describe("a graph's own question in the page", () => {
  it("shows the question and its options; an option answers it and the reply continues", async () => {
    const { page } = fixture;
    await askInNewChat();
    const card = page.locator(".question-card");
    expect(await card.locator(".question-text").innerText()).toBe("Are you sure?");
    await screenshot(page, "graph-question");
    await card.getByRole("button", { name: "yes" }).click();
    await expect.poll(() => lastAssistantText(page), { timeout: 15_000 }).toBe('You answered: "yes"');
    expect(await page.locator(".question-card").count()).toBe(0);
  });

  it("a typed answer is sent as written; an empty one is refused on the page", async () => {
    const { page } = fixture;
    await askInNewChat();
    const card = page.locator(".question-card");
    await card.getByRole("button", { name: "Send answer" }).click();
    expect(await card.getByRole("alert").innerText()).toBe("Type an answer first.");
    await card.getByLabel("Your answer").fill("也许 maybe");
    await card.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => lastAssistantText(page), { timeout: 15_000 }).toBe('You answered: "也许 maybe"');
    expect(pageErrors).toEqual([]);
  });

  it("options that are not strings: {label, value} shows its label and answers with its value; a number is offered too", async () => {
    const { page } = fixture;
    await askInNewChat("pick");
    const card = page.locator(".question-card");
    expect(await card.locator(".question-text").innerText()).toBe("Which size?");
    expect(await card.locator(".approval-actions button").allInnerTexts()).toEqual(["Small", "Large", "7", "Send answer"]);
    await card.getByRole("button", { name: "Large" }).click();
    await expect.poll(() => lastAssistantText(page), { timeout: 15_000 }).toBe('Picked: {"size":3}');
    expect(pageErrors).toEqual([]);
  });

  it("two questions asked at once: answering one keeps what was typed into the other", async () => {
    const { page } = fixture;
    await askInNewChat("pair");
    await expect.poll(() => page.locator(".question-card").count(), { timeout: 15_000 }).toBe(2);
    const card = (text: string) => page.locator(".question-card", { has: page.locator(".question-text", { hasText: text }) });
    await card("left?").getByLabel("Your answer").fill("a left draft");
    await card("right?").getByLabel("Your answer").fill("R");
    await card("right?").getByRole("button", { name: "Send answer" }).click();
    // The answer's run goes on, then stops again at the question still open: its draft is still there.
    await expect.poll(() => page.locator(".question-card").count(), { timeout: 15_000 }).toBe(1);
    await card("left?").waitFor({ timeout: 15_000 });
    expect(await card("left?").getByLabel("Your answer").inputValue()).toBe("a left draft");
    await card("left?").getByRole("button", { name: "Send answer" }).click();
    await expect.poll(async () => (await page.locator(".message-assistant").allInnerTexts()).join("\n"), { timeout: 15_000 }).toContain('left: "a left draft"');
    expect((await page.locator(".message-assistant").allInnerTexts()).join("\n")).toContain('right: "R"');
    expect(pageErrors).toEqual([]);
  });
});
