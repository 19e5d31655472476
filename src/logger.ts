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
  "config.HF_TOKEN",
];

/**
 * The process logger: JSON lines, secrets redacted. On stdout by default (the server); one-shot commands log to
 * stderr, so what they print on stdout (an export, an id, a report) stays clean for pipes.
 */
export function createLogger(options: { level: string; stream?: "stdout" | "stderr" }): Logger {
  const settings = { level: options.level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  return options.stream === "stderr" ? pino(settings, pino.destination({ dest: 2, sync: true })) : pino(settings);
}
