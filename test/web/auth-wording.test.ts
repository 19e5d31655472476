import { describe, expect, it } from "vitest";
import { credentialName, refusedMessage, revokedWhileOpenMessage, savedRefusedMessage } from "../../web/src/state/auth-wording.js";

describe("sign-in wording", () => {
  it("says token in jwt mode and key in apikey mode", () => {
    expect(credentialName("jwt")).toBe("access token");
    expect(credentialName("apikey")).toBe("API key");
    expect(refusedMessage("jwt", 'Invalid token: "exp" claim timestamp check failed')).toMatch(/^That token has expired/);
    expect(refusedMessage("jwt", "Invalid token: signature verification failed")).toBe("That token was not accepted");
    expect(refusedMessage("apikey", "Invalid or revoked API key")).toBe("That key was not accepted");
    for (const message of [savedRefusedMessage("jwt"), revokedWhileOpenMessage("jwt")]) {
      expect(message).toContain("token");
      expect(message).not.toMatch(/\bkey\b/);
    }
    expect(savedRefusedMessage("apikey")).toContain("key");
    expect(revokedWhileOpenMessage("apikey")).toMatch(/revoked or your session expired/);
  });
});
