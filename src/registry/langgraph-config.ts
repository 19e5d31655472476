import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { firstDuplicateKey } from "./duplicate-json-keys.js";

/** `./file.ts:exportName`, or `./file.ts` for its default export (as LangGraph Platform's loader reads it). */
const GRAPH_TARGET = /^(?:.+:[A-Za-z_$][\w$]*|[^:]+)$/;

const langgraphConfigSchema = z.object({
  graphs: z.record(z.string(), z.string().regex(GRAPH_TARGET, "expected ./path/to/file.ts:exportName (or ./path/to/file.ts for its default export)")).refine(
    (graphs) => Object.keys(graphs).length > 0,
    "declare at least one graph",
  ),
});

/** One graph declaration: where to import it from and which export to take. */
export interface GraphDeclaration {
  graphId: string;
  file: string;
  exportName: string;
}

/** Read `langgraph.json` (the LangGraph CLI convention) and resolve graph paths relative to it. */
export async function readLanggraphConfig(configPath: string): Promise<GraphDeclaration[]> {
  const absolute = path.resolve(configPath);
  let raw: unknown;
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read graph declarations from ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) throw new Error(`Invalid ${absolute}: ${duplicate} is declared twice (only the last would be kept)`);
  const parsed = langgraphConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid ${absolute}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  return Object.entries(parsed.data.graphs).map(([graphId, target]) => {
    const separator = target.lastIndexOf(":");
    if (separator < 0) return { graphId, file: path.resolve(path.dirname(absolute), target), exportName: "default" };
    return { graphId, file: path.resolve(path.dirname(absolute), target.slice(0, separator)), exportName: target.slice(separator + 1) };
  });
}
