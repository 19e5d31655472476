import { describe, expect, it } from "vitest";
import { createTranslator } from "../../web/src/i18n/translator.js";
import { RpcError } from "../../web/src/protocol/rpc-error.js";
import { SESSION_DELETED, sendFailureMessage } from "../../web/src/state/send-failure.js";

const english = createTranslator("en");
const chinese = createTranslator("zh-CN");

describe("a refused message", () => {
  it("says in words why it was not sent and that the text is still in the box", () => {
    const say = (error: unknown) => sendFailureMessage(error)(english);
    const tooLong = say(new RpcError("payload_too_large", "Frame exceeds 1048576 bytes"));
    expect(tooLong).toMatch(/too long to send \(the server takes up to about 1 MB\)/);
    expect(tooLong).not.toContain("payload_too_large");
    expect(say(new RpcError("payload_too_large", "Frame exceeds 16384 bytes"))).toContain("about 16 KB");
    expect(say(new RpcError("payload_too_large", "too big"))).toMatch(/^This message is too long to send\. /);
    expect(say(new RpcError("disconnected", "connection lost"))).toMatch(/connection to the server was lost/);
    // No answer is not "not sent": the server may have the message (a retry with its client_message_id is safe).
    const unanswered = say(new RpcError("timeout", "run.start got no answer"));
    expect(unanswered).toMatch(/has not confirmed the message yet/);
    expect(unanswered).not.toMatch(/not sent/);
    expect(say(new RpcError("rate_limited", "slow down"))).toMatch(/Too many messages/);
    // Over the message length limit (in characters): the schema's issue says so, with the limit.
    const tooManyChars = new RpcError("invalid_request", "Invalid params for run.start: input.messages[0].content: Too big", [
      { origin: "string", code: "too_big", maximum: 100_000, path: ["input", "messages", 0, "content"], message: "Too big" },
    ]);
    expect(say(tooManyChars)).toMatch(/^This message is too long to send \(the server takes up to 100,000 characters\)\. /);
    // Refused for something else: the server's words.
    const other = new RpcError("invalid_request", "Invalid params for run.start: thread_id: Invalid UUID", [{ code: "invalid_format", path: ["thread_id"], message: "Invalid UUID" }]);
    expect(say(other)).toBe("The message was not sent: Invalid params for run.start: thread_id: Invalid UUID (invalid_request). It is still in the message box.");
    for (const error of [new RpcError("internal", "boom"), new Error("boom")]) {
      expect(say(error)).toMatch(/^The message was not sent: boom.*still in the message box\.$/);
    }
  });

  it("says it in Chinese with the server's own message quoted as sent", () => {
    const say = (error: unknown) => sendFailureMessage(error)(chinese);
    expect(say(new RpcError("payload_too_large", "Frame exceeds 16384 bytes"))).toBe("消息太长，无法发送（服务器最多接受约 16 KB）。请删减或分成几条发送，消息仍在输入框中。");
    expect(say(new RpcError("internal", "boom"))).toBe("消息未发送：boom (internal)。消息仍在输入框中。");
    const tooManyChars = new RpcError("invalid_request", "Invalid params", [{ code: "too_big", maximum: 100_000, path: ["input", "messages", 0, "content"] }]);
    expect(say(tooManyChars)).toBe("消息太长，无法发送（服务器最多接受 100,000 个字符）。请删减或分成几条发送，消息仍在输入框中。");
    expect(SESSION_DELETED(chinese)).toMatch(/^会话已在另一个窗口中删除/);
  });
});
