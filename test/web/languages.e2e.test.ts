import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { lastAssistantText, openPage, pageErrors, screenshot, sendMessage, startNewChat, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

// The fake model turns `/tools [{name, args}, …]` into calls of those tools; send_email requires approval, so the
// calculator asked for before it waits too.
const EMAIL = `/tools ${JSON.stringify([
  { name: "calculator", args: { expression: "6*7" } },
  { name: "send_email", args: { to: "ada@example.com", subject: "你好", body: "十点开会？" } },
])}`;
// A small frame limit, so a message refused as too long is quick to type.
const FRAME_LIMIT = 16_384;
const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: 30, WS_MAX_FRAME_BYTES: FRAME_LIMIT } });

/** A fresh browser profile whose browser language is `locale`, on the chat page and ready. */
async function openIn(locale: string): Promise<Page> {
  const page = await openPage(fixture.browser, fixture.server.url, { locale });
  await waitForChat(page);
  return page;
}

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const placeholder = (page: Page) => page.locator("#composer-input").getAttribute("placeholder");
const languageSwitch = (page: Page) => page.locator("select.language-select");

/** Send a message too long for the server's frame limit; resolves with the error banner above the composer. */
async function sendTooLong(page: Page) {
  await page.locator("#composer-input").fill("long ".repeat(FRAME_LIMIT / 4));
  await page.locator("#composer-input").press("Enter");
  const banner = page.locator(".composer-error");
  await banner.waitFor({ timeout: 10_000 });
  return banner;
}

describe("the page's language", () => {
  it("speaks Chinese to a zh-CN browser: composer, sidebar, approval card, times, dialog and errors", async () => {
    const page = await openIn("zh-CN");
    expect(await htmlLang(page)).toBe("zh-CN");
    // No language picked: the switch says the page follows the browser, and which language that gives.
    expect(await languageSwitch(page).inputValue()).toBe("browser");
    expect(await languageSwitch(page).locator("option").allInnerTexts()).toEqual(["浏览器：简体中文", "English", "简体中文"]);
    expect(await page.getByRole("combobox", { name: "语言" }).count()).toBe(1);
    // Composer and header.
    expect(await placeholder(page)).toBe("给助手发消息（Enter 发送，Shift+Enter 换行）");
    expect(await page.getByRole("button", { name: "发送" }).count()).toBe(1);
    expect(await page.locator(".chat-title h1").innerText()).toBe("新会话");
    expect(await page.locator(".empty-chat").innerText()).toBe("打个招呼，开始对话吧。");
    // Sidebar.
    expect(await page.getByRole("navigation", { name: "会话列表" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "+ 新会话" }).count()).toBe(1);
    expect(await page.getByRole("searchbox", { name: "搜索会话和消息" }).getAttribute("placeholder")).toBe("搜索会话和消息");

    // An approval card: 批准 / 编辑 / 拒绝, and the tool card waiting for it.
    await sendMessage(page, EMAIL);
    const card = page.locator(".approval-card");
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator(".approval-title").innerText()).toBe("批准调用工具 send_email？");
    for (const name of ["批准", "编辑", "拒绝"]) expect(await card.getByRole("button", { name, exact: true }).isVisible()).toBe(true);
    expect(await page.locator(".tool-card .tool-state").allInnerTexts()).toEqual(["等待运行", "等待批准"]);
    // The conversation's own text is never translated.
    expect(await page.locator(".message-user .plain-text").last().innerText()).toBe(EMAIL);
    await card.getByRole("button", { name: "拒绝", exact: true }).click();
    expect(await card.getByLabel("原因（会告知助手）").isVisible()).toBe(true);
    await card.getByRole("button", { name: "返回" }).click();
    await card.getByRole("button", { name: "编辑", exact: true }).click();
    await card.getByLabel("参数（JSON）").fill("[1]");
    await card.getByRole("button", { name: "按此参数运行" }).click();
    expect(await card.locator(".form-error").innerText()).toBe("参数必须是 JSON 对象");
    // The server's refusal comes in a Chinese sentence (its reason, which names the tool's fields, as sent).
    await card.getByLabel("参数（JSON）").fill('{"to":"not an address","subject":"s","body":"b"}');
    await card.getByRole("button", { name: "按此参数运行" }).click();
    await expect.poll(() => card.locator(".form-error").innerText(), { timeout: 10_000 }).toMatch(/^服务器未接受这个回答：.*send_email/);
    await card.getByRole("button", { name: "返回" }).click();
    await screenshot(page, "web-zh-approval");
    await card.getByRole("button", { name: "批准", exact: true }).click();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toMatch(/^Tool send_email returned/);
    await expect.poll(() => page.locator(".tool-card .tool-state").allInnerTexts()).toEqual(["已完成", "已完成"]);
    const tool = page.locator(".tool-card").last();
    await tool.locator("summary").click();
    expect(await tool.locator(".tool-section-label").allInnerTexts()).toEqual(["参数", "结果"]);
    expect(await tool.locator(".tool-duration").innerText()).toMatch(/^[\d.]+(毫秒|秒)$/);

    // A relative time in the sidebar, with the full time in its tooltip.
    const time = page.locator(".session-current time");
    expect(await time.innerText()).toBe("现在");
    expect(await time.getAttribute("title")).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$/);

    // The delete dialog.
    await page.locator(".session-current").getByRole("button", { name: /^删除“/ }).click();
    const dialog = page.getByRole("dialog", { name: "删除此会话？" });
    await dialog.waitFor();
    expect(await dialog.locator("p").innerText()).toMatch(/^“.+”及其全部聊天记录将被删除，且无法恢复。$/);
    expect(await dialog.getByRole("button", { name: "删除" }).isVisible()).toBe(true);
    await dialog.getByRole("button", { name: "取消" }).click();
    await dialog.waitFor({ state: "detached" });

    // An error banner: the page's framing in Chinese around the size the server allows.
    const banner = await sendTooLong(page);
    expect(await banner.innerText()).toBe("消息太长，无法发送（服务器最多接受约 16 KB）。请删减或分成几条发送，消息仍在输入框中。");
    expect(await banner.getByRole("button", { name: "关闭" }).count()).toBe(1);
    await screenshot(page, "web-zh-error");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("says in Chinese that the open session was deleted in another window, keeping the draft", async () => {
    const page = await openIn("zh-CN");
    await sendMessage(page, "这个会话马上要被删除");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: 这个会话马上要被删除");
    const doomed = await page.locator(".session-current").getAttribute("data-thread-id");
    await page.locator("#composer-input").fill("还没发送的草稿");
    // Deleted elsewhere (here through the HTTP API): the server's thread.deleted reaches this tab.
    const response = await fetch(`${fixture.server.url}/threads/${doomed ?? ""}`, { method: "DELETE" });
    expect(response.ok).toBe(true);
    const banner = page.locator(".composer-error");
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toBe("你打开的会话已在另一个窗口中删除，本窗口已切换到自己的会话。输入框中的内容仍然保留。");
    expect(await page.locator("#composer-input").inputValue()).toBe("还没发送的草稿");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("speaks English to an English browser, and Simplified Chinese to a zh-TW one", async () => {
    const english = await openIn("en-GB");
    expect(await htmlLang(english)).toBe("en");
    expect(await placeholder(english)).toBe("Message the assistant (Enter to send, Shift+Enter for a new line)");
    expect(await english.getByRole("button", { name: "+ New chat" }).count()).toBe(1);
    expect(await english.getByRole("combobox", { name: "Language" }).inputValue()).toBe("browser");
    expect(await english.locator("select.language-select option").first().innerText()).toBe("Browser: English");
    await english.context().close();

    const traditional = await openIn("zh-TW");
    expect(await htmlLang(traditional)).toBe("zh-CN");
    expect(await traditional.getByRole("button", { name: "发送" }).count()).toBe(1);
    await traditional.context().close();
  });

  it("switches at once from the language switch, keeping the draft, the session and what is on screen, and remembers it", async () => {
    const page = await openIn("en-US");
    await sendMessage(page, "hello in English");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: hello in English");
    const session = await page.locator(".session-current").getAttribute("data-thread-id");
    const banner = await sendTooLong(page);
    expect(await banner.innerText()).toMatch(/^This message is too long to send/);
    const input = page.locator("#composer-input");
    await input.fill("a draft 草稿 that must survive");

    await page.getByRole("combobox", { name: "Language" }).selectOption("zh-CN");
    // No reload: the same document, the same session, the draft and the banner still there, now in Chinese.
    expect(await htmlLang(page)).toBe("zh-CN");
    expect(await placeholder(page)).toBe("给助手发消息（Enter 发送，Shift+Enter 换行）");
    expect(await page.getByRole("button", { name: "发送" }).count()).toBe(1);
    expect(await input.inputValue()).toBe("a draft 草稿 that must survive");
    expect(await page.locator(".session-current").getAttribute("data-thread-id")).toBe(session);
    expect(await banner.innerText()).toMatch(/^消息太长，无法发送/);
    expect(await page.locator(".session-current time").innerText()).toBe("现在");
    expect(await lastAssistantText(page)).toBe("You said: hello in English");

    await page.reload();
    await waitForChat(page);
    expect(await htmlLang(page)).toBe("zh-CN");
    expect(await page.getByRole("combobox", { name: "语言" }).inputValue()).toBe("zh-CN");
    expect(await page.getByRole("button", { name: "+ 新会话" }).count()).toBe(1);

    await page.getByRole("combobox", { name: "语言" }).selectOption("en");
    expect(await htmlLang(page)).toBe("en");
    expect(await page.getByRole("button", { name: "+ New chat" }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("goes back to following the browser from the language switch, forgetting the choice", async () => {
    const page = await openIn("zh-CN");
    await languageSwitch(page).selectOption("en");
    expect(await htmlLang(page)).toBe("en");
    expect(await page.evaluate(() => localStorage.getItem("threadline.locale"))).toBe("en");
    // The option names the browser's language in the page's current one.
    expect(await languageSwitch(page).locator("option").first().innerText()).toBe("Browser: 简体中文");

    await languageSwitch(page).selectOption({ label: "Browser: 简体中文" });
    expect(await htmlLang(page)).toBe("zh-CN");
    expect(await page.getByRole("button", { name: "+ 新会话" }).count()).toBe(1);
    expect(await languageSwitch(page).inputValue()).toBe("browser");
    expect(await page.evaluate(() => localStorage.getItem("threadline.locale"))).toBeNull();
    await page.reload();
    await waitForChat(page);
    expect(await htmlLang(page)).toBe("zh-CN");
    expect(await languageSwitch(page).inputValue()).toBe("browser");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("leaves a session whose first message has no words untitled, so it reads “New chat” in each language", async () => {
    const page = await openIn("zh-CN");
    await startNewChat(page, "+ 新会话");
    await sendMessage(page, "```\nSELECT 1\n```");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toContain("SELECT 1");
    const threadId = await page.locator(".session-current").getAttribute("data-thread-id");
    const stored = await fixture.server.services.pool.query<{ title: string | null }>("SELECT title FROM threads WHERE thread_id = $1", [threadId]);
    expect(stored.rows).toEqual([{ title: null }]);
    expect(await page.locator(".chat-title h1").innerText()).toBe("新会话");
    expect(await page.locator(".session-current .session-title").innerText()).toBe("新会话");
    expect(await page.title()).toBe("新会话 · Threadline");
    await languageSwitch(page).selectOption("en");
    expect(await page.locator(".chat-title h1").innerText()).toBe("New chat");
    await expect.poll(() => page.title()).toBe("New chat · Threadline");
    expect(await page.locator(".session-current .session-title").innerText()).toBe("New chat");
    await page.context().close();
  });

  it("words the timeline's own failure to load in the page's language, around the server's message", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1200, height: 800 }, locale: "zh-CN" });
    // The panel's page of checkpoints fails; the one-checkpoint probe that shows the Timeline button does not.
    await context.routeWebSocket(/\/ws/, (route) => {
      const upstream = route.connectToServer();
      route.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { id: number; method: string; params?: { limit?: number } };
        if (frame.method === "state.listCheckpoints" && frame.params?.limit !== 1) {
          route.send(JSON.stringify({ type: "error", id: frame.id, code: "internal", message: "checkpoints are unavailable" }));
        } else upstream.send(message);
      });
    });
    const page = await context.newPage();
    trackPageErrors(page);
    await page.goto(fixture.server.url);
    await waitForChat(page);
    await sendMessage(page, "时间线");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 15_000 }).toBe("You said: 时间线");
    await page.getByRole("button", { name: "时间线", exact: true }).click();
    expect(await page.getByRole("complementary", { name: "时间线" }).count()).toBe(1);
    const alert = page.locator(".timeline-panel").getByRole("alert");
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toBe("无法加载时间线：checkpoints are unavailable (internal)");
    await languageSwitch(page).selectOption("en");
    expect(await alert.innerText()).toBe("Could not load the timeline: checkpoints are unavailable (internal)");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("says in Chinese when the server refuses the page's first requests (429), and loads by itself once it accepts them", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1200, height: 800 }, locale: "zh-CN" });
    let refused = 0;
    await context.route("**/assistants/search", async (route) => {
      if (refused >= 2) return route.continue();
      refused += 1;
      return route.fulfill({ status: 429, headers: { "Retry-After": "1" }, contentType: "application/json", body: JSON.stringify({ code: "rate_limited", message: "Too many requests" }) });
    });
    const page = await context.newPage();
    trackPageErrors(page);
    await page.goto(fixture.server.url);
    // It read "assistants: server answered 429 (unavailable)", in English, and stayed so until reloaded by hand.
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.locator("p").innerText().catch(() => ""), { timeout: 5_000 }).toBe("此账户的请求过于频繁，服务器暂时拒绝。1 秒后自动重试…");
    expect(await alert.getByRole("button").innerText()).toBe("立即重试");
    await waitForChat(page);
    expect(refused).toBe(2);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("says what failed when the server cannot answer, and tries again at once from its button", async () => {
    const context = await fixture.browser.newContext({ viewport: { width: 1200, height: 800 }, locale: "en-US" });
    let failing = true;
    await context.route("**/assistants/search", (route) =>
      failing ? route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ code: "unavailable", message: "The database is starting" }) }) : route.continue(),
    );
    const page = await context.newPage();
    trackPageErrors(page);
    await page.goto(fixture.server.url);
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.locator("p").innerText().catch(() => ""), { timeout: 5_000 }).toBe("Cannot reach the server: The database is starting. Trying again in 1 s…");
    // The second failure in a row waits twice as long.
    await expect.poll(() => alert.locator("p").innerText().catch(() => ""), { timeout: 5_000 }).toBe("Cannot reach the server: The database is starting. Trying again in 2 s…");
    failing = false;
    await alert.getByRole("button", { name: "Try again now" }).click();
    await waitForChat(page);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("without JavaScript, says in English and Chinese that the page needs it", async () => {
    const context = await fixture.browser.newContext({ locale: "zh-CN", javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(fixture.server.url);
    expect(await page.locator("body").innerText()).toBe("Threadline's chat page needs JavaScript.\n\nThreadline 聊天页面需要启用 JavaScript。");
    expect(await page.locator('noscript p[lang="zh-CN"]').count()).toBe(1);
    expect(await htmlLang(page)).toBe("en");
    await context.close();
  });
});
