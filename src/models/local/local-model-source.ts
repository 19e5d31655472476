import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { DEFAULT_LOCAL_MODEL } from "./default-local-model.js";

/** Where an embedded model comes from: the default, a GGUF file, or a URI node-llama-cpp resolves (`hf:`, https). */
export type LocalModelSource =
  | { kind: "default" }
  | { kind: "file"; path: string }
  | { kind: "remote"; uri: string };

/** The directories model files are looked up in: `DATA_DIR/models` first, then the shared download cache. */
export interface ModelDirectories {
  modelsDir: string;
  cacheDir: string;
}

/** Read the part after `local:` (empty or absent means the default model). */
export function parseLocalModelSource(reference: string | undefined): LocalModelSource {
  const value = reference?.trim() ?? "";
  if (value === "" || value === "default" || value === DEFAULT_LOCAL_MODEL.fileName) return { kind: "default" };
  if (/^(hf:|huggingface:|https?:\/\/)/i.test(value)) return { kind: "remote", uri: value };
  return { kind: "file", path: value };
}

/** What a message about a missing model names: the file name as given (with `.gguf`), the URI, or the default's name. */
export function missingModelName(source: LocalModelSource): string {
  return source.kind === "file" ? path.basename(source.path) : describeLocalModelSource(source);
}

/** A readable label for logs, usage accounting and errors. */
export function describeLocalModelSource(source: LocalModelSource): string {
  switch (source.kind) {
    case "default":
      return DEFAULT_LOCAL_MODEL.name;
    case "file":
      return path.basename(source.path).replace(/\.gguf$/i, "");
    case "remote":
      return source.uri;
  }
}

/**
 * The file of a default or file source when it is present, else undefined (`workingDirectory: false`: a bare name
 * only in the model directories, as for assistants). Remote sources are resolved
 * asynchronously by node-llama-cpp (see `resolveLocalModelFile`).
 */
export function findLocalModelFile(source: LocalModelSource, directories: ModelDirectories, options: { workingDirectory?: boolean } = {}): string | undefined {
  switch (source.kind) {
    case "default":
      return [directories.modelsDir, directories.cacheDir]
        .map((directory) => path.join(directory, DEFAULT_LOCAL_MODEL.fileName))
        .find((candidate) => fileSize(candidate) === DEFAULT_LOCAL_MODEL.sizeBytes);
    case "file": {
      // A bare file name is looked up where `models pull` puts files; anything with a directory is a path.
      // The server's working directory only for the operator's own settings: an assistant's name must not probe it.
      const inWorkingDirectory = options.workingDirectory === false ? [] : [path.resolve(source.path)];
      const candidates = path.basename(source.path) === source.path
        ? [path.join(directories.modelsDir, source.path), path.join(directories.cacheDir, source.path), ...inWorkingDirectory]
        : inWorkingDirectory;
      return candidates.find((candidate) => existsSync(candidate));
    }
    case "remote":
      return undefined;
  }
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
