import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "./webhook-signature.js";
import { isWebhookUrl } from "./webhook-url.js";

const secret = "a-very-secret-webhook-key";
const body = JSON.stringify({ run_id: "r1", status: "success" });

describe("webhook signatures", () => {
  it("is HMAC-SHA256 over `timestamp.body`, hex, prefixed sha256=", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(signWebhook({ secret, body, timestamp: 1_700_000_000 })).toBe(`sha256=${expected}`);
  });

  it("verifies a fresh signature and rejects a changed body, timestamp or secret", () => {
    const timestamp = 1_700_000_000;
    const signature = signWebhook({ secret, body, timestamp });
    const nowMs = timestamp * 1000 + 5_000;
    expect(verifyWebhookSignature({ secret, body, timestamp, signature, nowMs })).toBe(true);
    expect(verifyWebhookSignature({ secret, body: body.replace("success", "error"), timestamp, signature, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, timestamp: timestamp + 1, signature, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret: `${secret}x`, body, timestamp, signature, nowMs })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, timestamp, signature: undefined, nowMs })).toBe(false);
  });

  it("rejects a replay of an old request", () => {
    const timestamp = 1_700_000_000;
    const signature = signWebhook({ secret, body, timestamp });
    expect(verifyWebhookSignature({ secret, body, timestamp: String(timestamp), signature, nowMs: (timestamp + 301) * 1000 })).toBe(false);
  });
});

describe("webhook URLs", () => {
  it.each([["https://example.com/hook"], ["http://127.0.0.1:8080/x?token=1"]])("accepts %s", (url) => expect(isWebhookUrl(url)).toBe(true));
  it.each([["ftp://example.com/x"], ["file:///etc/passwd"], ["javascript:alert(1)"], ["/relative"], ["https://user:pw@example.com/"], ["not a url"]])(
    "rejects %s",
    (url) => expect(isWebhookUrl(url)).toBe(false),
  );
});
