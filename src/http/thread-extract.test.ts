import { describe, expect, it } from "vitest";
import { extractValue, parseExtractPath } from "./thread-extract.js";

describe("parseExtractPath", () => {
  it("splits keys on dots and reads [index] steps, negative ones included", () => {
    expect(parseExtractPath("values.messages[-1].content")).toEqual(["values", "messages", -1, "content"]);
    expect(parseExtractPath("values.grid[0][2]")).toEqual(["values", "grid", 0, 2]);
    expect(parseExtractPath("metadata.user-id")).toEqual(["metadata", "user-id"]);
  });

  it("refuses what is not such a path", () => {
    for (const path of ["", "values..messages", ".values", "values.", "values.messages[last]", "values.[0]", "values.messages[1"]) {
      expect(parseExtractPath(path), path).toBeUndefined();
    }
  });
});

describe("extractValue", () => {
  const thread = { values: { messages: [{ content: "a" }, { content: "b" }] }, metadata: { project: "x", empty: null } };

  it("walks keys and indices, from the end for negative ones", () => {
    expect(extractValue(thread, ["values", "messages", -1, "content"])).toBe("b");
    expect(extractValue(thread, ["values", "messages", 0])).toEqual({ content: "a" });
    expect(extractValue(thread, ["metadata", "empty"])).toBeNull();
  });

  it("answers null where the path leads nowhere", () => {
    expect(extractValue(thread, ["values", "messages", 5, "content"])).toBeNull();
    expect(extractValue(thread, ["values", "messages", "length"])).toBeNull();
    expect(extractValue(thread, ["metadata", "project", "name"])).toBeNull();
    expect(extractValue(thread, ["metadata", 0])).toBeNull();
    expect(extractValue(thread, ["metadata", "constructor"])).toBeNull();
  });
});
