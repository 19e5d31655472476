import type { ThreadlineSaver } from "./checkpoint/threadline-saver.js";
import type pg from "pg";
import type { AssistantService } from "./assistants/assistant-service.js";
import type { ApiKeyStore } from "./auth/api-key-store.js";
import type { Authenticator } from "./auth/authenticator.js";
import type { UserRateLimiter } from "./auth/rate-limiter.js";
import type { Config } from "./config.js";
import type { EventBus } from "./events/event-bus.js";
import type { EventLog } from "./events/event-log.js";
import type { ThreadChangeFeed } from "./events/thread-change-feed.js";
import type { CronService } from "./jobs/cron/cron-service.js";
import type { JobSystem } from "./jobs/job-system.js";
import type { SessionLifecycleService } from "./jobs/lifecycle/session-lifecycle-service.js";
import type { Logger } from "./logger.js";
import type { ClusterNotifier } from "./events/cluster-notifier.js";
import type { ActiveRuns } from "./runs/active-runs.js";
import type { ModelProvider } from "./models/model-provider.js";
import type { RunDispatcher } from "./runs/run-dispatcher.js";
import type { StateEditService } from "./sessions/state-edit-service.js";
import type { RunHooks } from "./runs/run-hooks.js";
import type { RunService } from "./runs/run-service.js";
import type { SessionService } from "./sessions/session-service.js";
import type { ThreadForkService } from "./sessions/thread-fork-service.js";
import type { ThreadStateService } from "./sessions/thread-state-service.js";
import type { ItemStore } from "./store/item-store.js";

/** The services transports use; built once by the composition root (src/app.ts). */
export interface Services {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  databaseKind: "postgres" | "embedded";
  /** This process's id in the cluster (the owner of the run leases it holds). */
  instanceId: string;
  authenticator: Authenticator;
  rateLimiter: UserRateLimiter;
  apiKeys: ApiKeyStore;
  assistants: AssistantService;
  sessions: SessionService;
  threadState: ThreadStateService;
  forks: ThreadForkService;
  runs: RunService;
  runEvents: RunHooks;
  eventLog: EventLog;
  bus: EventBus;
  /** Each user's thread changes (created, updated, deleted), told to every socket of that user. */
  threadChanges: ThreadChangeFeed;
  active: ActiveRuns;
  cluster: ClusterNotifier;
  dispatcher: RunDispatcher;
  /** State edits over HTTP, recorded in the transcript and announced to every window. */
  stateEdits: StateEditService;
  /** Chat models per assistant settings (cached). */
  models: ModelProvider;
  /** The checkpointer every graph runs with (told to forget a thread whose transaction rolled back). */
  checkpointer: ThreadlineSaver;
  /** The job system (pg-boss): started after the dispatcher, stopped before the pool closes. */
  jobs: JobSystem;
  crons: CronService;
  /** Long-term store items (LangGraph's BaseStore), scoped by owner: the store routes and every run's `store`. */
  itemStore: ItemStore;
  lifecycle: SessionLifecycleService;
}
