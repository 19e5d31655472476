import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/**
 * The environment `langgraph.json` declares, LangGraph CLI style: `"env": ".env"` (a dotenv file, relative to
 * langgraph.json) or `"env": {NAME: value}`. Values the process environment already has win, as with dotenv. A
 * missing langgraph.json or env file declares nothing (the shipped `.env` is optional); an unreadable one is an error.
 */
export function langgraphEnv(configPath: string): Record<string, string> {
  if (!existsSync(configPath)) return {};
  const declared = (JSON.parse(readFileSync(configPath, "utf8")) as { env?: unknown }).env;
  if (typeof declared === "string") {
    const file = path.resolve(path.dirname(configPath), declared);
    return existsSync(file) ? definedOnly(parseEnv(readFileSync(file, "utf8"))) : {};
  }
  if (declared && typeof declared === "object") {
    return Object.fromEntries(Object.entries(declared as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  }
  return {};
}

function definedOnly(values: NodeJS.Dict<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
