/**
 * The 24-byte header of an empty GGUF file (magic, version 3, no tensors, no metadata): passes the runtime's
 * header check, and llama.cpp still cannot load it as a model.
 */
export function ggufHeader(): Buffer {
  const header = Buffer.alloc(24);
  header.write("GGUF", 0, "latin1");
  header.writeUInt32LE(3, 4);
  return header;
}
