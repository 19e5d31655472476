import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type RunningServer, startServer } from "../../src/app.js";
import { LOCAL_USER } from "../../src/auth/user.js";
import { CheckpointRetention } from "../../src/checkpoint/checkpoint-retention.js";
import { DeltaCompaction } from "../../src/events/delta-compaction.js";
import { type ConfigOverrides, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import type { CountedMessage } from "./conversation.js";
import { ProtocolClient, ProtocolError } from "./protocol-client.js";
import { measureStoredBytes, type StoredBytes } from "./stored-bytes.js";
import type { BenchTarget, ThreadRead, TurnOutput } from "./target.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A thread refused with `thread_busy` is retried after this pause (see `turn`). */
const BUSY_RETRY_MS = 1;

/** Options of the Threadline side. */
export interface ThreadlineTargetOptions {
  databaseUrl: string;
  replyMinChars: number;
  /** `run.start`'s `durability` for every turn (unset: the server's default). */
  durability?: "sync" | "async" | "exit";
  /** Server settings on top of the benchmark's own (e.g. `CHECKPOINT_CACHE_THREADS: 0`). */
  settings?: ConfigOverrides;
}

/**
 * Threadline measured the way a client uses it: a real server (HTTP + WebSocket on port 0, in this process) and a
 * WebSocket client that sends `run.start` and waits for the run's `run.completed` event.
 */
export class ThreadlineTarget implements BenchTarget {
  readonly name = "threadline";
  readonly reads: readonly ThreadRead[];

  private constructor(
    private readonly server: RunningServer,
    private readonly client: ProtocolClient,
    private readonly durability?: "sync" | "async" | "exit",
  ) {
    this.reads = [
      { key: "state", label: "GET /threads/:id/state (HTTP)", read: (threadId) => this.getJson(`/threads/${threadId}/state`) },
      { key: "state_in_process", label: "services.threadState.get (in-process)", read: (threadId) => server.services.threadState.get(LOCAL_USER.id, threadId) },
      { key: "first_page", label: "messages.list limit 10 (WebSocket)", read: (threadId) => client.call("messages.list", { thread_id: threadId, limit: 10 }) },
      { key: "history", label: "POST /threads/:id/history limit 10 (HTTP)", read: (threadId) => this.postJson(`/threads/${threadId}/history`, { limit: 10 }) },
    ];
  }

  /** Start the server on a fresh database and connect one WebSocket client. */
  static async start(options: ThreadlineTargetOptions): Promise<ThreadlineTarget> {
    const config = loadConfig({
      env: {},
      overrides: {
        PORT: 0,
        HOST: "127.0.0.1",
        MODEL: "fake",
        FAKE_REPLY_MIN_CHARS: options.replyMinChars,
        LOG_LEVEL: "silent",
        DATABASE_URL: options.databaseUrl,
        DATA_DIR: path.join(tmpdir(), "threadline-bench-unused"),
        LANGGRAPH_CONFIG: path.join(REPO_ROOT, "langgraph.json"),
        // The default 600 requests/minute would throttle the benchmark itself, not measure the run path.
        RATE_LIMIT_PER_MINUTE: 1_000_000_000,
        SHUTDOWN_GRACE_MS: 2000,
        ...options.settings,
      },
    });
    const server = await startServer({ config, logger: createLogger({ level: "silent" }) });
    try {
      return new ThreadlineTarget(server, await ProtocolClient.connect(server.wsUrl), options.durability);
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  /** The server's services: for the in-process state read and for instrumentation (breakdown.ts). */
  get services(): RunningServer["services"] {
    return this.server.services;
  }

  /** A new session through `thread.open` (no window: a fresh thread each time). */
  async createThread(): Promise<string> {
    const { thread_id } = await this.client.call<{ thread_id: string }>("thread.open", {});
    return thread_id;
  }

  /**
   * `run.start`, then wait for that run's `run.completed`. A server that announces `run.completed` before it
   * releases the thread (as before commit f43d9ee) refuses a client's immediate next turn with `thread_busy`;
   * such a refusal is retried after 1 ms, counted in the report, and its cost stays inside the turn's latency.
   */
  async turn(threadId: string, text: string): Promise<TurnOutput> {
    const params = { thread_id: threadId, input: { messages: [{ role: "user", content: text }] }, ...(this.durability ? { durability: this.durability } : {}) };
    for (let busyRetries = 0; ; busyRetries += 1) {
      let runId: string;
      try {
        ({ run_id: runId } = await this.client.call<{ run_id: string }>("run.start", params));
      } catch (error) {
        if (error instanceof ProtocolError && error.code === "thread_busy" && busyRetries < 10_000) {
          await sleep(BUSY_RETRY_MS);
          continue;
        }
        throw error;
      }
      const run = await this.client.waitForRun(runId);
      if (run.event !== "run.completed") throw new Error(`run ${runId} failed: ${JSON.stringify(run.data)}`);
      return { messages: run.messages.map(toCountedMessage), busyRetries };
    }
  }

  /** Until the executor has recorded the run's outcome and released the thread (runs.finish, thread idle). */
  settle(): Promise<void> {
    return this.server.services.active.drain(60_000);
  }

  /** Every Threadline and checkpointer table, for this thread. */
  storedBytes(threadId: string): Promise<StoredBytes> {
    return measureStoredBytes(this.server.services.pool, threadId);
  }

  /**
   * What the lifecycle sweep does with `CHECKPOINT_RETENTION_DAYS=0` and `EVENT_DELTA_RETENTION_MINUTES=0`, now:
   * the intermediate checkpoints pruned, the deltas of completed messages compacted. (The server itself keeps the
   * defaults during the turns, so no sweep runs in the middle of a measurement.)
   */
  async maintain(): Promise<string> {
    const pruned = await new CheckpointRetention(this.server.services.pool).sweep({ olderThanDays: 0 });
    const compacted = await new DeltaCompaction(this.server.services.pool).sweep({ olderThanMinutes: 0 });
    return `a retention sweep (${pruned.checkpoints} checkpoints pruned) and delta compaction (${compacted.deleted} deltas)`;
  }

  /** Close the socket and shut the server down. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.client.close();
    await this.server.close();
  }

  private async getJson(route: string): Promise<unknown> {
    const response = await fetch(`${this.server.url}${route}`);
    if (!response.ok) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  private async postJson(route: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.server.url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

function toCountedMessage(message: Record<string, unknown>): CountedMessage {
  const toolCalls = Array.isArray(message.tool_calls) ? (message.tool_calls as { args?: unknown }[]) : [];
  return { content: typeof message.content === "string" ? message.content : "", toolCallArgs: toolCalls.map((call) => call.args ?? {}) };
}
