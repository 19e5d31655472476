import { open, stat } from "node:fs/promises";

/** The four bytes every GGUF file starts with. */
const GGUF_MAGIC = "GGUF";

/**
 * Refuse a file that is not a GGUF model (an HTML error page saved under a .gguf name, a README passed by
 * mistake) before it is cached or served: node-llama-cpp would only fail at load, on the first run.
 * @example await assertGgufFile("./data/models/SmolLM2-135M-Instruct.Q4_1.gguf");
 */
export async function assertGgufFile(file: string): Promise<void> {
  if ((await stat(file)).isDirectory()) throw new Error(`${file} is a directory, not a GGUF model file`);
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(GGUF_MAGIC.length), 0, GGUF_MAGIC.length, 0);
    const start = buffer.subarray(0, bytesRead).toString("latin1");
    if (start !== GGUF_MAGIC) throw new Error(`${file} is not a GGUF model file (it starts with ${JSON.stringify(start)}, not "GGUF")`);
  } finally {
    await handle.close();
  }
}
