import { Client } from "@langchain/langgraph-sdk";
import type { RunningServer } from "../../src/app.js";

/** The official SDK client of a new API key of `userId` on a server with `AUTH_MODE=apikey`, and that key (for raw requests). */
export async function sdkUser<State = Record<string, unknown>>(server: RunningServer, userId: string): Promise<{ client: Client<State>; key: string }> {
  const { key } = await server.services.apiKeys.create(userId);
  return { client: new Client<State>({ apiUrl: server.url, apiKey: null, defaultHeaders: { Authorization: `Bearer ${key}` } }), key };
}
