import { describe, expect, it } from "vitest";
import { createTranslator } from "../../web/src/i18n/translator.js";
import { RpcError } from "../../web/src/protocol/rpc-error.js";
import { loadFailure } from "../../web/src/state/load-failure.js";

const english = createTranslator("en");
const chinese = createTranslator("zh-CN");

describe("the page's data could not be loaded", () => {
  it("waits as long as a 429 asks (1 s – 2 min), and says so in the page's language", () => {
    const limited = loadFailure(new RpcError("rate_limited", "Too many requests", { retry_after_ms: 4000 }), 3);
    expect(limited.retryInMs).toBe(4000);
    expect(limited.message(chinese)).toBe("此账户的请求过于频繁，服务器暂时拒绝。4 秒后自动重试…");
    expect(limited.message(english)).toMatch(/^The server is refusing requests for a moment: .+ Trying again in 4 s…$/);
    expect(loadFailure(new RpcError("rate_limited", "x", { retry_after_ms: 10 }), 1).retryInMs).toBe(1000);
    expect(loadFailure(new RpcError("rate_limited", "x", { retry_after_ms: 60_000 }), 1).retryInMs).toBe(60_000);
    expect(loadFailure(new RpcError("rate_limited", "x", { retry_after_ms: 600_000 }), 1).retryInMs).toBe(120_000);
    expect(loadFailure(new RpcError("rate_limited", "x"), 1).retryInMs).toBe(1000);
  });

  it("otherwise quotes the server's message and backs off from 1 s, doubling up to 30 s", () => {
    const first = loadFailure(new RpcError("unavailable", "The database is starting"), 1);
    expect(first.message(english)).toBe("Cannot reach the server: The database is starting. Trying again in 1 s…");
    expect(first.message(chinese)).toBe("无法连接服务器：The database is starting。1 秒后自动重试…");
    expect([1, 2, 3, 4, 5, 6, 9].map((failures) => loadFailure(new TypeError("Failed to fetch"), failures).retryInMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(loadFailure(new TypeError("Failed to fetch"), 1).message(english)).toBe("Cannot reach the server: Failed to fetch. Trying again in 1 s…");
  });
});
