import type { Browser, Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/app.js";
import { chat, TestWsClient } from "../helpers/ws-client.js";
import { openPage, pageErrors, screenshot, TEST_LOCALE, trackPageErrors, useBrowserServer, waitForChat } from "./browser.js";

const fixture = useBrowserServer({ openPage: true });
let server: RunningServer;
let browser: Browser;
let page: Page;
/** Sessions seeded over the protocol, by title. */
const threads: Record<string, string> = {};
/** Turns of the long session: 2 × 30 messages, so its first turns are not on the first page of history (50). */
const LONG_TURNS = 30;

beforeAll(async () => {
  ({ server, browser, page } = fixture);
  await using client = await TestWsClient.connect(server.wsUrl);
  const seed = async (title: string, messages: string[]) => {
    const { thread_id } = await client.call<{ thread_id: string }>("thread.open", { title });
    threads[title] = thread_id;
    for (const message of messages) await chat(client, thread_id, message);
  };
  await seed("Beijing trip", ["What will the weather be like in Beijing tomorrow?", "明天北京的天气怎么样？会下雨吗？"]);
  await seed("Garden notes", ["The tomatoes need water every morning", "<img src=x onerror=alert(1)> is not the weather I hoped for"]);
  const diary = Array.from({ length: LONG_TURNS }, (_, turn) => (turn === 1 ? "The secret password is marmalade" : `Diary entry ${turn + 1}: nothing much happened`));
  await seed("Long diary", diary);
  // A long Chinese message whose term comes late: its snippet must still show the term in the sidebar's three lines.
  await seed("Rain report", [`${"这份报告记录了本周的降雨量和温度变化，".repeat(5)}最难的是确定量化指标的方法。`]);
  // The page was opened before the seeding: a reload lists the new sessions.
  await page.reload();
  await waitForChat(page);
});

const searchBox = (target: Page) => target.getByRole("searchbox", { name: "Search sessions and messages" });
const hitList = (target: Page) => target.getByRole("list", { name: "Messages" });
const hits = (target: Page) => hitList(target).locator(".search-hit");
/** Each hit as "title | snippet with [marked] terms". */
const hitRows = (target: Page) =>
  hits(target).evaluateAll((buttons) =>
    buttons.map((button) => {
      const title = button.querySelector(".search-hit-title")?.textContent ?? "";
      const snippet = Array.from(button.querySelector(".search-hit-snippet")?.childNodes ?? [])
        .map((node) => (node.nodeName === "MARK" ? `[${node.textContent ?? ""}]` : (node.textContent ?? "")))
        .join("");
      return `${title} | ${snippet}`;
    }),
  );

async function search(target: Page, query: string): Promise<void> {
  await searchBox(target).fill(query);
}

/** Whether the element is wholly inside the visible part of the chat's scroller. */
const inView = (locator: Locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const scroller = element.closest(".message-scroller")?.getBoundingClientRect();
    return scroller !== undefined && box.height > 0 && box.top >= scroller.top - 1 && box.bottom <= scroller.bottom + 1;
  });

describe("searching messages from the sidebar", () => {
  it("finds English messages of every session, the query's terms marked, with the session, role and time", async () => {
    await search(page, "weather");
    await expect.poll(() => hitRows(page), { timeout: 10_000 }).toHaveLength(4);
    const rows = await hitRows(page);
    expect([...rows].sort()).toEqual([
      "Beijing trip | Assistant: You said: What will the [weather] be like in Beijing tomorrow?",
      "Beijing trip | You: What will the [weather] be like in Beijing tomorrow?",
      // Cut at 40 columns before the term (a Chinese character counts two).
      "Garden notes | Assistant: …<img src=x onerror=alert(1)> is not the [weather] I hoped for",
      "Garden notes | You: <img src=x onerror=alert(1)> is not the [weather] I hoped for",
    ]);
    // The snippet stayed text: no element was made from the message's markup.
    expect(await page.locator(".sidebar img").count()).toBe(0);
    const time = hits(page).first().locator("time");
    expect(await time.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await time.innerText()).toMatch(/^(now|\d+ min)$/);
    // The title filter still works beside it: no session is titled "weather".
    expect(await page.locator(".session-list .session-empty").innerText()).toBe("No session matches.");
    await screenshot(page, "web-message-search");
  });

  it("finds Chinese messages", async () => {
    await search(page, "天气");
    await expect.poll(() => hitRows(page), { timeout: 10_000 }).toEqual(
      expect.arrayContaining(["Beijing trip | You: 明天北京的[天气]怎么样？会下雨吗？", "Beijing trip | Assistant: You said: 明天北京的[天气]怎么样？会下雨吗？"]),
    );
    expect(await hits(page).count()).toBe(2);
  });

  it("shows the marked term of a long Chinese message within the snippet's three lines", async () => {
    await search(page, "确定量");
    await expect.poll(() => hits(page).count(), { timeout: 10_000 }).toBe(2);
    for (const hit of await hits(page).all()) {
      const seen = await hit.evaluate((button) => {
        const snippet = button.querySelector(".search-hit-snippet")?.getBoundingClientRect();
        const mark = button.querySelector(".search-hit-snippet mark")?.getBoundingClientRect();
        return snippet !== undefined && mark !== undefined && mark.height > 0 && mark.top >= snippet.top - 1 && mark.bottom <= snippet.bottom + 1;
      });
      // With 60 characters of context before it, the term sat on the fifth line, clipped away.
      expect(seen).toBe(true);
    }
  });

  it("says so when no message matches, and shows nothing for a one-character query", async () => {
    await search(page, "xylophone");
    await page.getByRole("region", { name: "Messages" }).getByText("No messages match.").waitFor({ timeout: 10_000 });
    expect(await hits(page).count()).toBe(0);
    await search(page, "x");
    await page.getByRole("region", { name: "Messages" }).waitFor({ state: "detached" });
    // Title filtering keeps working as before.
    await search(page, "garden");
    await expect.poll(() => page.locator(".session-list .session-title").allInnerTexts()).toEqual(["Garden notes"]);
    await page.getByRole("region", { name: "Messages" }).getByText("No messages match.").waitFor({ timeout: 10_000 });
  });

  it("opens a hit far back in a long session with the keyboard: older history loads, the message is scrolled to and highlighted", async () => {
    await search(page, "marmalade");
    await expect.poll(async () => (await hitRows(page)).filter((row) => row.includes("[marmalade]")).length, { timeout: 10_000 }).toBe(2);
    expect(await hits(page).count()).toBe(2);
    // Arrow keys go from the search box into the results (no session title matches, so the first hit).
    await searchBox(page).press("ArrowDown");
    const focusedHit = page.locator(".search-hit:focus");
    await focusedHit.waitFor();
    expect(await focusedHit.getAttribute("data-message-id")).toBe(await hits(page).first().getAttribute("data-message-id"));
    await page.keyboard.press("ArrowDown");
    expect(await focusedHit.getAttribute("data-message-id")).toBe(await hits(page).nth(1).getAttribute("data-message-id"));
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("session-search");
    await searchBox(page).press("ArrowDown");
    const messageId = (await focusedHit.getAttribute("data-message-id")) ?? "";
    expect(await focusedHit.getAttribute("data-thread-id")).toBe(threads["Long diary"]);
    await page.keyboard.press("Enter");

    // The session list is still filtered by the query, so the open session shows in the header.
    await expect.poll(() => page.locator(".chat-title h1").innerText(), { timeout: 10_000 }).toBe("Long diary");
    const target = page.locator(`.message[data-message-id="${messageId}"]`);
    await target.waitFor({ timeout: 10_000 });
    expect(await target.innerText()).toContain("marmalade");
    // It was not on the first page: older history was loaded to reach it.
    expect(await page.locator(".message").count()).toBeGreaterThan(50);
    await expect.poll(() => inView(target)).toBe(true);
    expect(await target.getAttribute("class")).toContain("message-found");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-message-id"))).toBe(messageId);
    await screenshot(page, "web-message-search-found");
    // The highlight is brief; the message stays where the user is reading.
    await expect.poll(() => target.getAttribute("class"), { timeout: 10_000 }).not.toContain("message-found");
    expect(await inView(target)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("opens a hit in the current session with a click", async () => {
    await search(page, "entry 7");
    const hit = hits(page).filter({ hasText: "You: Diary entry 7:" });
    await hit.waitFor({ timeout: 10_000 });
    const messageId = (await hit.getAttribute("data-message-id")) ?? "";
    await hit.click();
    const target = page.locator(`.message[data-message-id="${messageId}"]`);
    await expect.poll(() => target.getAttribute("class"), { timeout: 10_000 }).toContain("message-found");
    await expect.poll(() => inView(target)).toBe(true);
  });

  it("closes the drawer on a phone, in dark mode", async () => {
    const phone = await openPage(browser, server.url, { viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true });
    await waitForChat(phone);
    await phone.getByRole("button", { name: "Sessions" }).click();
    await phone.locator(".sidebar").waitFor({ state: "visible" });
    await search(phone, "tomatoes");
    const hit = hits(phone).filter({ hasText: "You: The tomatoes" });
    await hit.waitFor({ timeout: 10_000 });
    expect(await hit.locator("mark").evaluate((mark) => getComputedStyle(mark).color)).toBe("rgb(255, 244, 194)");
    await screenshot(phone, "web-message-search-phone-dark");
    const messageId = (await hit.getAttribute("data-message-id")) ?? "";
    await hit.click();
    await phone.locator(".sidebar").waitFor({ state: "hidden" });
    const target = phone.locator(`.message[data-message-id="${messageId}"]`);
    await expect.poll(() => target.getAttribute("class"), { timeout: 10_000 }).toContain("message-found");
    expect(await phone.locator(".chat-title h1").innerText()).toBe("Garden notes");
    await phone.context().close();
  });

  it("does not search the pinyin an IME is composing, only the text it commits", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: TEST_LOCALE });
    const queries: string[] = [];
    await context.routeWebSocket(/\/ws/, (route) => {
      const upstream = route.connectToServer();
      route.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { method: string; params?: { query?: string } };
        if (frame.method === "messages.search") queries.push(frame.params?.query ?? "");
        upstream.send(message);
      });
      upstream.onMessage((message) => route.send(message));
    });
    const tab = await context.newPage();
    trackPageErrors(tab);
    await tab.goto(server.url);
    await waitForChat(tab);
    await searchBox(tab).evaluate((element) => {
      const input = element as HTMLInputElement;
      input.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true }));
      for (const typed of ["t", "ti", "tian", "tian'q", "tian'qi"]) {
        input.value = typed;
        input.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: typed }));
      }
    });
    await tab.waitForTimeout(800);
    expect(queries).toEqual([]);
    await searchBox(tab).evaluate((element) => {
      const input = element as HTMLInputElement;
      input.value = "天气";
      input.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: "天气" }));
      input.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "天气" }));
    });
    await expect.poll(() => hits(tab).count(), { timeout: 10_000 }).toBe(2);
    expect(queries).toEqual(["天气"]);
    await context.close();
  });

  it("drops the answer to an older query that comes back after a newer one", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: TEST_LOCALE });
    const held: number[] = [];
    // The answer to the search for "tomatoes" is held back for 1.5 s; everything else passes through.
    await context.routeWebSocket(/\/ws/, (route) => {
      const upstream = route.connectToServer();
      route.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { id: number; method: string; params?: { query?: string } };
        if (frame.method === "messages.search" && frame.params?.query === "tomatoes") held.push(frame.id);
        upstream.send(message);
      });
      upstream.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { id?: number };
        if (frame.id !== undefined && held.includes(frame.id)) setTimeout(() => route.send(message), 1500);
        else route.send(message);
      });
    });
    const tab = await context.newPage();
    trackPageErrors(tab);
    await tab.goto(server.url);
    await waitForChat(tab);
    await search(tab, "tomatoes");
    await expect.poll(() => held.length, { timeout: 5_000 }).toBe(1);
    await search(tab, "天气");
    await expect.poll(() => hits(tab).count(), { timeout: 10_000 }).toBe(2);
    // Long after the held answer arrived, the hits are still those of the query in the box.
    await tab.waitForTimeout(2000);
    expect((await hitRows(tab)).every((row) => row.includes("[天气]"))).toBe(true);
    expect(await hits(tab).count()).toBe(2);
    await context.close();
  });

  it("shows an error line when the search fails, and no section on a server without messages.search", async () => {
    for (const code of ["internal", "method_not_found"]) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: TEST_LOCALE });
      // The server's answer to messages.search is replaced by an error frame; everything else passes through.
      await context.routeWebSocket(/\/ws/, (route) => {
        const upstream = route.connectToServer();
        route.onMessage((message) => {
          const frame = JSON.parse(String(message)) as { id: number; method: string };
          if (frame.method === "messages.search") route.send(JSON.stringify({ type: "error", id: frame.id, code, message: "search is unavailable" }));
          else upstream.send(message);
        });
      });
      const tab = await context.newPage();
      trackPageErrors(tab);
      await tab.goto(server.url);
      await waitForChat(tab);
      await search(tab, "weather");
      if (code === "internal") {
        await tab.getByText("Message search failed: search is unavailable (internal)").waitFor({ timeout: 10_000 });
      } else {
        // Past the debounce, the section is gone for good; the title filter still answers.
        await tab.waitForTimeout(1000);
        expect(await tab.getByRole("region", { name: "Messages" }).count()).toBe(0);
        await search(tab, "garden");
        await expect.poll(() => tab.locator(".session-list .session-title").allInnerTexts()).toEqual(["Garden notes"]);
        await tab.waitForTimeout(600);
        expect(await tab.getByRole("region", { name: "Messages" }).count()).toBe(0);
      }
      await context.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
