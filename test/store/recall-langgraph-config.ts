import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Write a langgraph.json declaring the chat graph and `recall` (reads its user's store) into `directory`. */
export async function writeRecallLanggraphConfig(directory: string): Promise<string> {
  const file = path.join(directory, "langgraph.json");
  const graphs = { chat: `${path.resolve(HERE, "../../graphs/chat.ts")}:graph`, recall: `${path.join(HERE, "recall-graph.ts")}:graph` };
  await writeFile(file, JSON.stringify({ graphs }));
  return file;
}
