import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { z } from "zod";
import { extractToken } from "../auth/authenticator.js";
import { CREDENTIALS_REVOKED_MESSAGE, type CredentialVerdict, credentialVerdict, endsConnection } from "../auth/credential-verdict.js";
import type { User } from "../auth/user.js";
import { browserRequestRefusal } from "../http/browser-origin-guard.js";
import { AppError, describeIssues, errorSummary, toAppError } from "../errors/app-error.js";
import { assertStorableText } from "../errors/storable-text.js";
import type { Services } from "../services.js";
import { ClientConnection } from "./client-connection.js";
import { COMMAND_HANDLERS } from "./command-handlers.js";
import { METHOD_MODULES } from "./method-modules.js";
import { commandFrameSchema, isMethodName, METHOD_PARAMS, type MethodName } from "./protocol.js";

/** The `/ws` endpoint: authenticates the upgrade, then serves commands and pushes events. */
export class ThreadlineWebSocketServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<ClientConnection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly reauth: NodeJS.Timeout;

  constructor(private readonly services: Services) {
    // Frames over the soft limit get a typed error; ws itself closes the socket past twice that.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: services.config.WS_MAX_FRAME_BYTES * 2 + 65_536 });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), services.config.WS_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.reauth = setInterval(() => void this.checkCredentials(), services.config.WS_REAUTH_MS);
    this.reauth.unref();
  }

  /** Take over HTTP upgrades on `path` of an HTTP server. */
  attach(server: Server, path = "/ws"): void {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname !== path) {
        rejectUpgrade(socket, new AppError("not_found", `No WebSocket endpoint at ${url.pathname}`));
        return;
      }
      const refusal = browserRequestRefusal(request.headers, this.services.config);
      if (refusal) {
        rejectUpgrade(socket, refusal);
        return;
      }
      const credential = extractToken(request.headers.authorization, url.searchParams.get("token"));
      this.services.authenticator
        .authenticate(credential)
        .then((user) => this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, user, credential)))
        .catch((error: unknown) => rejectUpgrade(socket, toAppError(error)));
    });
  }

  /** Close every socket with a reason (shutdown). */
  async close(reason = "server shutting down"): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.reauth);
    for (const connection of this.connections) connection.socket.close(1001, reason);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const connection of this.connections) connection.socket.terminate();
  }

  private accept(socket: WebSocket, user: User, credential: string | undefined): void {
    const logger = this.services.logger.child({ userId: user.id, transport: "ws" });
    const connection = new ClientConnection(socket, user, { services: this.services, logger, credential });
    this.connections.add(connection);
    socket.on("pong", () => (connection.alive = true));
    socket.on("message", (data, isBinary) => {
      void this.handleFrame(connection, data, isBinary);
    });
    socket.on("close", () => {
      connection.dispose();
      this.connections.delete(connection);
    });
    socket.on("error", (error) => logger.debug({ err: error }, "socket error"));
  }

  private async handleFrame(connection: ClientConnection, data: RawData, isBinary: boolean): Promise<void> {
    let id: string | number | null = null;
    try {
      const text = rawToString(data);
      if (Buffer.byteLength(text) > this.services.config.WS_MAX_FRAME_BYTES) {
        // Still under ws's hard cap: read the id so the client can match the error to its command.
        id = readCommandId(text);
        throw new AppError("payload_too_large", `Frame exceeds ${this.services.config.WS_MAX_FRAME_BYTES} bytes`);
      }
      if (isBinary) throw new AppError("invalid_request", "Binary frames are not supported; send JSON text");
      const value = parseJson(text);
      // The id is echoed whenever it is readable, so a client can match the error to its command.
      id = commandIdOf(value);
      const frame = commandFrameSchema.safeParse(value);
      if (!frame.success) throw new AppError("invalid_request", "Expected {id, method, params}", { details: frame.error.issues });
      assertStorableText(frame.data.params, "The command's params");
      const { method, params = {} } = frame.data;
      const serve = async () => {
        await this.services.rateLimiter.consume(connection.user.id);
        return this.dispatch(connection, method, params);
      };
      // Runs a socket starts on one thread are submitted in the order it sent them (they queue in that order).
      const threadId = method === "run.start" ? params.thread_id : undefined;
      const result = await (typeof threadId === "string" ? connection.inOrder(`run.start:${threadId}`, serve) : serve());
      connection.send({ type: "result", id: frame.data.id, result });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === "internal") this.services.logger.error({ err: error, userId: connection.user.id }, "WebSocket command failed");
      if (appError.code === "unavailable" && appError.cause !== undefined) {
        this.services.logger.warn({ err: errorSummary(appError.cause), userId: connection.user.id }, "WebSocket command failed: the database is not reachable");
      }
      connection.send({ type: "error", id, ...appError.toJSON() });
    }
  }

  private dispatch(connection: ClientConnection, method: string, params: Record<string, unknown>): Promise<unknown> {
    const found = findMethod(method);
    if (!found) throw new AppError("method_not_found", `Unknown method "${method}"`, { details: { methods: allMethodNames() } });
    const parsed = found.schema.safeParse(params);
    if (!parsed.success) throw new AppError("invalid_request", `Invalid params for ${method}: ${describeIssues(parsed.error.issues)}`, { details: parsed.error.issues });
    return found.handler(connection, parsed.data, this.services);
  }

  /**
   * Check every open socket's credentials again: a socket outlives its upgrade, so a key revoked (by another
   * process, `threadline keys revoke`) or a JWT that expired must not keep it open. Refused ones get an
   * `unauthorized` error frame and close with 1008; a failure to check (database down) closes nothing.
   */
  private async checkCredentials(): Promise<void> {
    if (this.services.config.AUTH_MODE === "none") return;
    // One check per distinct credential, not per socket: a user's windows and tabs share their key or token.
    const verdicts = new Map<string | undefined, Promise<CredentialVerdict>>();
    for (const connection of [...this.connections]) {
      let verdict = verdicts.get(connection.credential);
      if (!verdict) {
        verdict = credentialVerdict(this.services.authenticator, connection.credential);
        verdicts.set(connection.credential, verdict);
      }
      if (!endsConnection(await verdict, connection.user.id)) continue;
      connection.send({ type: "error", id: null, ...new AppError("unauthorized", CREDENTIALS_REVOKED_MESSAGE).toJSON() });
      connection.socket.close(1008, "credentials revoked or expired");
    }
  }

  private checkHeartbeats(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", "Frame is not valid JSON");
  }
}

type AnyHandler = (connection: ClientConnection, params: unknown, services: Services) => Promise<unknown>;

function findMethod(method: string): { schema: z.ZodType; handler: AnyHandler } | undefined {
  if (isMethodName(method)) return { schema: METHOD_PARAMS[method], handler: COMMAND_HANDLERS[method] as AnyHandler };
  for (const module of METHOD_MODULES) {
    // Own keys only: `__proto__`, `constructor` and `toString` are found on every object's prototype.
    if (!Object.hasOwn(module.params, method) || !Object.hasOwn(module.handlers, method)) continue;
    const schema = module.params[method];
    const handler = module.handlers[method];
    if (schema && handler) return { schema, handler: handler as AnyHandler };
  }
  return undefined;
}

function allMethodNames(): string[] {
  return [...Object.keys(METHOD_PARAMS), ...METHOD_MODULES.flatMap((module) => Object.keys(module.params))];
}

function readCommandId(text: string): string | number | null {
  try {
    return commandIdOf(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The frame's id when it is one the protocol accepts (what the error frame echoes); null otherwise. */
function commandIdOf(value: unknown): string | number | null {
  const parsed = commandFrameSchema.shape.id.safeParse((value as { id?: unknown } | null)?.id);
  return parsed.success ? parsed.data : null;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(new Uint8Array(data)).toString("utf8");
}

function rejectUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export type { MethodName };
