import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the provider server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
}

/** Answers one request; `index` counts the requests the server has seen (from 0). */
export type ProviderHandler = (request: RecordedRequest, response: ServerResponse, index: number) => void | Promise<void>;

/** A local stand-in for a model provider: records every request, answers with the test's handler. */
export interface RecordingServer extends AsyncDisposable {
  url: string;
  requests: RecordedRequest[];
  handle(handler: ProviderHandler): void;
}

/** Start a provider stand-in on an ephemeral port. */
export async function startRecordingServer(handler?: ProviderHandler): Promise<RecordingServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: request.url ?? "/",
        headers: request.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        at: performance.now(),
      };
      requests.push(recorded);
      open.add(response);
      response.on("close", () => open.delete(response));
      if (!current) {
        response.writeHead(500).end("no handler");
        return;
      }
      Promise.resolve(current(recorded, response, requests.length - 1)).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    for (const response of open) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => (current = next),
    [Symbol.asyncDispose]: close,
  };
}

/** A JSON error response, shaped like OpenAI's. */
export function sendError(response: ServerResponse, error: { status: number; message: string; headers?: Record<string, string> }): void {
  const { status, message, headers = {} } = error;
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify({ error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", code: null } }));
}

/** What `useDatabaseAndProvider` gives: read inside tests and hooks (both exist once `beforeAll` has run). */
export interface DatabaseAndProvider {
  readonly database: TestDatabase;
  readonly provider: RecordingServer;
}

/** A fresh database and a recording provider stand-in, made before the file's tests and removed after. */
export function useDatabaseAndProvider(): DatabaseAndProvider {
  let database: TestDatabase | undefined;
  let provider: RecordingServer | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    provider = await startRecordingServer();
  });
  afterAll(async () => {
    await provider?.[Symbol.asyncDispose]();
    await database?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error("useDatabaseAndProvider: read the database inside a test");
      return database;
    },
    get provider() {
      if (!provider) throw new Error("useDatabaseAndProvider: read the provider inside a test");
      return provider;
    },
  };
}
