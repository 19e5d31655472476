import type { Browser, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { lastAssistantText, openPage, pageErrors, recordStreaming, screenshot, sendMessage, streamSnapshots, useBrowserServer, waitForChat } from "./browser.js";

// Slow enough chunks (4 per reply) that a reply stays open long enough to stop it or drop the socket mid-way.
const CHUNK_DELAY_MS = 250;

const fixture = useBrowserServer({ env: { FAKE_CHUNK_DELAY_MS: CHUNK_DELAY_MS }, openPage: true });
let server: RunningServer;
let browser: Browser;
let page: Page;
beforeAll(() => {
  ({ server, browser, page } = fixture);
});

describe("the chat page (AUTH_MODE=none)", () => {
  it("is served at / with a strict content security policy, without shadowing the API", async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await index.text();
    const script = /src="(\/assets\/main-[\w-]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script ?? ""}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${server.url}/assets/missing-000.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/..%2Fpackage.json`)).status).toBe(404);
    expect(await (await fetch(`${server.url}/info`)).json()).toMatchObject({ auth_mode: "none" });
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
  });

  it("streams a reply token by token, and titles the session from the first message", async () => {
    await recordStreaming(page);
    await sendMessage(page, "Hello there, 你好，世界！ This line is long enough to wrap nicely.");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe(
      "You said: Hello there, 你好，世界！ This line is long enough to wrap nicely.",
    );
    const snapshots = await streamSnapshots(page);
    const final = "You said: Hello there, 你好，世界！ This line is long enough to wrap nicely.";
    // Several partial texts, each a growing prefix of the final reply: it streamed, in order.
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (const snapshot of snapshots) expect(final.startsWith(snapshot)).toBe(true);
    expect(snapshots[0]?.length).toBeLessThan(final.length);
    await expect.poll(() => page.locator(".chat-title h1").innerText()).toBe("Hello there, 你好，世界！ This line is long enough to wrap nicely.");
    await expect.poll(() => page.locator(".session-current .session-title").innerText()).toContain("Hello there");
  });

  it("shows tool calls as collapsible cards with arguments, result and duration", async () => {
    await sendMessage(page, '/tool calculator {"expression":"6*7"}');
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("Tool calculator returned: 42");
    const card = page.locator(".tool-card").last();
    await expect.poll(() => card.locator("summary").innerText()).toMatch(/calculator\s+done\s+\d+(\.\d)? m?s/);
    expect(await card.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    await card.locator("summary").click();
    expect(await card.locator(".tool-args").innerText()).toContain('"expression": "6*7"');
    expect(await card.locator(".tool-output").innerText()).toBe("42");
  });

  it("renders Markdown with copyable code blocks and never injects HTML from model output", async () => {
    const hostile = [
      '<img src="x" onerror="window.__pwned = 1"> <script>window.__pwned = 2</script>',
      "**bold** and [a link](javascript:window.__pwned=3)",
      "```js",
      "const answer = 42;",
      "```",
    ].join("\n");
    await sendMessage(page, hostile);
    await expect.poll(() => page.locator(".message-assistant:not(.message-streaming) .code-block").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const reply = page.locator(".message-assistant:not(.message-streaming)").last();
    expect(await reply.locator("img, script").count()).toBe(0);
    expect(await reply.innerText()).toContain('<img src="x" onerror=');
    expect(await reply.locator("strong").innerText()).toBe("bold");
    expect(await reply.locator("a").getAttribute("href")).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await reply.locator(".copy-button").click();
    await expect.poll(() => reply.locator(".copy-button").innerText()).toBe("Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("const answer = 42;\n");
    await screenshot(page, "web-markdown-and-tools");
  });

  it("lays a Markdown table out with short columns unbroken beside a long one (its header, a word, a CJK pair)", async () => {
    const long = "一段很长的说明文字，".repeat(12);
    await sendMessage(page, `table:\n\n| 数量 | 水果 | 说明 |\n|---|---|---|\n| 3 | banana | ${long} |`);
    const reply = page.locator(".message-assistant:not(.message-streaming)").last();
    await expect.poll(() => reply.locator("table").count(), { timeout: 10_000 }).toBe(1);
    const lines = await reply.evaluate((element) => {
      const linesOf = (cell: Element | null) => {
        const range = document.createRange();
        range.selectNodeContents(cell ?? document.body);
        return new Set(Array.from(range.getClientRects() as ArrayLike<DOMRect>, (rect) => Math.round(rect.top))).size;
      };
      const cells: Element[] = Array.from(element.querySelectorAll("th, td") as ArrayLike<Element>);
      return Object.fromEntries(["数量", "水果", "banana"].map((text) => [text, linesOf(cells.find((cell) => cell.textContent?.trim() === text) ?? null)]));
    });
    expect(lines).toEqual({ 数量: 1, 水果: 1, banana: 1 });
  });

  it("stops a reply with the Stop button and with Esc", async () => {
    await sendMessage(page, "please stop me before I finish this sentence");
    await page.locator(".message-streaming").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.locator(".stopped-badge").first().waitFor({ timeout: 30_000 });
    await page.getByText("Reply stopped.").first().waitFor();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    await screenshot(page, "web-stopped");

    const stoppedBefore = await page.locator(".stopped-badge").count();
    await sendMessage(page, "and stop me with the escape key");
    await page.locator(".message-streaming").waitFor({ timeout: 30_000 });
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator(".stopped-badge").count(), { timeout: 30_000 }).toBe(stoppedBefore + 1);

    // Regenerate under the stopped reply runs it again from its message, which is not stored a second time.
    const note = page.locator(".run-note").last();
    await note.getByRole("button", { name: "Regenerate" }).click();
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 30_000 }).toBe("You said: and stop me with the escape key");
    expect(await page.locator(".message-user .plain-text", { hasText: "and stop me with the escape key" }).count()).toBe(1);
  });

  it("shows a failed run inline, and Retry runs it again without storing the message twice", async () => {
    await sendMessage(page, "/fail boom");
    const error = page.locator(".run-error").last();
    await error.waitFor({ timeout: 10_000 });
    expect(await error.innerText()).toContain("boom");
    expect(await error.innerText()).toContain("model_error");
    await screenshot(page, "web-run-failed");
    const errors = await page.locator(".run-error").count();
    await error.getByRole("button", { name: "Retry" }).click();
    // A replay from the checkpoint holding the message: it runs (and fails) again, the message stays one.
    await expect.poll(() => page.locator(".run-error").count(), { timeout: 10_000 }).toBe(errors + 1);
    expect(await page.locator(".message-user .plain-text", { hasText: "/fail boom" }).count()).toBe(1);
    const threadId = await page.locator(".session-current").getAttribute("data-thread-id");
    const state = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { values: { messages: { content: string }[] } };
    expect(state.values.messages.filter((message) => message.content === "/fail boom")).toHaveLength(1);
    // A retry is offered under the newest turn only: after another message, the old failure has none.
    await sendMessage(page, "after the failure");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: after the failure");
    expect(await page.locator(".run-error").getByRole("button", { name: "Retry" }).count()).toBe(0);
  });

  it("Shift+Enter adds a line and Enter sends", async () => {
    const input = page.locator("#composer-input");
    await input.fill("first line");
    await input.press("Shift+Enter");
    await input.pressSequentially("second line");
    expect(await input.inputValue()).toBe("first line\nsecond line");
    await input.press("Enter");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: first line\nsecond line");
    expect(await input.inputValue()).toBe("");
  });

  it("keeps a message over the server's 100,000 characters (far under its frame limit) in the box, and says the limit", async () => {
    const input = page.locator("#composer-input");
    const before = await page.locator(".message-user").count();
    const huge = "x".repeat(100_001);
    await input.fill(huge);
    await input.press("Enter");
    const alert = page.locator(".composer-error");
    await alert.waitFor({ timeout: 10_000 });
    // It said "Invalid params for run.start (invalid_request)" before.
    expect(await alert.innerText()).toMatch(/too long to send \(the server takes up to 100,000 characters\)/);
    expect(await input.inputValue()).toBe(huge);
    expect(await page.locator(".message-user").count()).toBe(before);
    await alert.getByRole("button", { name: "Dismiss" }).click();
    await input.fill("");
  });

  it("returns to the same session with its history after a reload", async () => {
    const threadBefore = await page.locator(".session-current").getAttribute("data-thread-id");
    const windowBefore = await page.evaluate(() => sessionStorage.getItem("threadline.window_id"));
    await page.reload();
    await waitForChat(page);
    await page.locator(".message-user", { hasText: "Hello there" }).waitFor();
    expect(await page.locator(".session-current").getAttribute("data-thread-id")).toBe(threadBefore);
    expect(await page.evaluate(() => sessionStorage.getItem("threadline.window_id"))).toBe(windowBefore);
    expect(await page.locator(".tool-card").count()).toBeGreaterThan(0);
    expect(await lastAssistantText(page)).toBe("You said: first line\nsecond line");
    await screenshot(page, "web-reloaded-history");
  });

  it("renames, searches and deletes sessions (with confirmation)", async () => {
    await page.getByRole("button", { name: "+ New chat" }).click();
    await expect.poll(() => page.locator(".session-item").count()).toBe(2);
    await sendMessage(page, "Second session about 数据库 design");
    await expect.poll(() => page.locator(".session-current .session-title").innerText(), { timeout: 10_000 }).toBe("Second session about 数据库 design");

    await page.locator(".session-current").getByRole("button", { name: /^Rename/ }).click();
    await page.getByLabel("Session title").fill("Renamed: 数据库");
    await page.getByLabel("Session title").press("Enter");
    await expect.poll(() => page.locator(".chat-title h1").innerText()).toBe("Renamed: 数据库");

    await page.getByLabel("Search sessions and messages").fill("数据库");
    expect(await page.locator(".session-item").count()).toBe(1);
    await page.getByLabel("Search sessions and messages").fill("nothing like this");
    await page.getByText("No session matches.").waitFor();
    await page.getByLabel("Search sessions and messages").fill("");

    await page.locator(".session-current").getByRole("button", { name: /^Delete/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await screenshot(page, "web-delete-confirmation");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await page.locator(".session-item").count()).toBe(2);
    await page.locator(".session-current").getByRole("button", { name: /^Delete/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator(".session-item").count()).toBe(1);
    // Back on the tab's own session.
    await page.locator(".message-user", { hasText: "Hello there" }).waitFor();
  });

  it("fits a phone screen in dark mode, with the sessions in a drawer", async () => {
    const phone = await openPage(browser, server.url, { viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true });
    await waitForChat(phone);
    expect(await phone.locator(".sidebar").isVisible()).toBe(false);
    const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(21, 24, 29)");
    await sendMessage(phone, "小屏幕上的中文也应该正常换行，而且不会溢出。A long English sentence follows to check wrapping too.");
    await expect.poll(() => lastAssistantText(phone).catch(() => ""), { timeout: 10_000 }).toContain("小屏幕");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The session's title stays readable in the header (the actions wrap onto a second row).
    await expect.poll(() => phone.locator(".chat-title h1").innerText()).toContain("小屏幕");
    expect((await phone.locator(".chat-title").boundingBox())?.width).toBeGreaterThan(250);
    await screenshot(phone, "web-phone-dark");
    await phone.getByRole("button", { name: "Sessions" }).click();
    await phone.locator(".sidebar").waitFor({ state: "visible" });
    await screenshot(phone, "web-phone-drawer");
    await phone.context().close();
  });

  it("offers an assistant picker when several assistants exist, and shows the assistant's first message", async () => {
    const created = await fetch(`${server.url}/assistants`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ graph_id: "chat", name: "Kestrel", context: { first_message: "Hi, I'm **Kestrel**." } }),
    });
    expect(created.status).toBe(200);
    await page.reload();
    await waitForChat(page);
    await page.getByLabel("Assistant").selectOption({ label: "Kestrel" });
    await page.getByRole("button", { name: "+ New chat" }).click();
    await page.locator(".message-assistant strong", { hasText: "Kestrel" }).waitFor();
    expect(await page.locator(".assistant-label").innerText()).toBe("Kestrel");
    // A greeting is no reply to anything: there is nothing to regenerate under it.
    expect(await page.locator("button.regenerate").count()).toBe(0);
    // Only the greeting: this is the new chat, and asking for another Kestrel chat makes none.
    const greeted = await page.locator(".session-current").getAttribute("data-thread-id");
    await page.getByRole("button", { name: "+ New chat" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("composer-input");
    expect(await page.locator(".session-current").getAttribute("data-thread-id")).toBe(greeted);
    await sendMessage(page, "hello Kestrel");
    await expect.poll(() => lastAssistantText(page).catch(() => ""), { timeout: 10_000 }).toBe("You said: hello Kestrel");
    expect(await page.locator(".message .bubble").first().innerText()).toBe("Hi, I'm Kestrel.");
    await page.locator("button.regenerate").waitFor({ timeout: 10_000 });
  });

  it("has labelled controls and a usable focus order", async () => {
    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll("button, input, textarea, select"))
        .filter((element) => {
          const label = element.getAttribute("aria-label") ?? (element as HTMLElement).innerText?.trim() ?? "";
          const id = element.getAttribute("id");
          const forLabel = id ? document.querySelector(`label[for="${id}"]`) : null;
          return !label && !forLabel;
        })
        .map((element) => element.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.reload();
    await waitForChat(page);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip-link");
    expect(pageErrors).toEqual([]);
  });
});
