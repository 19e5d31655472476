import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { firstDuplicateKey } from "./duplicate-json-keys.js";
import { readLanggraphConfig } from "./langgraph-config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "langgraph-config-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function read(text: string): Promise<unknown> {
  const file = path.join(dir, "langgraph.json");
  await writeFile(file, text);
  return readLanggraphConfig(file);
}

describe("langgraph.json", () => {
  it("a file without :export declares its default export, as LangGraph Platform's loader reads it (it was refused)", async () => {
    expect(await read('{"graphs": {"joke": "./graphs/joke.ts", "chat": "./graphs/chat.ts:graph"}}')).toEqual([
      { graphId: "joke", file: path.join(dir, "graphs/joke.ts"), exportName: "default" },
      { graphId: "chat", file: path.join(dir, "graphs/chat.ts"), exportName: "graph" },
    ]);
    await expect(read('{"graphs": {"joke": "./graphs/joke.ts:not an export"}}')).rejects.toThrow(/expected \.\/path\/to\/file\.ts:exportName/);
  });

  it("two graphs under one id are refused (JSON.parse kept the last without a word)", async () => {
    await expect(read('{"graphs": {"joke": "./a.ts:graph", "chat": "./c.ts:graph", "joke": "./b.ts:graph"}}')).rejects.toThrow(/graphs\.joke is declared twice/);
  });
});

describe("firstDuplicateKey", () => {
  it("names the first key an object holds twice, at any depth, and nothing else", () => {
    expect(firstDuplicateKey('{"a": 1, "b": {"c": [1, {"d": 1, "d": 2}]}}')).toBe("b.c.1.d");
    expect(firstDuplicateKey('{"a": 1, "a": 2}')).toBe("a");
    // The same key in two objects, a key's text as a value, escaped quotes: no duplicate.
    expect(firstDuplicateKey('{"a": {"x": 1}, "b": {"x": "a"}, "c": ["a", "a"], "d\\"": "\\"d\\"", "e": [{}], "f": {}}')).toBeUndefined();
    expect(firstDuplicateKey('{"graphs": {"j\\u006fke": "./a.ts", "joke": "./b.ts"}}')).toBe("graphs.joke");
  });
});
