import { describe, expect, it } from "vitest";
import { embeddedStartError } from "./embedded-postgres.js";

describe("embeddedStartError", () => {
  it("says where and why for PGlite's bare {errno} objects", () => {
    const error = embeddedStartError({ errno: 51 }, "/data/pglite");
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("the embedded database in /data/pglite (DATA_DIR) could not be opened: no space left on device; free some space or choose another DATA_DIR, or set DATABASE_URL for a Postgres server");
    expect(embeddedStartError({ errno: 999 }, "/d").message).toContain("file system error 999");
  });

  it("passes real errors through", () => {
    const original = new Error("EROFS: read-only file system, mkdir '/ro/pglite'");
    expect(embeddedStartError(original, "/ro/pglite")).toBe(original);
  });
});
