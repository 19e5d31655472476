import { isLocale, type Locale } from "../i18n/locale.js";

// What the page remembers: the sign-in token, the theme and the language for the browser (localStorage), and
// per tab (sessionStorage) the window id, the session it shows, the unsent draft and the runs of the messages it
// sent, so a reload (or a sign-in forced by an expired token) returns to the same place with nothing typed lost and
// its queued messages still its own (withdrawable), and a new tab starts fresh.

const TOKEN_KEY = "threadline.token";
const THEME_KEY = "threadline.theme";
const LOCALE_KEY = "threadline.locale";
const WINDOW_KEY = "threadline.window_id";
const THREAD_KEY = "threadline.thread_id";
const DRAFT_KEY = "threadline.draft";
const OWN_RUNS_KEY = "threadline.own_runs";
/** How many of the tab's newest sent messages' runs it remembers: more than can wait in one queue. */
const OWN_RUNS_KEPT = 50;

/** The colour scheme the user picked; `system` follows the operating system. */
export type ThemePreference = "system" | "light" | "dark";

/** The remembered API key or token, if any. */
export function loadToken(): string | undefined {
  return read(localStorage, TOKEN_KEY);
}

/** Remember (or, with undefined, forget) the API key or token. */
export function saveToken(token: string | undefined): void {
  write(localStorage, TOKEN_KEY, token);
}

/** This tab's stable window id, created on first use. */
export function tabWindowId(): string {
  const existing = read(sessionStorage, WINDOW_KEY);
  if (existing) return existing;
  const created = `web-${crypto.randomUUID().slice(0, 8)}`;
  write(sessionStorage, WINDOW_KEY, created);
  return created;
}

/** The session this tab showed last. */
export function loadTabThread(): string | undefined {
  return read(sessionStorage, THREAD_KEY);
}

/** Remember the session this tab shows. */
export function saveTabThread(threadId: string | undefined): void {
  write(sessionStorage, THREAD_KEY, threadId);
}

/**
 * The message box's unsent text in this tab, if `userId` wrote it ("" otherwise): a tab signed in again as someone
 * else (a shared computer) never shows the previous user's words.
 */
export function loadDraft(userId: string): string {
  try {
    const saved = JSON.parse(read(sessionStorage, DRAFT_KEY) ?? "null") as { user?: unknown; text?: unknown } | null;
    return saved?.user === userId && typeof saved.text === "string" ? saved.text : "";
  } catch {
    return "";
  }
}

/** Remember the message box's text as `userId`'s (an empty box, or no user, forgets it). */
export function saveDraft(userId: string | undefined, text: string): void {
  write(sessionStorage, DRAFT_KEY, userId && text ? JSON.stringify({ user: userId, text }) : undefined);
}

/** Run ids of the messages this tab sent, newest last (a reload keeps them: its queued messages stay its own). */
export function loadOwnRuns(): string[] {
  try {
    const saved = JSON.parse(read(sessionStorage, OWN_RUNS_KEY) ?? "[]") as unknown;
    return Array.isArray(saved) ? saved.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

/** Remember that this tab sent the message run `runId` answers. */
export function rememberOwnRun(runId: string): void {
  const runs = [...loadOwnRuns().filter((id) => id !== runId), runId].slice(-OWN_RUNS_KEPT);
  write(sessionStorage, OWN_RUNS_KEY, JSON.stringify(runs));
}

/** The remembered colour scheme. */
export function loadTheme(): ThemePreference {
  const value = read(localStorage, THEME_KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** Remember the colour scheme. */
export function saveTheme(theme: ThemePreference): void {
  write(localStorage, THEME_KEY, theme === "system" ? undefined : theme);
}

/** The language picked with the language switch; undefined follows the browser. */
export function loadLocale(): Locale | undefined {
  const value = read(localStorage, LOCALE_KEY);
  return isLocale(value) ? value : undefined;
}

/** Remember the language picked with the language switch; undefined forgets it (the page follows the browser). */
export function saveLocale(locale: Locale | undefined): void {
  write(localStorage, LOCALE_KEY, locale);
}

function read(storage: Storage, key: string): string | undefined {
  try {
    return storage.getItem(key) ?? undefined;
  } catch {
    // Storage can be disabled (private modes, policies); the page still works, it just forgets.
    return undefined;
  }
}

function write(storage: Storage, key: string, value: string | undefined): void {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // See read().
  }
}
