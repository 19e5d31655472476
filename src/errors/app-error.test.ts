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

  it("turns a database that cannot be reached into a retryable unavailable, and a statement's own failure into internal", () => {
    const unreachable = [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      Object.assign(new Error("connection failure"), { code: "08006" }),
      new Error("Connection terminated unexpectedly"),
      new Error("Connection terminated due to connection timeout"),
      new Error("timeout exceeded when trying to connect"),
    ];
    for (const error of unreachable) expect(toAppError(error)).toMatchObject({ code: "unavailable", status: 503, details: { retry_after_ms: 5000 } });
    expect(toAppError(Object.assign(new Error('relation "x" does not exist'), { code: "42P01" })).code).toBe("internal");
    expect(toAppError(Object.assign(new Error("Connection terminated"), { code: "42P01" })).code).toBe("internal");
  });

  it("turns zod errors into invalid_request with the issues", () => {
    const result = z.object({ a: z.number() }).safeParse({ a: "x" });
    const converted = toAppError(result.error);
    expect(converted.code).toBe("invalid_request");
    expect(converted.details).toHaveLength(1);
  });
});
