import { describe, expect, it } from "vitest";
import { toOpenAiErrorBody } from "./openai-error-bodies.js";

describe("toOpenAiErrorBody", () => {
  it("moves vLLM's top-level message under error, keeping its type and code", () => {
    expect(toOpenAiErrorBody({ object: "error", message: "context too long", type: "BadRequestError", param: null, code: 400 })).toEqual({
      error: { message: "context too long", type: "BadRequestError", code: 400, param: null },
    });
  });

  it("reads FastAPI's detail, as text or as its validation list", () => {
    expect(toOpenAiErrorBody({ detail: "Not Found" })).toEqual({ error: { message: "Not Found" } });
    expect(toOpenAiErrorBody({ detail: [{ loc: ["body", "model"], msg: "field required" }] })).toEqual({
      error: { message: '[{"loc":["body","model"],"msg":"field required"}]' },
    });
  });

  it("passes OpenAI's own shape, a string error and bodies without words through unchanged", () => {
    const openAi = { error: { message: "Invalid model", type: "invalid_request_error" } };
    expect(toOpenAiErrorBody(openAi)).toBe(openAi);
    const text = { error: "model not loaded" };
    expect(toOpenAiErrorBody(text)).toBe(text);
    for (const body of [undefined, null, "plain", [1], {}, { message: "" }, { status: 400 }]) expect(toOpenAiErrorBody(body)).toBe(body);
  });
});
