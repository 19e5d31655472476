import { describe, expect, it } from "vitest";
import { redactSecrets } from "./model-call-error.js";

describe("redactSecrets", () => {
  it("scrubs keys, bearer tokens and a URL's credentials, and leaves the rest of the words", () => {
    expect(redactSecrets("401 Incorrect API key provided: sk-proj-abcdefghijklmnop.")).toBe("401 Incorrect API key provided: [redacted].");
    expect(redactSecrets("sent Authorization: Bearer eyJhbGciOi.x.y to the proxy")).toBe("sent Authorization: Bearer [redacted] to the proxy");
    expect(redactSecrets("Request cannot be constructed from a URL that includes credentials: http://admin:OLLAMASECRET@10.0.0.5:11434/api/chat")).toBe(
      "Request cannot be constructed from a URL that includes credentials: http://[redacted]@10.0.0.5:11434/api/chat",
    );
    expect(redactSecrets("connect ECONNREFUSED http://127.0.0.1:11434/api/chat (user@example.com)")).toBe("connect ECONNREFUSED http://127.0.0.1:11434/api/chat (user@example.com)");
  });
});
