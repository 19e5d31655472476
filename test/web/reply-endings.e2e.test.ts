import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { ConfigOverrides } from "../../src/config.js";
import { answerByEnding } from "../models/chat-completions-stream.js";
import { type RecordingServer, startRecordingServer } from "../models/recording-server.js";
import { TestWsClient, chat } from "../helpers/ws-client.js";
import { pageErrors, screenshot, sendMessage, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

// A reply the provider cut off at its token limit, or refused, looks like a finished answer unless it is marked:
// the transcript says so (`status`), and the page shows it, live and after a reload.

let provider: RecordingServer;
// Filled in before the server starts (this beforeAll runs before the fixture's): the provider's address.
const env: ConfigOverrides = { MODEL: "openai:gpt-test", OPENAI_API_KEY: "sk-test-000000000000000000" };
beforeAll(async () => {
  provider = await startRecordingServer(answerByEnding);
  env.OPENAI_BASE_URL = `${provider.url}/v1`;
});
afterAll(async () => provider[Symbol.asyncDispose]());

const fixture = useBrowserServer({ openPage: true, env });
let page: Page;
beforeAll(() => {
  page = fixture.page;
  trackPageErrors(page);
});

/** Each assistant bubble as "text | badge". */
const replies = (target: Page) =>
  target.locator(".message-assistant").evaluateAll((articles) =>
    articles.map((article) => `${article.querySelector(".markdown")?.textContent?.trim() ?? ""} | ${article.querySelector(".reply-ending")?.textContent ?? "-"}`),
  );

describe("replies that did not end of their own accord", () => {
  it("are marked in the transcript: truncated, refused, or nothing", async () => {
    await using client = await TestWsClient.connect(fixture.server.wsUrl);
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", {});
    for (const text of ["a long question", "something forbidden", "a short one"]) await chat(client, thread_id, text);
    const { messages } = await client.call<{ messages: { role: string; status?: string }[] }>("messages.list", { thread_id });
    expect(messages.filter((message) => message.role === "assistant").map((message) => message.status ?? "-")).toEqual(["truncated", "refused", "-"]);
  });

  it("show on the page, live and after a reload", async () => {
    await sendMessage(page, "a long question");
    await expect.poll(() => replies(page), { timeout: 15_000 }).toEqual(["This answer is cut off mid | cut off at the reply's length limit"]);
    await sendMessage(page, "something forbidden");
    await expect.poll(() => replies(page), { timeout: 15_000 }).toHaveLength(2);
    await sendMessage(page, "a short one");
    const expected = ["This answer is cut off mid | cut off at the reply's length limit", " | the model declined to answer", "A whole answer. | -"];
    await expect.poll(() => replies(page), { timeout: 15_000 }).toEqual(expected);
    await screenshot(page, "web-reply-endings");
    await page.reload();
    await waitForChat(page);
    await expect.poll(() => replies(page), { timeout: 15_000 }).toEqual(expected);
    expect(pageErrors).toEqual([]);
  });
});
