import { describe, expect, it } from "vitest";
import { deliverWebhook } from "./webhook-delivery.js";
import { webhookUrlSchema } from "./webhook-url.js";

describe("webhooks on a port fetch() refuses (WHATWG bad ports)", () => {
  it("are refused in request bodies with a message naming the port", () => {
    for (const url of ["http://127.0.0.1:10080/hook", "https://hooks.example.com:6667/x", "http://example.com:1/"]) {
      const result = webhookUrlSchema.safeParse(url);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^webhook port \d+ is one fetch\(\) refuses/);
    }
    expect(webhookUrlSchema.safeParse("https://hooks.example.com:8443/x").success).toBe(true);
    expect(webhookUrlSchema.safeParse("https://hooks.example.com/x").success).toBe(true);
  });

  it("give up at once when delivered (a job queued before they were refused), without calling fetch", async () => {
    let called = false;
    const fetchSpy = (() => ((called = true), Promise.reject(new Error("unreachable")))) as unknown as typeof fetch;
    const result = await deliverWebhook({ url: "http://127.0.0.1:10080/hook", body: "{}", secret: undefined, deliveryId: "d", attempt: 1, timeoutMs: 1000, fetch: fetchSpy });
    expect(result).toMatchObject({ outcome: "rejected", statusCode: null });
    expect(result.error).toContain("bad port");
    expect(called).toBe(false);
  });
});
