import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Paths whose values never reach the logs, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  "*.authorization",
  "*.Authorization",
  "*.token",
  "*.apiKey",
  "*.api_key",
  "*.password",
  "*.secret",
  "req.headers.authorization",
  "req.headers.cookie",
  "config.OPENAI_API_KEY",
  "config.JWT_SECRET",
  "config.WEBHOOK_SECRET",
  "config.ANTHROPIC_API_KEY",
  "config.DATABASE_URL",
];

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(options: { level: string }): Logger {
  return pino({ level: options.level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } });
}
