import { LocalModelRuntime, type LocalRuntimeOptions } from "./local-model-runtime.js";

const runtimes = new Map<string, Promise<LocalModelRuntime>>();

/**
 * The process-wide runtime for a model file and its settings: every assistant, provider and server in the process
 * that uses the same file shares one loaded model and one bounded queue, instead of loading the weights per caller.
 */
export function sharedLocalRuntime(options: LocalRuntimeOptions): Promise<LocalModelRuntime> {
  const key = JSON.stringify([options.modelPath, options.threads, options.contextSize, options.sequences, options.queueLimit, options.gpu]);
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = LocalModelRuntime.load(options);
    // A failed load (missing file, no binary) must not be cached forever.
    runtime.catch(() => runtimes.delete(key));
    runtimes.set(key, runtime);
  }
  return runtime;
}

/** Unload every embedded model (tests, benchmarks); later calls load again. */
export async function disposeLocalRuntimes(): Promise<void> {
  const loaded = [...runtimes.values()];
  runtimes.clear();
  await Promise.all(loaded.map(async (runtime) => (await runtime.catch(() => undefined))?.dispose()));
}
