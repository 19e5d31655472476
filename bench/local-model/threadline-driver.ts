import WebSocket from "ws";
import { type RunningServer, startServer } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import type { GenerationSample, GenerationSettings } from "./generation-sample.js";
import { watchLlamaCalls } from "./llama-call-probe.js";
import { type CommandClientFrame as Frame, WsCommandClient } from "../ws-command-client.js";

/** A Threadline server with MODEL=local, driven over the WebSocket protocol like a client would. */
export class ThreadlineDriver implements AsyncDisposable {
  private readonly client: WsCommandClient;
  private sessions = 0;

  private constructor(
    private readonly server: RunningServer,
    private readonly socket: WebSocket,
    private readonly assistantId: string,
  ) {
    this.client = new WsCommandClient(socket);
  }

  /** Start the server and create an assistant without tools (the direct side has none either). */
  static async start(settings: GenerationSettings & { databaseUrl?: string; dataDir: string; cacheDir: string; deltaFlushMs?: number }): Promise<ThreadlineDriver> {
    const config = loadConfig({
      env: {},
      overrides: {
        PORT: 0,
        MODEL: "local",
        LOG_LEVEL: "warn",
        DATA_DIR: settings.dataDir,
        DATABASE_URL: settings.databaseUrl,
        MODEL_CACHE_DIR: settings.cacheDir,
        MODEL_AUTO_PULL: false,
        LOCAL_MODEL_THREADS: settings.threads,
        LOCAL_MODEL_CONTEXT_SIZE: settings.contextSize,
        LOCAL_MODEL_SEQUENCES: settings.sequences,
        DELTA_FLUSH_MS: settings.deltaFlushMs,
      },
    });
    const server = await startServer({ config, logger: createLogger({ level: "warn" }) });
    try {
      // No tools: the direct side has none, so no tool decision precedes the answer.
      const response = await fetch(`${server.url}/assistants`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ graph_id: "chat", name: "bench", context: { model: "local", tools: [], temperature: 0, seed: settings.seed, max_tokens: settings.maxTokens } }),
      });
      if (!response.ok) throw new Error(`creating the assistant failed: ${response.status} ${await response.text()}`);
      const { assistant_id } = (await response.json()) as { assistant_id: string };
      const socket = new WebSocket(server.wsUrl);
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      return new ThreadlineDriver(server, socket, assistant_id);
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  /** One run on a fresh session, timed on the client from `run.start` sent to the first and last `message.delta`. */
  async generate(prompt: string): Promise<GenerationSample> {
    const { thread_id } = await this.call("thread.open", { assistant_id: this.assistantId, window_id: `bench-${String((this.sessions += 1))}` });
    // Every event is stamped on arrival: a delta may reach the client before the run.start answer does.
    const arrivals: { frame: Frame; at: number }[] = [];
    let wake: (() => void) | undefined;
    const listener = (frame: Frame) => {
      if (frame.type !== "event") return;
      arrivals.push({ frame, at: performance.now() });
      wake?.();
    };
    const unlisten = this.client.listen(listener);
    const llama = watchLlamaCalls();
    try {
      const started = performance.now();
      const runId = String((await this.call("run.start", { thread_id, input: { messages: [{ role: "user", content: prompt }] } })).run_id);
      const acceptedMs = performance.now() - started;
      const isFinal = (frame: Frame) => frame.run_id === runId && (frame.event === "run.completed" || frame.event === "run.failed");
      while (!arrivals.some(({ frame }) => isFinal(frame))) await new Promise<void>((resolve) => (wake = resolve));
      const final = arrivals.find(({ frame }) => isFinal(frame))?.frame;
      if (final?.event !== "run.completed") throw new Error(`run failed: ${JSON.stringify(final?.data)}`);
      const deltas = arrivals.filter(({ frame }) => frame.run_id === runId && frame.event === "message.delta").map(({ at }) => at);
      const first = deltas[0] ?? started;
      const last = deltas.at(-1) ?? first;
      const usage = final.data?.usage as { output_tokens?: number } | null;
      const { calledAt, firstTextAt, lastTextAt } = llama.times;
      return {
        firstTokenMs: first - started,
        streamMs: last - first,
        tokens: usage?.output_tokens ?? 0,
        acceptedMs,
        beforeModelMs: calledAt === undefined ? undefined : calledAt - started,
        afterFirstTextMs: firstTextAt === undefined ? undefined : first - firstTextAt,
        modelStreamMs: firstTextAt === undefined || lastTextAt === undefined ? undefined : lastTextAt - firstTextAt,
      };
    } finally {
      llama.stop();
      unlisten();
    }
  }

  private call(method: string, params: unknown): Promise<Record<string, unknown>> {
    return this.client.call(method, params);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.socket.close();
    await this.server.close();
  }
}
