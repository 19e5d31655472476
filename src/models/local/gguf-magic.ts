import { open, stat } from "node:fs/promises";

/** The four bytes every GGUF file starts with. */
const GGUF_MAGIC = "GGUF";

/**
 * Refuse a file that is not a GGUF model (an HTML error page saved under a .gguf name, a README passed by
 * mistake) before it is cached or served: node-llama-cpp would only fail at load, on the first run.
 * @example await assertGgufFile("./data/models/SmolLM2-135M-Instruct.Q4_1.gguf");
 */
export async function assertGgufFile(file: string): Promise<void> {
  const info = await stat(file);
  if (info.isDirectory()) throw new Error(`${file} is a directory, not a GGUF model file`);
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEADER_BYTES), 0, HEADER_BYTES, 0);
    const start = buffer.subarray(0, Math.min(bytesRead, GGUF_MAGIC.length)).toString("latin1");
    if (start !== GGUF_MAGIC) throw new Error(`${file} is not a GGUF model file (it starts with ${JSON.stringify(start)}, not "GGUF")`);
    assertPlausibleHeader(file, buffer.subarray(0, bytesRead), BigInt(info.size));
  } finally {
    await handle.close();
  }
}

/** Magic, version (u32), tensor count (u64), metadata entry count (u64). */
const HEADER_BYTES = 24;
/** The least bytes one metadata entry (key length, key, value type, smallest value) and one tensor entry take. */
const MIN_ENTRY_BYTES = 8n + 1n + 4n + 1n;
const MIN_TENSOR_BYTES = 8n + 1n + 4n + 8n + 4n + 8n;

/**
 * A damaged or forged header (counts no file of this size can hold) makes node-llama-cpp's reader loop, allocating
 * without bound, and the process stops answering: refuse it before it gets there.
 */
function assertPlausibleHeader(file: string, header: Buffer, size: bigint): void {
  if (header.length < HEADER_BYTES) throw new Error(`${file} is not a GGUF model file (${header.length} bytes: shorter than a GGUF header)`);
  const version = header.readUInt32LE(4);
  const tensors = header.readBigUInt64LE(8);
  const entries = header.readBigUInt64LE(16);
  if (version < 1 || version > 3) throw new Error(`${file} is not a GGUF model file this runtime reads (GGUF version ${version})`);
  if (BigInt(HEADER_BYTES) + entries * MIN_ENTRY_BYTES + tensors * MIN_TENSOR_BYTES > size) {
    throw new Error(`${file} is damaged: its header announces ${entries} metadata entries and ${tensors} tensors, more than its ${size} bytes can hold`);
  }
}
