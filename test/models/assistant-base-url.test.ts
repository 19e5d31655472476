import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { isAppError } from "../../src/errors/app-error.js";
import { assertAssistantBaseUrl } from "../../src/models/assistant-endpoint.js";
import { createChatModel, type ModelSettings } from "../../src/models/create-chat-model.js";
import type { OutboundPolicy } from "../../src/outbound/outbound-policy.js";
import { writeChatCompletionStream } from "./chat-completions-stream.js";
import { type RecordingServer, startRecordingServer } from "./recording-server.js";

const STRICT: OutboundPolicy = { allowPrivate: false, allowHosts: [] };

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.[Symbol.asyncDispose]();
  server = undefined;
});

/** A chat-completions server on 127.0.0.1 that answers "ok": what an assistant's own base_url would point at. */
async function startOpenAiCompatible(): Promise<RecordingServer> {
  return startRecordingServer((_request, response) => writeChatCompletionStream(response, { model: "gpt-test", text: ["ok"] }));
}

function settings(outbound: OutboundPolicy, extra: Partial<ModelSettings> = {}): ModelSettings {
  return { fakeChunkDelayMs: 0, maxRetries: 2, timeoutMs: 5_000, outbound, ...extra };
}

describe("an assistant's base_url and the outbound policy", () => {
  it("is refused at creation as invalid_request when it names a non-public address, with the settings that allow it", () => {
    let caught: unknown;
    try {
      assertAssistantBaseUrl("http://169.254.169.254/v1", settings(STRICT));
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe("invalid_request");
    expect((caught as Error).message).toMatch(/base_url 169\.254\.169\.254 is a linkLocal address.*OUTBOUND_ALLOW_PRIVATE.*OUTBOUND_ALLOW_HOSTS/);
    expect(() => assertAssistantBaseUrl("http://localhost:8000/v1", settings(STRICT))).toThrow(/loopback/);
    expect(() => assertAssistantBaseUrl("https://api.deepseek.com/v1", settings(STRICT))).not.toThrow();
    expect(() => assertAssistantBaseUrl("http://localhost:8000/v1", settings({ allowPrivate: false, allowHosts: ["localhost"] }))).not.toThrow();
  });

  it("accepts the operator's own endpoints (Ollama on this machine by default) whatever the policy", () => {
    expect(() => assertAssistantBaseUrl("http://127.0.0.1:11434", settings(STRICT))).not.toThrow();
    expect(() => assertAssistantBaseUrl("http://127.0.0.1:11434/v1/", settings(STRICT))).not.toThrow();
    expect(() => assertAssistantBaseUrl("http://10.0.0.5:8000/v1/", settings(STRICT, { openAiBaseUrl: "http://10.0.0.5:8000/v1" }))).not.toThrow();
  });

  it("trusts only the operator's base URLs themselves, not every path on their servers: a query or fragment would steer the request", () => {
    const operator = settings(STRICT, { openAiBaseUrl: "http://10.0.0.5:8000/v1" });
    for (const steered of [
      "http://127.0.0.1:11434/api/pull?x=",
      "http://127.0.0.1:11434/api/pull#",
      "http://127.0.0.1:11434/v1?",
      "http://127.0.0.1:11434/admin",
      "http://10.0.0.5:8000/v1?x=",
      "http://10.0.0.5:8000/admin/delete-everything#",
      "http://10.0.0.5:8000/v1/../admin",
    ]) {
      expect(() => assertAssistantBaseUrl(steered, operator), steered).toThrow(/is a (loopback|private) address/);
    }
  });

  it("is refused when connecting, without a request reaching the address and without retries (stored assistants, DNS)", async () => {
    server = await startOpenAiCompatible();
    const model = await createChatModel("openai:gpt-test", settings(STRICT), { baseUrl: `${server.url}/v1` });
    await expect(model.invoke([new HumanMessage("hi")])).rejects.toThrow(/127\.0\.0\.1 is a loopback address.*OUTBOUND_ALLOW_PRIVATE=true/);
    const ollama = await createChatModel("ollama:llama3.2", settings(STRICT), { baseUrl: server.url });
    await expect(ollama.invoke([new HumanMessage("hi")])).rejects.toThrow(/loopback address/);
    expect(server.requests).toHaveLength(0);
  });

  it("connects when the policy allows it: an allow-listed host, OUTBOUND_ALLOW_PRIVATE, or the operator's endpoint", async () => {
    server = await startOpenAiCompatible();
    const baseUrl = `${server.url}/v1`;
    const policies: [OutboundPolicy, Partial<ModelSettings>][] = [
      [{ allowPrivate: false, allowHosts: ["127.0.0.1"] }, {}],
      [{ allowPrivate: true, allowHosts: [] }, {}],
      [STRICT, { openAiBaseUrl: baseUrl }],
    ];
    for (const [policy, extra] of policies) {
      const model = await createChatModel("openai:gpt-test", settings(policy, extra), { baseUrl });
      expect((await model.invoke([new HumanMessage("hi")])).text).toBe("ok");
    }
    expect(server.requests).toHaveLength(3);
  });
});
