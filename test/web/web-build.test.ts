import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildWeb, listFiles, WEB_ROOT } from "../../web/scripts/build-web.js";
import { createTempDir } from "../helpers/test-database.js";

const run = promisify(execFile);
const DIST = path.join(WEB_ROOT, "dist");

describe("the committed web/dist", () => {
  it("is exactly what `npm run build:web` makes from web/src (rebuild and commit it when this fails)", { timeout: 60_000 }, async () => {
    await using temp = await createTempDir("threadline-web-");
    const fresh = await buildWeb({ outDir: temp.path });
    expect(await listFiles(DIST)).toEqual(fresh.files);
    for (const file of fresh.files) {
      expect(await readFile(path.join(DIST, file), "utf8"), file).toBe(await readFile(path.join(temp.path, file), "utf8"));
    }
    // The page's budget: first load under ~300 KB of JavaScript gzip.
    expect(fresh.jsGzipBytes).toBeLessThan(300 * 1024);
  });

  it("type-checks: the browser sources and the build script have their own tsconfigs", { timeout: 120_000 }, async () => {
    const tsc = path.resolve(WEB_ROOT, "../node_modules/typescript/bin/tsc");
    await run(process.execPath, [tsc, "-p", path.join(WEB_ROOT, "tsconfig.json")]);
    await run(process.execPath, [tsc, "-p", path.join(WEB_ROOT, "scripts/tsconfig.json")]);
  });
});
