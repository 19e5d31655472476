import { describe, expect, it } from "vitest";
import { createTranslator } from "../../web/src/i18n/translator.js";
import { credentialName, refusedMessage, revokedWhileOpenMessage, savedRefusedMessage } from "../../web/src/state/auth-wording.js";

const english = createTranslator("en");

describe("sign-in wording", () => {
  it("says token in jwt mode and key in apikey mode", () => {
    expect(credentialName("jwt")(english)).toBe("access token");
    expect(credentialName("apikey")(english)).toBe("API key");
    expect(refusedMessage("jwt", 'Invalid token: "exp" claim timestamp check failed')(english)).toMatch(/^That token has expired/);
    expect(refusedMessage("jwt", "Invalid token: signature verification failed")(english)).toBe("That token was not accepted");
    expect(refusedMessage("apikey", "Invalid or revoked API key")(english)).toBe("That key was not accepted");
    for (const message of [savedRefusedMessage("jwt")(english), revokedWhileOpenMessage("jwt")(english)]) {
      expect(message).toContain("token");
      expect(message).not.toMatch(/\bkey\b/);
    }
    expect(savedRefusedMessage("apikey")(english)).toContain("key");
    expect(revokedWhileOpenMessage("apikey")(english)).toMatch(/revoked or your session expired/);
  });

  it("says 令牌 in jwt mode and 密钥 in apikey mode in Chinese", () => {
    const chinese = createTranslator("zh-CN");
    expect(credentialName("jwt")(chinese)).toBe("访问令牌");
    expect(refusedMessage("jwt", 'Invalid token: "exp" claim timestamp check failed')(chinese)).toMatch(/^令牌已过期/);
    expect(revokedWhileOpenMessage("jwt")(chinese)).not.toContain("密钥");
    expect(savedRefusedMessage("apikey")(chinese)).toContain("密钥");
  });
});
