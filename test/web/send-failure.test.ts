import { describe, expect, it } from "vitest";
import { RpcError } from "../../web/src/protocol/rpc-error.js";
import { sendFailureMessage } from "../../web/src/state/send-failure.js";

describe("a refused message", () => {
  it("says in words why it was not sent and that the text is still in the box", () => {
    const tooLong = sendFailureMessage(new RpcError("payload_too_large", "Frame exceeds 1048576 bytes"));
    expect(tooLong).toMatch(/too long to send \(the server takes up to about 1 MB\)/);
    expect(tooLong).not.toContain("payload_too_large");
    expect(sendFailureMessage(new RpcError("payload_too_large", "Frame exceeds 16384 bytes"))).toContain("about 16 KB");
    expect(sendFailureMessage(new RpcError("payload_too_large", "too big"))).toMatch(/^This message is too long to send\. /);
    expect(sendFailureMessage(new RpcError("disconnected", "connection lost"))).toMatch(/connection to the server was lost/);
    expect(sendFailureMessage(new RpcError("rate_limited", "slow down"))).toMatch(/Too many messages/);
    for (const error of [new RpcError("internal", "boom"), new Error("boom")]) {
      expect(sendFailureMessage(error)).toMatch(/^The message was not sent: boom.*still in the message box\.$/);
    }
  });
});
