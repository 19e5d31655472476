import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, type BrowserContextOptions, chromium, type Page, type WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { RunningServer } from "../../src/app.js";
import type { ConfigOverrides } from "../../src/config.js";
import type { ToolDefinition } from "../../src/tools/tool-definition.js";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";

/** Debian's chromium; the browser tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where screenshots of the main states go (gitignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "../artifacts");

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launch headless chromium; fails with the install command when it is missing. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Browser tests need Debian's chromium at ${CHROMIUM_PATH}: apt-get update && apt-get install -y chromium`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/**
 * The browser language of every test tab unless a test asks for another (`openPage(…, { locale: "zh-CN" })`): the
 * page follows `navigator.languages`, and the tests assert its English words.
 */
export const TEST_LOCALE = "en-US";

/** A fresh browser profile (its own localStorage) with one tab open on `url`. */
export async function openPage(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, locale: TEST_LOCALE, ...options });
  const page = await context.newPage();
  trackPageErrors(page);
  await page.goto(url);
  return page;
}

/** A tab whose WebSocket the test can cut and restore, as a network failure would. */
export interface CuttablePage {
  page: Page;
  /** Close the page's sockets (code 1006) and refuse new ones until `restore`. */
  cut(): Promise<void>;
  /** Let the page reconnect. */
  restore(): void;
  close(): Promise<void>;
}

/** A fresh profile with one tab on `url` whose socket goes through a route the test controls. */
export async function openCuttablePage(browser: Browser, url: string): Promise<CuttablePage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: TEST_LOCALE });
  const routes: WebSocketRoute[] = [];
  let refuse = false;
  await context.routeWebSocket(/\/ws/, (route) => {
    if (refuse) {
      route.close({ code: 1006, reason: "network down" }).catch(() => undefined);
      return;
    }
    route.connectToServer();
    routes.push(route);
  });
  const page = await context.newPage();
  trackPageErrors(page);
  await page.goto(url);
  await waitForChat(page);
  return {
    page,
    cut: async () => {
      refuse = true;
      for (const route of routes.splice(0)) await route.close({ code: 1006, reason: "network down" }).catch(() => undefined);
    },
    restore: () => {
      refuse = false;
    },
    close: () => context.close(),
  };
}

/** The thread id of the session the page has open (the sidebar's current item), or null. */
export function currentThread(page: Page): Promise<string | null> {
  return page.locator(".session-current").getAttribute("data-thread-id");
}

/**
 * Click *+ New chat* (`label` in another language) and wait until the page shows the new session: a message sent
 * before the switch would go to the session the page had open. Resolves with the new session's thread id. On a
 * blank session (untitled, nothing said) the page stays there — it is a new chat — and focuses the message box.
 */
export async function startNewChat(page: Page, label = "+ New chat"): Promise<string> {
  const before = await currentThread(page);
  const untitled = label.replace(/^\+\s*/, "");
  const blank = (await page.locator(".message").count()) === 0 && (await page.locator(".chat-title h1").innerText()) === untitled;
  await page.getByRole("button", { name: label }).click();
  if (blank) {
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("composer-input");
    expect(await currentThread(page)).toBe(before);
    return before ?? "";
  }
  await expect.poll(() => currentThread(page)).not.toBe(before);
  await expect.poll(() => page.locator(".message").count()).toBe(0);
  return (await currentThread(page)) ?? "";
}

/** Uncaught errors of every page, so a test can assert the page never threw. */
export const pageErrors: string[] = [];

/** Record a page's uncaught errors into `pageErrors`. */
export function trackPageErrors(page: Page): void {
  page.on("pageerror", (error) => pageErrors.push(error.message));
}

/** Save a screenshot under test/artifacts/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Wait until the chat is ready for input (signed in, session open). */
export async function waitForChat(page: Page): Promise<void> {
  await page.locator("#composer-input:not([disabled])").waitFor({ timeout: 15_000 });
}

/** Type a message and send it with Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await page.locator("#composer-input").fill(text);
  await page.locator("#composer-input").press("Enter");
}

/**
 * Record every text the streaming bubble shows, from now on, in `window.__streamSnapshots` (a MutationObserver
 * sees each render, which polling could miss).
 */
export async function recordStreaming(page: Page): Promise<void> {
  await page.evaluate(() => {
    const snapshots: string[] = [];
    (window as unknown as { __streamSnapshots: string[] }).__streamSnapshots = snapshots;
    const observer = new MutationObserver(() => {
      for (const element of Array.from(document.querySelectorAll(".message-streaming .markdown"))) {
        const text = (element.textContent ?? "").trim();
        if (text && snapshots.at(-1) !== text) snapshots.push(text);
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** What `recordStreaming` saw. */
export function streamSnapshots(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __streamSnapshots?: string[] }).__streamSnapshots ?? []);
}

/** The last assistant message's text. */
export function lastAssistantText(page: Page): Promise<string> {
  return page.locator(".message-assistant:not(.message-streaming) .markdown").last().innerText();
}

/** What `useBrowserServer` provides to the tests of a file, once its `beforeAll` has run. */
export interface BrowserServer {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** A tab on the server's page, signed in and ready (when asked for with `openPage`). */
  readonly page: Page;
}

/**
 * For one test file: a real server (fake model) on a fresh database and headless chromium, started before all
 * tests and closed after them; with `openPage`, a tab on the chat page ready for input.
 */
export function useBrowserServer(options: { env?: ConfigOverrides; tools?: readonly ToolDefinition[]; openPage?: boolean } = {}): BrowserServer {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let browser: (Browser & AsyncDisposable) | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer({ databaseUrl: database.url, env: options.env, tools: options.tools });
    browser = await launchBrowser();
    if (options.openPage) {
      page = await openPage(browser, server.url);
      await waitForChat(page);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready (used outside the tests, or its start failed)`);
    return value;
  };
  return {
    get server() {
      return ready(server, "the server");
    },
    get browser() {
      return ready(browser, "the browser");
    },
    get page() {
      return ready(page, "the page (openPage)");
    },
  };
}

/** Two tabs of one browser profile on the chat page (shared localStorage, separate sessionStorage: two windows). */
export async function openTwoTabs(browser: Browser, url: string): Promise<[Page, Page]> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: TEST_LOCALE });
  const first = await context.newPage();
  const second = await context.newPage();
  for (const page of [first, second]) {
    trackPageErrors(page);
    await page.goto(url);
    await waitForChat(page);
  }
  return [first, second];
}

/** The fake model's `/tool` command asking to send an email: a tool that needs approval. */
export const SEND_EMAIL_COMMAND = '/tool send_email {"to":"ada@example.com","subject":"Hello","body":"Meeting at 10?"}';

/** Start a fresh session and ask for the email; resolves with the approval card once it shows. */
export async function askForEmail(page: Page) {
  await startNewChat(page);
  await sendMessage(page, SEND_EMAIL_COMMAND);
  const card = page.locator(".approval-card");
  await card.waitFor({ timeout: 15_000 });
  return card;
}
