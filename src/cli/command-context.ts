import { scrubAmbientEnvironment } from "../ambient-environment.js";
import { langgraphEnv } from "./langgraph-env.js";
import path from "node:path";
import { Option, type Command } from "commander";
import { type Config, type ConfigOverrides, loadConfig } from "../config.js";
import type { Services } from "../services.js";

/** Flags shared by every command that touches the database. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .addOption(new Option("--database-url <url>", "Postgres connection string (env DATABASE_URL)"))
    .addOption(new Option("--data-dir <dir>", "where the embedded database and models live (env DATA_DIR)"))
    .addOption(new Option("--log-level <level>", "fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)"));
}

/** Flags the commands share; each maps to a setting (see docs/configuration.md). */
export interface CommonFlags {
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
  port?: string;
  host?: string;
  model?: string;
  authMode?: string;
  allowInsecureBind?: boolean;
  config?: string;
}

/** Parse config from the environment with flags winning. */
export function configFrom(flags: CommonFlags): Config {
  const overrides: ConfigOverrides = {
    DATABASE_URL: flags.databaseUrl,
    DATA_DIR: flags.dataDir,
    LOG_LEVEL: flags.logLevel,
    PORT: flags.port,
    HOST: flags.host,
    MODEL: flags.model,
    AUTH_MODE: flags.authMode,
    ALLOW_INSECURE_BIND: flags.allowInsecureBind,
    LANGGRAPH_CONFIG: flags.config,
  };
  // langgraph.json's `env` (a .env file or values) under the process environment, which wins.
  const declared = langgraphEnv(flags.config ?? process.env.LANGGRAPH_CONFIG ?? "./langgraph.json");
  const config = loadConfig({ env: { ...declared, ...definedEnv(process.env) }, overrides });
  return { ...config, ignoredEnvironment: scrubAmbientEnvironment(process.env) };
}

/** Run a command against the database (migrate, keys) and close it afterwards. */
export async function withServices<T>(flags: CommonFlags, work: (services: Services) => Promise<T>): Promise<T> {
  // One-shot commands log warnings and errors only, unless --log-level or LOG_LEVEL says otherwise.
  const config = configFrom({ ...flags, logLevel: flags.logLevel ?? (process.env.LOG_LEVEL ? undefined : "warn") });
  // A command run without DATABASE_URL acts on the embedded database, not on a server's Postgres: say which.
  if (!config.DATABASE_URL && config.LOG_LEVEL !== "silent") {
    process.stderr.write(`threadline: using the embedded database in ${path.resolve(config.DATA_DIR, "pglite")} (set DATABASE_URL or --database-url for a Postgres server)\n`);
  }
  // Loaded on demand: clients such as `threadline chat` must not pay for the whole server at start-up.
  const [{ buildServices }, { createLogger }] = await Promise.all([import("../app.js"), import("../logger.js")]);
  const { services, database } = await buildServices({ config, logger: createLogger({ level: config.LOG_LEVEL, stream: "stderr" }) });
  try {
    return await work(services);
  } finally {
    await database.close();
  }
}

/** The process environment without unset names (an empty value counts as unset, as in loadConfig). */
function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""));
}
