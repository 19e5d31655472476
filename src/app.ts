import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { BUILT_IN_TOOLS } from "../tools/index.js";
import { checkToolSet } from "./tools/tool-set-check.js";
import { STOPPED_ELSEWHERE } from "./runs/lease-keeper.js";
import { assistantBudgetCheck } from "./assistants/assistant-budget-check.js";
import { assistantModelCheck } from "./assistants/assistant-model-check.js";
import type { AssistantSettings } from "./assistants/assistant-settings.js";
import { AssistantService } from "./assistants/assistant-service.js";
import { ApiKeyStore } from "./auth/api-key-store.js";
import { createAuthenticator } from "./auth/authenticator.js";
import { resolveRateLimitScope, UserRateLimiter } from "./auth/rate-limiter.js";
import type { Config } from "./config.js";
import { type Database, openDatabase } from "./db/database.js";
import { describeConnectionFailure } from "./db/connection-failure.js";
import { migrate } from "./db/migrate.js";
import { createJobSystem } from "./jobs/job-system.js";
import { ThreadlineSaver } from "./checkpoint/threadline-saver.js";
import { StateEditService } from "./sessions/state-edit-service.js";
import { ThreadTombstones } from "./jobs/lifecycle/thread-tombstones.js";
import { catchUpAfterReconnect, endDeletedThread } from "./events/cluster-catch-up.js";
import { ClusterNotifier } from "./events/cluster-notifier.js";
import { ThreadChangeFeed } from "./events/thread-change-feed.js";
import { EventBus } from "./events/event-bus.js";
import { EventLog } from "./events/event-log.js";
import { createHttpApp } from "./http/http-app.js";
import { createLogger, type Logger } from "./logger.js";
import { ModelProvider } from "./models/model-provider.js";
import { modelSettingsFromConfig } from "./models/model-settings.js";
import { preloadDefaultModel, prepareModels, validateConfiguredModels } from "./models/model-startup.js";
import { GraphRegistry } from "./registry/graph-registry.js";
import { ActiveRuns } from "./runs/active-runs.js";
import { RunDispatcher } from "./runs/run-dispatcher.js";
import { RunExecutor } from "./runs/run-executor.js";
import { RunHooks } from "./runs/run-hooks.js";
import { RunService } from "./runs/run-service.js";
import { RunStore } from "./runs/run-store.js";
import type { Services } from "./services.js";
import type { ToolDefinition } from "./tools/tool-definition.js";
import { SessionService } from "./sessions/session-service.js";
import { SessionStore } from "./sessions/session-store.js";
import { ThreadForkService } from "./sessions/thread-fork-service.js";
import { ThreadStateService } from "./sessions/thread-state-service.js";
import { ItemStore } from "./store/item-store.js";
import { TranscriptStore } from "./transcript/transcript-store.js";
import { ThreadlineWebSocketServer } from "./ws/websocket-server.js";

/** Options of the composition root; `pool` lets tests inject a database. */
export interface StartOptions {
  config: Config;
  logger?: Logger;
  pool?: pg.Pool;
  /** With an injected `pool`: its connection string, for the LISTEN connection that links instances. */
  connectionString?: string;
  /** The tools assistants may use. @default BUILT_IN_TOOLS */
  tools?: readonly ToolDefinition[];
}

/** A running Threadline server. Dispose it to shut down gracefully. */
export interface RunningServer extends AsyncDisposable {
  services: Services;
  server: Server;
  /** `http://host:port` */
  url: string;
  /** `ws://host:port/ws` */
  wsUrl: string;
  close(): Promise<void>;
}

/** Open the database, migrate, and build every service from config. */
export async function buildServices(options: StartOptions): Promise<{ services: Services; database: Database }> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  const modelSettings = modelSettingsFromConfig(config, logger);
  validateConfiguredModels(config, modelSettings);
  // Before the database is opened: a tool set that cannot work stops start-up at once.
  checkToolSet(options.tools ?? BUILT_IN_TOOLS);
  const database = await openDatabase({ pool: options.pool, databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, logger, preparedStatements: config.DATABASE_PREPARED_STATEMENTS, pipeline: config.DATABASE_PIPELINE, connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS });
  try {
    const { pool } = database;
    await migrate({ pool, logger }).catch((error: unknown) => {
      throw describeConnectionFailure(error, config.DATABASE_URL);
    });
    const tombstones = new ThreadTombstones(pool);
    // Messages stored once per thread, values as references: storage and per-turn work grow with what was said.
    const checkpointer = new ThreadlineSaver(pool, { tombstones, logger, recentThreads: config.CHECKPOINT_CACHE_THREADS });
    const registry = await GraphRegistry.load({ configPath: config.LANGGRAPH_CONFIG, checkpointer });
    const tools = options.tools ?? BUILT_IN_TOOLS;
    const toolNames = tools.map((tool) => tool.name);
    const models = new ModelProvider({ defaultModel: config.MODEL, settings: modelSettings });
    const modelCheck = assistantModelCheck({ models, settings: modelSettings });
    const budgetCheck = assistantBudgetCheck({ models, tools });
    const checkSettings = async (settings: AssistantSettings) => {
      await modelCheck(settings);
      await budgetCheck(settings);
    };
    const assistants = new AssistantService({ pool, registry, modelSettings, toolNames, checkSettings, defaultModel: config.MODEL });
    const transcript = new TranscriptStore(pool);
    const instanceId = randomUUID();
    const cluster = new ClusterNotifier({ pool, connectionString: database.kind === "postgres" ? (config.DATABASE_URL ?? options.connectionString) : undefined, instanceId, logger });
    const threadChanges = new ThreadChangeFeed();
    const sessionStore = new SessionStore(pool, { announcement: cluster.threadAnnouncement, changes: threadChanges });
    const eventLog = new EventLog(pool, cluster.eventAnnouncement);
    const bus = new EventBus(eventLog);
    const active = new ActiveRuns();
    const store = new RunStore(pool, { announcement: cluster.threadAnnouncement, changes: threadChanges });
    const hooks = new RunHooks();
    const lease = { owner: instanceId, ms: config.RUN_LEASE_MS };
    const itemStore = new ItemStore(pool);
    const executor = new RunExecutor({ pool, registry, assistants, models, tools, store, transcript, eventLog, bus, checkpointer, itemStore, active, hooks, logger, lease, deltaFlushMs: config.DELTA_FLUSH_MS, durability: config.RUN_DURABILITY, toolOutputMaxChars: config.TOOL_OUTPUT_MAX_CHARS, customEventsMax: config.RUN_CUSTOM_EVENTS_MAX });
    const dispatcher = new RunDispatcher({ store, executor, logger, lease, pollMs: config.RUN_POLL_MS, recovery: config.RUN_RECOVERY, failLost: (run) => executor.abandon(run) });
    const threadState = new ThreadStateService({ sessions: sessionStore, assistants, registry, checkpointer });
    const apiKeys = new ApiKeyStore(pool);
    const sessions = new SessionService({ store: sessionStore, transcript, assistants, checkpointer, active, tombstones, bus, pool, runs: { runs: store, hooks, logger } });
    const runs = new RunService({ pool, store, sessions: sessionStore, assistants, registry, threadState, eventLog, bus, cluster, active, tools, dispatcher, hooks, logger });
    const jobs = createJobSystem({ pool, logger, config, tombstones, itemStore, threads: sessions, assistants, threadState, runs: () => runs });
    hooks.onRunFinished(jobs.hooks.listener);
    hooks.onRunFinishing(jobs.webhooks.prepareForRun);
    const stateEdits = new StateEditService({ pool, saver: checkpointer, threadState, sessions: sessionStore, transcript, eventLog, bus });
    const services: Services = {
      config,
      logger,
      pool,
      databaseKind: database.kind,
      instanceId,
      authenticator: createAuthenticator(config, apiKeys),
      rateLimiter: new UserRateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE, scope: resolveRateLimitScope(config.RATE_LIMIT_SCOPE, database.kind), pool, logger }),
      apiKeys,
      assistants,
      sessions,
      threadState,
      forks: new ThreadForkService({ pool, sessions: sessionStore, threadState, checkpointer, transcript, stateEdits }),
      runs,
      runEvents: hooks,
      eventLog,
      bus,
      threadChanges,
      active,
      cluster,
      dispatcher,
      stateEdits,
      models,
      checkpointer,
      jobs,
      crons: jobs.crons,
      lifecycle: jobs.lifecycle,
      itemStore,
    };
    return { services, database };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Start the HTTP + WebSocket server.
 * @example await using server = await startServer({ config: loadConfig({ env: process.env }) });
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const startLogger = options.logger ?? createLogger({ level: options.config.LOG_LEVEL });
  // An embedded model that is not on disk yet is pulled (once, into the shared cache) before anything listens.
  await prepareModels({ config: options.config, settings: modelSettingsFromConfig(options.config, startLogger), logger: startLogger });
  const { services, database } = await buildServices({ ...options, logger: startLogger });
  const { config, logger } = services;
  await services.cluster.start({
    onEvents: (threadId, range) => services.bus.publishRemote(threadId, range),
    onRunSignal: (signal) => {
      if (signal.type === "cancel") services.active.stop(signal.run_id, { kind: "cancel", action: signal.action, message: signal.message ?? STOPPED_ELSEWHERE[signal.action] });
      else services.dispatcher.dispatch(signal.thread_id);
    },
    // A run of the thread executing here stops now (not at its next lease renewal), its subscribers are told.
    onThreadDeleted: (threadId) => endDeletedThread(services, threadId),
    onThreadChanged: (change) => services.threadChanges.receiveRemote(change, (userId, threadId) => services.sessions.get(userId, threadId)),
    // What was announced while the listener was down reaches this instance's subscribers now.
    onReconnected: () => void catchUpAfterReconnect(services),
  });
  services.dispatcher.start();
  await services.jobs.start();
  const server = createServer(createHttpApp(services));
  const webSockets = new ThreadlineWebSocketServer(services);
  webSockets.attach(server);
  await listen(server, config).catch(async (error: unknown) => {
    // What started so far (runs' dispatcher, jobs, the pool) stops, so a caller that goes on does not keep it running.
    await shutdown({ server, webSockets, services, database }).catch(() => undefined);
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (config.ignoredEnvironment?.length) {
    logger.warn({ variables: config.ignoredEnvironment }, "ignoring LangSmith/LangChain/OpenAI environment variables Threadline has no settings for (no tracing upload, no extra headers)");
  }
  logger.info({ url, model: config.MODEL, database: database.kind, authMode: config.AUTH_MODE, rateLimitScope: services.rateLimiter.scope }, "Threadline is listening");
  if (config.MODEL === "local" || config.MODEL.startsWith("local:")) void preloadDefaultModel(services.models, logger);
  void warnAboutUnusableDefaults(services);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= shutdown({ server, webSockets, services, database }));
  return { services, server, url, wsUrl: `${url.replace("http", "ws")}/ws`, close, [Symbol.asyncDispose]: close };
}

/** Listen on HOST:PORT; a failure (port in use, no such interface) names both settings, not only the OS's code. */
async function listen(server: Server, config: Pick<Config, "HOST" | "PORT">): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: Error) => reject(new Error(`cannot listen on HOST=${config.HOST} PORT=${config.PORT} (or --host, --port): ${error.message}`, { cause: error })));
    server.listen(config.PORT, config.HOST, () => resolve());
  });
}

async function shutdown(parts: { server: Server; webSockets: ThreadlineWebSocketServer; services: Services; database: Database }): Promise<void> {
  const { server, webSockets, services, database } = parts;
  services.logger.info({ activeRuns: services.active.size }, "shutting down");
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  services.dispatcher.stop();
  // In-flight runs finish, or after the grace period stop and release their lease: the next instance resumes
  // them from their last checkpoint (every step is checkpointed).
  await services.active.drain(services.config.SHUTDOWN_GRACE_MS);
  await services.bus.settled();
  // After the runs: finished runs have enqueued their webhooks. Before the pool closes.
  await services.jobs.stop();
  await services.cluster.stop();
  await webSockets.close();
  server.closeAllConnections();
  await stopped;
  services.rateLimiter.close();
  await database.close();
  services.logger.info("stopped");
}

/**
 * Say at start-up when a default assistant cannot run under this configuration (every run of it would fail): its
 * settings are checked like a created assistant's, in the background (an embedded model loads for its tokenizer).
 */
async function warnAboutUnusableDefaults(services: Services): Promise<void> {
  const unusable = await services.assistants.unusableDefaults().catch(() => []);
  for (const { assistant_id, reason } of unusable) {
    services.logger.warn({ assistant: assistant_id, reason }, `the default assistant "${assistant_id}" cannot run with this configuration: ${reason}`);
  }
}
