import { z } from "zod";
import { describe, expect, it } from "vitest";
import { AppError, ERROR_STATUS, isAppError, toAppError } from "./app-error.js";

describe("AppError", () => {
  it("maps every code to an HTTP status", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(new AppError(code as keyof typeof ERROR_STATUS, "x").status).toBe(status);
    }
    expect(new AppError("thread_busy", "busy").status).toBe(409);
  });

  it("renders the same body for HTTP and WS", () => {
    expect(new AppError("not_found", "gone").toJSON()).toEqual({ code: "not_found", message: "gone" });
    expect(new AppError("invalid_request", "bad", { details: [1] }).toJSON()).toEqual({ code: "invalid_request", message: "bad", details: [1] });
  });

  it("converts unknown failures once, without leaking their message", () => {
    const converted = toAppError(new Error("connection string postgres://user:password@host"));
    expect(converted.code).toBe("internal");
    expect(converted.message).toBe("Internal error");
    expect(isAppError(converted)).toBe(true);
    expect(toAppError("a string")).toMatchObject({ code: "internal" });
  });

  it("turns zod errors into invalid_request with the issues", () => {
    const result = z.object({ a: z.number() }).safeParse({ a: "x" });
    const converted = toAppError(result.error);
    expect(converted.code).toBe("invalid_request");
    expect(converted.details).toHaveLength(1);
  });
});
