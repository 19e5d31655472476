import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { RunningServer } from "../../src/app.js";
import { lastAssistantText, pageErrors, screenshot, sendMessage, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer({ openPage: true });
let server: RunningServer;
let page: Page;
let imported = "";

/** An imported group chat: two people and the assistant, each by name. */
const CONVERSATION = [
  { speaker: "Ada", content: "Shall we read the tomato book next?" },
  { speaker: "Melanie", content: "Sounds good to me." },
  { speaker: "张伟", content: "我也想读那本关于番茄的书。" },
];

beforeAll(async () => {
  ({ server, page } = fixture);
  trackPageErrors(page);
  const response = await fetch(`${server.url}/threads/import`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ conversation: CONVERSATION, title: "Book club", assistant_speaker: "Melanie" }),
  });
  expect(response.status).toBe(201);
  imported = ((await response.json()) as { thread_id: string }).thread_id;
  await page.reload();
  await waitForChat(page);
});

/** Each message of the open session as "role | speaker shown | screen reader's label | text". */
const messageRows = (target: Page) =>
  target.locator(".message").evaluateAll((articles) =>
    articles.map((article) => {
      const speaker = article.querySelector(".speaker")?.textContent ?? "-";
      const label = article.querySelector("h3")?.textContent ?? "";
      const text = article.querySelector(".plain-text, .markdown")?.textContent ?? "";
      return `${article.getAttribute("data-role") ?? ""} | ${speaker} | ${label} | ${text.trim()}`;
    }),
  );

describe("speakers' names", () => {
  it("an imported group chat shows who said each line, not 'You' for every person", async () => {
    await page.locator(`.session-item[data-thread-id="${imported}"]`).getByRole("button").first().click();
    await expect.poll(() => messageRows(page), { timeout: 10_000 }).toEqual([
      "user | Ada | Ada | Shall we read the tomato book next?",
      "assistant | Melanie | Melanie | Sounds good to me.",
      "user | 张伟 | 张伟 | 我也想读那本关于番茄的书。",
    ]);
    await screenshot(page, "web-speaker-names");
  });

  it("a message search hit names its speaker", async () => {
    await page.getByRole("searchbox", { name: "Search sessions and messages" }).fill("tomato");
    const snippet = page.getByRole("list", { name: "Messages" }).locator(".search-hit-snippet").first();
    await expect.poll(() => snippet.innerText().catch(() => ""), { timeout: 10_000 }).toMatch(/^Ada: Shall we read the tomato book/);
    await page.getByRole("searchbox", { name: "Search sessions and messages" }).fill("");
  });

  it("a chat typed on the page shows no names: the person is 'You' to screen readers, nothing above the bubbles", async () => {
    await page.getByRole("button", { name: "+ New chat" }).click();
    await sendMessage(page, "hello there");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: hello there");
    expect(await messageRows(page)).toEqual(["user | - | You | hello there", "assistant | - | Assistant | You said: hello there"]);
    expect(pageErrors).toEqual([]);
  });
});
