import { createPublicKey } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { parse as parseConnectionString } from "pg-connection-string";
import { z } from "zod";
import { isAllowHostEntry } from "./outbound/address-range.js";

const TRUE_WORDS = ["true", "1", "yes", "on"];
const BOOLEAN_WORDS = [...TRUE_WORDS, "false", "0", "no", "off"];
/** A flag as environments write it: true/false, 1/0, yes/no, on/off, in any case. */
/**
 * A model provider's base URL: http(s), without credentials — a `user:password@` there reaches no provider (fetch
 * refuses such URLs) and its password would be repeated in every run's error. Keys have settings of their own.
 */
const providerUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), "must be an http:// or https:// URL")
  .refine((value) => !URL.canParse(value) || (new URL(value).username === "" && new URL(value).password === ""), "must not hold credentials (user:password@): set the provider's key setting instead");

const booleanFromString = z.preprocess(
  (value) => (typeof value === "boolean" ? String(value) : value),
  z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .refine((value) => BOOLEAN_WORDS.includes(value), { message: `expected one of ${BOOLEAN_WORDS.join(", ")} (any case)` })
    .transform((value) => TRUE_WORDS.includes(value)),
);

/**
 * A whole number as an environment variable or flag writes it: decimal digits, spaces around them allowed. `z.coerce`
 * read `" "` as 0 (PORT 0 is a random port), `0x1F90` as 8080 and `1e3` as 1000.
 */
const integerSetting = (range: (whole: z.ZodNumber) => z.ZodNumber = (whole) => whole) =>
  z.preprocess(
    (value) => (typeof value === "string" && /^\s*[0-9]+\s*$/.test(value) ? Number(value) : value),
    range(z.number({ error: "must be a whole number in decimal digits" }).int()),
  );

/** A decimal number of minutes, days or seconds (`1.5`): digits with an optional fraction, as `integerSetting`. */
const decimalSetting = (range: (number: z.ZodNumber) => z.ZodNumber = (number) => number) =>
  z.preprocess(
    (value) => (typeof value === "string" && /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(value) ? Number(value) : value),
    range(z.number({ error: "must be a number in decimal digits" })),
  );

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** Longest retention accepted (a century): ages beyond it cannot be turned into checkpoint ids. */
export const MAX_RETENTION_DAYS = 36_500;
const AUTH_MODES = ["none", "apikey", "jwt"] as const;

/** Every setting Threadline reads, with its environment variable name and default. See docs/configuration.md. */
const configSchema = z.object({
  /** @default 8123 */
  PORT: integerSetting((whole) => whole.min(0).max(65535)).default(8123),
  /** Interface to bind; an IPv6 address may be written bracketed as in URLs (`[::1]`). @default "127.0.0.1" */
  HOST: z
    .string()
    .min(1)
    // listen() takes a bare address: "[::1]" was looked up as a host name (getaddrinfo ENOTFOUND).
    .transform((host) => host.replace(/^\[(.+)\]$/, "$1"))
    .default("127.0.0.1"),
  /** Postgres connection string; unset means the embedded PGlite database under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .min(1)
    .refine(isPostgresConnectionString, "must be a postgres:// (or postgresql://) connection URL, e.g. postgres://user:password@host:5432/database")
    .optional(),
  /** Named prepared statements; turn off behind PgBouncer in transaction mode before 1.21. @default true */
  DATABASE_PREPARED_STATEMENTS: booleanFromString.default(true),
  /** Send statements a transaction issues together in one round trip; off for a proxy that mishandles it. @default true */
  DATABASE_PIPELINE: booleanFromString.default(true),
  /**
   * Longest wait for a database connection (a new one, or a pooled one when all are busy); past it the request answers
   * 503 instead of hanging while the database does not answer. 10 s: long enough that a burst of runs
   * queueing for a busy pool is not failed, short enough that a dead database is seen in seconds. @default 10000
   */
  DATABASE_CONNECT_TIMEOUT_MS: integerSetting((whole) => whole.min(100).max(600_000)).default(10_000),
  /** @default "./data" */
  DATA_DIR: z.string().min(1).default("./data"),
  /**
   * `provider:model` (`openai:…`, `anthropic:…`, `ollama:…`), `local`, `local:<path-or-hf-uri>` or `fake`.
   * Unset: `openai:gpt-4o-mini` with OPENAI_API_KEY, `anthropic:claude-haiku-4-5` with ANTHROPIC_API_KEY, else `local`.
   */
  MODEL: z.string().min(1).optional(),
  /** Comma-separated models tried in order when MODEL fails, e.g. `openai:gpt-4o-mini,local`. @default [] */
  MODEL_FALLBACKS: z
    .string()
    .default("")
    .transform((list) => list.split(",").map((spec) => spec.trim()).filter(Boolean)),
  /** Longest a model may stay silent (before its first token or between two) before the call is abandoned. @default 120000 */
  MODEL_TIMEOUT_MS: integerSetting((whole) => whole.min(1)).default(120_000),
  /** Retries of a provider call on 429 (honouring Retry-After), 5xx and network errors, with backoff. @default 2 */
  MODEL_MAX_RETRIES: integerSetting((whole) => whole.min(0).max(10)).default(2),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible server (DeepSeek, DashScope, vLLM, llama.cpp server, …). */
  OPENAI_BASE_URL: providerUrl.optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: providerUrl.optional(),
  /** @default "http://127.0.0.1:11434" */
  OLLAMA_BASE_URL: providerUrl.default("http://127.0.0.1:11434"),
  /** Where pulled model files are cached across data directories and CI runs. @default "~/.cache/threadline/models" */
  MODEL_CACHE_DIR: z.string().min(1).default(path.join(os.homedir(), ".cache", "threadline", "models")),
  /**
   * Hugging Face endpoint for `hf:` model URIs: a mirror such as `https://hf-mirror.com` where huggingface.co is
   * slow or unreachable. @default "https://huggingface.co"
   */
  HF_ENDPOINT: z.string().url().optional(),
  /** Hugging Face access token, for gated or private `hf:` models. Never logged. */
  HF_TOKEN: z.string().min(1).optional(),
  /** `serve` pulls a missing embedded model (MODEL or a fallback `local`) before listening. @default true */
  MODEL_AUTO_PULL: booleanFromString.default(true),
  /** CPU threads of the embedded model; 0 picks half the cores (spinning threads on a busy machine stall). @default 0 */
  LOCAL_MODEL_THREADS: integerSetting((whole) => whole.min(0).max(256)).default(0),
  /** Tokens each context sequence of the embedded model holds. @default 4096 */
  LOCAL_MODEL_CONTEXT_SIZE: integerSetting((whole) => whole.min(256)).default(4096),
  /** Generations the embedded model batches in parallel (one context sequence each). @default 4 */
  LOCAL_MODEL_SEQUENCES: integerSetting((whole) => whole.min(1).max(64)).default(4),
  /** Calls waiting for a free sequence beyond this fail at once instead of queueing. @default 256 */
  LOCAL_MODEL_QUEUE_LIMIT: integerSetting((whole) => whole.min(0)).default(256),
  /** Reply length cap of the embedded model when the assistant sets no max_tokens. @default 512 */
  LOCAL_MODEL_MAX_TOKENS: integerSetting((whole) => whole.min(1)).default(512),
  /** Tool rounds the embedded model may make per user message before it must answer. @default 1 */
  LOCAL_MODEL_MAX_TOOL_ROUNDS: integerSetting((whole) => whole.min(0).max(20)).default(1),
  /** Let node-llama-cpp use a GPU (CUDA/Vulkan/Metal) when one is present. @default false */
  LOCAL_MODEL_GPU: booleanFromString.default(false),
  /** @default 0 */
  FAKE_CHUNK_DELAY_MS: integerSetting((whole) => whole.min(0)).default(0),
  /** The fake model pads plain replies to at least this many characters (benchmarks). @default 0 */
  FAKE_REPLY_MIN_CHARS: integerSetting((whole) => whole.min(0)).default(0),
  /** @default "none" */
  AUTH_MODE: z.enum(AUTH_MODES).default("none"),
  /** Bind to a non-loopback host even though AUTH_MODE=none. @default false */
  ALLOW_INSECURE_BIND: booleanFromString.default(false),
  /**
   * Browser origins (`http://localhost:5173`, comma-separated) allowed to call a server running with AUTH_MODE=none
   * from a page of another origin (a front-end under development). Other cross-origin browser requests to such a
   * server are refused: any web page the user visits could otherwise drive it. @default []
   */
  TRUSTED_ORIGINS: z
    .string()
    .default("")
    .transform((list) => list.split(",").map((entry) => entry.trim().toLowerCase().replace(/\/+$/, "")).filter(Boolean))
    .refine((entries) => entries.every(isOrigin), { message: "each entry must be an origin: scheme://host[:port] (e.g. http://localhost:5173)" }),
  JWT_SECRET: z.string().min(16).optional(),
  JWT_PUBLIC_KEY: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_REQUIRE_EXP: booleanFromString.default(true),
  /** @default "info" */
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** Path of the LangGraph CLI style graph declarations. @default "./langgraph.json" */
  LANGGRAPH_CONFIG: z.string().min(1).default("./langgraph.json"),
  /** Largest accepted HTTP JSON body. @default 1048576 */
  MAX_BODY_BYTES: integerSetting((whole) => whole.min(1024)).default(1_048_576),
  /** Largest accepted WebSocket frame. @default 1048576 */
  WS_MAX_FRAME_BYTES: integerSetting((whole) => whole.min(1024)).default(1_048_576),
  /** Ping interval; a socket that misses one pong is closed. @default 30000 */
  WS_HEARTBEAT_MS: integerSetting((whole) => whole.min(50)).default(30_000),
  /**
   * How often each open socket's credentials are checked again: a revoked API key or an expired JWT closes the
   * socket within this time (1008). @default 60000
   */
  WS_REAUTH_MS: integerSetting((whole) => whole.min(50)).default(60_000),
  /** A client whose unsent backlog exceeds this is dropped rather than buffered. @default 8388608 */
  WS_MAX_BUFFERED_BYTES: integerSetting((whole) => whole.min(1024)).default(8_388_608),
  /** Requests (HTTP requests and WS commands) allowed per user per minute. @default 600 */
  RATE_LIMIT_PER_MINUTE: integerSetting((whole) => whole.min(1)).default(600),
  /**
   * Where that budget is counted: `cluster` (in the database, shared by every instance on it; one round trip per
   * request) or `instance` (in each process's memory: N instances allow N times the limit). Unset: `cluster` on a
   * Postgres server, `instance` on the embedded database (one process only).
   */
  RATE_LIMIT_SCOPE: z.enum(["instance", "cluster"]).optional(),
  /** How long shutdown waits for in-flight runs before handing them to the next instance. @default 10000 */
  SHUTDOWN_GRACE_MS: integerSetting((whole) => whole.min(0)).default(10_000),
  /** HMAC-SHA256 key signing outgoing webhooks (`X-Threadline-Signature`); unset sends them unsigned. */
  WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Delivery attempts per webhook, the first included, before giving up. @default 5 */
  WEBHOOK_MAX_ATTEMPTS: integerSetting((whole) => whole.min(1).max(20)).default(5),
  /** Delay before the first webhook retry; each further retry doubles it, with jitter. @default 10 */
  WEBHOOK_RETRY_DELAY_SECONDS: integerSetting((whole) => whole.min(1).max(3600)).default(10),
  /** Time allowed for one webhook POST. @default 10000 */
  WEBHOOK_TIMEOUT_MS: integerSetting((whole) => whole.min(100).max(120_000)).default(10_000),
  /**
   * Let user-supplied URLs (run and cron webhooks, assistants' `base_url`) reach loopback, private, link-local
   * (169.254.x, cloud metadata) and other non-public addresses. Unset: true with AUTH_MODE=none (the only caller is
   * this machine's user, who can reach them anyway), false with apikey or jwt (users must not reach the server's network).
   */
  OUTBOUND_ALLOW_PRIVATE: booleanFromString.optional(),
  /** Comma-separated host names, IP addresses and CIDR ranges user-supplied URLs may reach although not public. @default [] */
  OUTBOUND_ALLOW_HOSTS: z
    .string()
    .default("")
    .transform((list) => list.split(",").map((entry) => entry.trim().toLowerCase()).filter(Boolean))
    .refine((entries) => entries.every(isAllowHostEntry), { message: "each entry must be a host name, an IP address or a CIDR range (e.g. ollama.internal,10.0.0.5,192.168.1.0/24)" }),
  /** Default thread TTL in idle minutes for threads created without `ttl`; unset means they never expire. */
  THREAD_TTL_MINUTES: decimalSetting((number) => number.positive()).optional(),
  /**
   * Idle minutes a stateless run's thread is kept when the run stopped for a human (its answer goes there): then it
   * is deleted, answered or not, as `on_completion: "delete"` asked. @default 1440
   */
  STATELESS_KEEP_MINUTES: decimalSetting((number) => number.positive()).default(1440),
  /** What the default TTL does: delete the thread, or keep only its latest checkpoint. @default "delete" */
  THREAD_TTL_STRATEGY: z.enum(["delete", "keep_latest"]).default("delete"),
  /** Minutes between TTL sweeps (1–60, aligned on the hour). @default 5 */
  TTL_SWEEP_INTERVAL_MINUTES: integerSetting((whole) => whole.min(1).max(60)).default(5),
  /** How often idle job workers poll the Postgres job queue (pg-boss); 0.5 at least. @default 2 */
  JOBS_POLL_INTERVAL_SECONDS: decimalSetting((number) => number.min(0.5).max(60)).default(2),
  /** A running run's lease; an instance that stops renewing it for this long is presumed dead. @default 30000 */
  RUN_LEASE_MS: integerSetting((whole) => whole.min(200)).default(30_000),
  /**
   * Shortest time between two stores of a run's token deltas (each delta stays its own event; the first is never
   * held back). Longer: fewer inserts and notifications beside the model, coarser streaming. @default 50
   */
  DELTA_FLUSH_MS: integerSetting((whole) => whole.min(0).max(1000)).default(50),
  /**
   * Longest tool result kept, in characters; longer output is cut, saying so, before the model, the state, the
   * transcript and every window see it (a 7 MB result stalled the server for seconds). @default 100000
   */
  TOOL_OUTPUT_MAX_CHARS: integerSetting((whole) => whole.min(1000).max(10_000_000)).default(100_000),
  /**
   * Custom events (what a graph writes with `config.writer`) one run stores at most; later chunks of the run are
   * dropped, told once by a `custom.capped` event and a warning in the log. Each is a row of the thread's event log,
   * replayed to every window and joining stream: a graph writing in a loop must not fill it. @default 10000
   */
  RUN_CUSTOM_EVENTS_MAX: integerSetting((whole) => whole.min(0).max(10_000_000)).default(10_000),
  /** How often each instance looks for delayed runs that are due and runs with expired leases. @default 1000 */
  RUN_POLL_MS: integerSetting((whole) => whole.min(50)).default(1000),
  /**
   * When a run's checkpoints are written unless the run asks (`durability`): `async` (every step's, while the next
   * runs), `sync` (each before the next step) or `exit` (one per run: fewer writes and rows; a run whose instance
   * dies is redone from its start). @default "async"
   */
  RUN_DURABILITY: z.enum(["sync", "async", "exit"]).default("async"),
  /**
   * Threads whose newest checkpoint each instance keeps in memory after writing it, so the thread's next run starts
   * without reading it back (only when its claim shows that checkpoint is still the latest); 0 turns it off. @default 256
   */
  CHECKPOINT_CACHE_THREADS: integerSetting((whole) => whole.min(0).max(100_000)).default(256),
  /** What happens to a run whose instance died: `resume` from its last checkpoint, or `fail` (worker_lost). @default "resume" */
  RUN_RECOVERY: z.enum(["resume", "fail"]).default("resume"),
  /**
   * Prune intermediate super-step checkpoints older than this many days (turn-final checkpoints, where a run ended,
   * stay for replay and fork); 0 prunes them as soon as a sweep runs. Unset keeps every checkpoint.
   */
  CHECKPOINT_RETENTION_DAYS: decimalSetting((number) => number.min(0).max(MAX_RETENTION_DAYS)).optional(),
  /**
   * Token deltas (`message.delta` events) of a message that completed are deleted from the event log after this
   * many minutes (the message itself stays, whole, in `message.completed` and the transcript); 0 compacts them at
   * the next sweep. @default 60
   */
  EVENT_DELTA_RETENTION_MINUTES: decimalSetting((number) => number.min(0)).default(60),
});

type RawConfig = z.infer<typeof configSchema>;

/** The parsed, validated configuration passed down through the app. */
export interface Config extends Omit<RawConfig, "MODEL" | "OUTBOUND_ALLOW_PRIVATE"> {
  /** The resolved model string (never undefined after parsing). */
  MODEL: string;
  /** Resolved from AUTH_MODE when unset (see the schema). */
  OUTBOUND_ALLOW_PRIVATE: boolean;
  /** True when MODEL was not set and a default was chosen. */
  modelIsDefault: boolean;
  /** Environment variables LangChain would have read by itself, removed at start-up (names only; see ambient-environment.ts). */
  ignoredEnvironment?: string[];
}

/** Settings given explicitly (CLI flags or tests); they win over the environment. */
export type ConfigOverrides = Partial<Record<keyof RawConfig, string | number | boolean | undefined>>;

/** Environment variable → CLI flag, so errors can name both ways of setting a value. */
const FLAG_NAMES: Partial<Record<keyof RawConfig, string>> = {
  PORT: "--port",
  HOST: "--host",
  DATABASE_URL: "--database-url",
  DATA_DIR: "--data-dir",
  MODEL: "--model",
  AUTH_MODE: "--auth-mode",
  LOG_LEVEL: "--log-level",
  ALLOW_INSECURE_BIND: "--allow-insecure-bind",
  LANGGRAPH_CONFIG: "--config",
};

/** Raised when configuration is invalid; its message names the env var and the flag. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parse configuration once, at start-up.
 * @example const config = loadConfig({ env: process.env, overrides: { PORT: 0 } });
 */
export function loadConfig(options: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): Config {
  const env = options.env ?? {};
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const fromEnv = env[key];
    if (fromEnv !== undefined && fromEnv !== "") input[key] = fromEnv;
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "config") as keyof RawConfig;
      const flag = FLAG_NAMES[key];
      return `${key}${flag ? ` (or ${flag})` : ""}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration — ${problems.join("; ")}`);
  }
  return finishConfig(parsed.data);
}

function finishConfig(raw: RawConfig): Config {
  if (raw.AUTH_MODE === "jwt" && !raw.JWT_SECRET && !raw.JWT_PUBLIC_KEY) {
    throw new ConfigError("AUTH_MODE=jwt needs JWT_SECRET (HS256) or JWT_PUBLIC_KEY (PEM) to verify tokens");
  }
  if (raw.AUTH_MODE === "jwt" && raw.JWT_PUBLIC_KEY !== undefined) assertPublicKey(raw.JWT_PUBLIC_KEY);
  if (raw.AUTH_MODE === "none" && !raw.ALLOW_INSECURE_BIND && !isLoopbackHost(raw.HOST)) {
    throw new ConfigError(
      `AUTH_MODE=none refuses to bind to HOST=${raw.HOST}: use a loopback host, set AUTH_MODE=apikey|jwt, ` +
        "or force it with ALLOW_INSECURE_BIND=true (or --allow-insecure-bind)",
    );
  }
  const modelIsDefault = raw.MODEL === undefined;
  const MODEL = raw.MODEL ?? defaultModel(raw);
  const OUTBOUND_ALLOW_PRIVATE = raw.OUTBOUND_ALLOW_PRIVATE ?? raw.AUTH_MODE === "none";
  return { ...raw, DATA_DIR: path.resolve(raw.DATA_DIR), MODEL_CACHE_DIR: path.resolve(raw.MODEL_CACHE_DIR), MODEL, modelIsDefault, OUTBOUND_ALLOW_PRIVATE };
}

/**
 * JWT_PUBLIC_KEY read as the authenticator reads it (`\n` escapes allowed), at start-up: a malformed key failed only
 * after the migrations, with OpenSSL's "error:1E08010C:DECODER routines::unsupported" naming no setting.
 */
function assertPublicKey(pem: string): void {
  try {
    createPublicKey(pem.replace(/\\n/g, "\n"));
  } catch {
    throw new ConfigError("JWT_PUBLIC_KEY: not a PEM public key (expected -----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----; \\n escapes are accepted)");
  }
}

/** The model used when MODEL is unset: a provider whose key is present, else the embedded model (no key needed). */
function defaultModel(raw: RawConfig): string {
  if (raw.OPENAI_API_KEY) return "openai:gpt-4o-mini";
  if (raw.ANTHROPIC_API_KEY) return "anthropic:claude-haiku-4-5";
  if (raw.OPENAI_BASE_URL) {
    throw new ConfigError("OPENAI_BASE_URL is set but MODEL is not: set MODEL (or --model) to openai:<a model your server serves>");
  }
  return "local";
}

function isOrigin(entry: string): boolean {
  try {
    return new URL(entry).origin === entry;
  } catch {
    return false;
  }
}

/** Whether a host name or address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  // Bracketed too: a Host header's or URL's hostname is written so (HOST itself is read without brackets).
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A connection string pg itself accepts, of a postgres scheme. Judged by pg's own parser, not WHATWG URL: a Unix
 * socket (`postgres://user@/db?host=/var/run/postgresql`) has no host, which `URL` refuses.
 */
function isPostgresConnectionString(value: string): boolean {
  if (!/^(postgres|postgresql|socket):/i.test(value)) return false;
  try {
    parseConnectionString(value);
    return true;
  } catch {
    return false;
  }
}
