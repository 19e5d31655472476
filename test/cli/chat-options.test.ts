import { describe, expect, it } from "vitest";
import { resolveChatOptions, toWebSocketUrl } from "../../src/cli/chat/chat-options.js";
import { ChatExit } from "../../src/cli/chat/exit-codes.js";
import { findSession } from "../../src/cli/chat/session-commands.js";
import type { Session } from "../../src/sessions/session.js";

describe("chat options", () => {
  it("derives the WebSocket URL from an http(s) or ws(s) URL", () => {
    expect(toWebSocketUrl("http://127.0.0.1:8123")).toBe("ws://127.0.0.1:8123/ws");
    expect(toWebSocketUrl("https://chat.example.com/base/")).toBe("wss://chat.example.com/base/ws");
    expect(toWebSocketUrl("ws://host:1/ws")).toBe("ws://host:1/ws");
    expect(() => toWebSocketUrl("not a url")).toThrow(ChatExit);
    expect(() => toWebSocketUrl("ftp://host")).toThrow(/Unsupported URL scheme/);
  });

  it("prefers flags over the environment over defaults", () => {
    const env = { THREADLINE_URL: "http://env:1", THREADLINE_API_KEY: "env-key" };
    expect(resolveChatOptions({}, [], env)).toMatchObject({ wsUrl: "ws://env:1/ws", apiKey: "env-key", window: "terminal", once: false });
    expect(resolveChatOptions({ url: "http://flag:2", apiKey: "flag-key" }, ["hi", "there"], env)).toMatchObject({
      wsUrl: "ws://flag:2/ws",
      apiKey: "flag-key",
      message: "hi there",
    });
    expect(resolveChatOptions({}, [], {}).wsUrl).toBe("ws://127.0.0.1:8123/ws");
    expect(() => resolveChatOptions({ session: "x", new: true }, [], {})).toThrow(/exclude each other/);
    // A session id that is not a UUID is a usage error (exit 2) saying what is expected.
    expect(() => resolveChatOptions({ session: "my-chat" }, [], {})).toThrow(expect.objectContaining({ code: 2, message: expect.stringContaining("--session expects a session id (a UUID") as unknown }));
    expect(resolveChatOptions({ session: "11111111-2222-4333-8444-555555555555" }, [], {}).session).toBe("11111111-2222-4333-8444-555555555555");
  });
});

describe("/switch matching", () => {
  const session = (thread_id: string, title: string | null) => ({ thread_id, title }) as Session;
  const sessions = [session("11111111-aaaa", "Project Kestrel"), session("22222222-bbbb", "Kestrel budget"), session("33333333-cccc", null)];

  it("matches an exact id or title, an id prefix, or a unique title fragment", () => {
    expect(findSession(sessions, "33333333-cccc")).toBe(sessions[2]);
    expect(findSession(sessions, "project kestrel")).toBe(sessions[0]);
    expect(findSession(sessions, "2222")).toBe(sessions[1]);
    expect(findSession(sessions, "budget")).toBe(sessions[1]);
  });

  it("reports ambiguity and misses", () => {
    expect(findSession(sessions, "kestrel")).toEqual([sessions[0], sessions[1]]);
    expect(findSession(sessions, "nothing")).toBeUndefined();
    expect(findSession(sessions, "  ")).toBeUndefined();
  });
});
