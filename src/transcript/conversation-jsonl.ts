import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { z } from "zod";
import { AppError } from "../errors/app-error.js";
import { assertStorableText } from "../errors/storable-text.js";

/** One message of a recorded conversation, as imported and exported (one JSONL line). */
export interface ConversationLine {
  role: "user" | "assistant" | "system" | "tool";
  /** The speaker's name (user/assistant), or the tool's name (tool). */
  name?: string;
  content: string;
  /** ISO 8601, UTC, millisecond precision. */
  timestamp: string;
  /** The session (conversation sitting) the message belongs to. */
  session?: string;
  tool_calls?: { id: string; name: string; args: Record<string, unknown> }[];
  tool_call_id?: string;
  /** Tool lines: the arguments the call ran with when a human edited them before approving it. */
  args?: Record<string, unknown>;
  /** Tool lines: when the call's tool started (ISO 8601, UTC, milliseconds), never after `timestamp` (its result). */
  started_at?: string;
  /** Only `error` is written: tool results succeed unless they say otherwise. */
  status?: "error";
}

/** How speaker-only lines are read. */
export interface ParseOptions {
  /** The speaker who is the assistant; without it, the second distinct speaker to appear. */
  assistantSpeaker?: string;
  /** The timestamp of lines that have none and follow nothing that has one. */
  now: Date;
}

/** Longest recorded conversation accepted, in lines. */
export const MAX_CONVERSATION_LINES = 1_000_000;

// A Map, not an object literal: "constructor" or "__proto__" must not find a role on the prototype.
const ROLE_ALIASES = new Map<string, ConversationLine["role"]>([
  ["user", "user"],
  ["human", "user"],
  ["assistant", "assistant"],
  ["ai", "assistant"],
  ["bot", "assistant"],
  ["model", "assistant"],
  ["system", "system"],
  ["tool", "tool"],
  ["function", "tool"],
]);

/** Timestamps are kept to four-digit years: Postgres reads ISO 8601 with those (and a chat history has no others). */
const TIMESTAMP_RANGE = { min: Date.parse("0001-01-01T00:00:00.000Z"), max: Date.parse("9999-12-31T23:59:59.999Z") };

/**
 * Epoch numbers are read only as dates within the years 1970–2100: their unit is guessed from their size, so a
 * number outside them is a unit the guess missed (microseconds, a digit too many), not a date to store.
 */
const EPOCH_RANGE = { min: Date.parse("1970-01-01T00:00:00.000Z"), max: Date.parse("2100-12-31T23:59:59.999Z") };

// null is an absent timestamp (exporters write it for a line without one).
const timestamp = z
  .union([z.string().min(1), z.number(), z.null()])
  .transform((value) => value ?? undefined);
const session = z.union([z.string().min(1).max(200), z.number()]).transform(String);

const sessionLine = z.object({ type: z.literal("session"), session: session.optional(), id: session.optional(), timestamp: timestamp.optional() });

const messageLine = z.object({
  type: z.literal("message").optional(),
  role: z.string().optional(),
  speaker: z.string().min(1).max(200).optional(),
  name: z.string().min(1).max(200).optional(),
  content: z.string().max(1_000_000),
  timestamp: timestamp.optional(),
  session: session.optional(),
  // The arguments object as parsed, not a copy: zod's record rebuilds it by assignment, which drops an own
  // `__proto__` key (a tool argument may be named anything).
  tool_calls: z.array(z.object({ id: z.string().min(1), name: z.string().min(1), args: z.custom<Record<string, unknown>>(isPlainRecord, "args must be an object").default({}) })).optional(),
  tool_call_id: z.string().min(1).optional(),
  args: z.custom<Record<string, unknown>>(isPlainRecord, "args must be an object").optional(),
  started_at: timestamp.optional(),
  status: z.enum(["success", "error"]).optional(),
});

/**
 * Read a recorded conversation: one JSON object per line (blank lines skipped). Message lines carry `role`
 * (user/human, assistant/ai/bot/model, system, tool) or a `speaker` name, `content`, an optional `timestamp`
 * (ISO 8601, UTC when it has no offset, or epoch seconds/milliseconds) and `session`; `{"type":"session", "session": …}` lines start a
 * session. Tool lines must answer a call of the assistant line they follow (a call left unanswered, as a
 * cancelled one in a chatted thread, is allowed). Errors name the line.
 */
export function parseConversationJsonl(text: string, options: ParseOptions): ConversationLine[] {
  const reading = readConversationLines(text, options);
  for (let step = reading.next(); ; step = reading.next()) if (step.done) return step.value;
}

/**
 * `parseConversationJsonl` for the server: a 35 MB conversation takes about a second to parse, so it lets the event
 * loop (other users' requests and sockets) through every `YIELD_EVERY_LINES` lines.
 */
export async function parseConversationJsonlYielding(text: string, options: ParseOptions): Promise<ConversationLine[]> {
  const reading = readConversationLines(text, options);
  for (let step = reading.next(); ; step = reading.next()) {
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}

/** Lines parsed between two pauses of `parseConversationJsonlYielding` (about 50 ms of work). */
const YIELD_EVERY_LINES = 10_000;

/** The parse itself, pausing (a bare `yield`) every `YIELD_EVERY_LINES` lines; returns the lines. */
function* readConversationLines(text: string, options: ParseOptions): Generator<undefined, ConversationLine[]> {
  const reader = new LineReader(options);
  // A UTF-8 byte order mark (editors on Windows write one) is not part of the first line. Lines end in LF, CRLF or
  // a lone CR (classic Mac OS): a JSON line holds no raw CR of its own (strings escape it), so each is safe to split on.
  const rawLines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  if (rawLines.length > MAX_CONVERSATION_LINES) throw new AppError("invalid_request", `A conversation may have at most ${MAX_CONVERSATION_LINES} lines`);
  for (const [index, raw] of rawLines.entries()) {
    if (index % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) yield;
    if (raw.trim().length === 0) continue;
    try {
      const value = JSON.parse(raw) as unknown;
      assertStorableText(value, "It");
      reader.read(value);
    } catch (error) {
      throw new AppError("invalid_request", `Line ${index + 1}: ${describe(error)}`, { details: { line: index + 1 } });
    }
  }
  return reader.finish();
}

/** One line of the export format: keys in a fixed order, optional ones only when set. */
export function formatConversationLine(line: ConversationLine): string {
  const ordered: Record<string, unknown> = { role: line.role };
  if (line.name !== undefined) ordered.name = line.name;
  ordered.content = line.content;
  ordered.timestamp = line.timestamp;
  if (line.session !== undefined) ordered.session = line.session;
  if (line.tool_calls !== undefined) ordered.tool_calls = line.tool_calls;
  if (line.tool_call_id !== undefined) ordered.tool_call_id = line.tool_call_id;
  if (line.args !== undefined) ordered.args = line.args;
  if (line.started_at !== undefined) ordered.started_at = line.started_at;
  if (line.status !== undefined) ordered.status = line.status;
  return JSON.stringify(ordered);
}

/**
 * ISO 8601 / RFC 3339 dates and date-times: `2024-03-01`, `2024-03-01T09:00`, `2024-03-01 09:00:00.5+08:00`, `…Z`.
 * A date-time without an offset is UTC (JavaScript would read it in the server's time zone).
 */
const ISO_TIMESTAMP = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Normalise a timestamp: an ISO 8601 string (checked: 2024-02-30 is refused, not read as March 1st), or a number
 * of epoch milliseconds (or seconds, when small) within 1970–2100, as a JSON number or a string of digits
 * ("1709254800"). Anything else ("01/02/03", "March 1, 2024") is refused: its meaning depends on a locale.
 */
export function normaliseTimestamp(value: string | number): string {
  const text = typeof value === "string" ? value.trim() : undefined;
  const epoch = text === undefined ? value : EPOCH_DIGITS.test(text) ? Number(text) : undefined;
  const millis = typeof epoch === "number" ? epochMillis(epoch, value) : isoMillis(text ?? "");
  if (!Number.isFinite(millis)) throw new Error(`invalid timestamp ${JSON.stringify(value)}`);
  if (millis < TIMESTAMP_RANGE.min || millis > TIMESTAMP_RANGE.max) throw new Error(`timestamp ${JSON.stringify(value)} is outside the years 0001–9999`);
  return new Date(millis).toISOString();
}

/** Epoch seconds or milliseconds written as a string: digits only (a year alone, "2024", is ISO 8601's). */
const EPOCH_DIGITS = /^-?\d{5,}(\.\d+)?$/;

/**
 * Epoch seconds below 10^11, milliseconds from there; refused when that reading is not within 1970–2100
 * (`"170925480000000"`, microseconds, would be year 7386; `"17092548000"`, seconds with a digit too many, 2511).
 */
function epochMillis(epoch: number, value: string | number): number {
  const unit = Math.abs(epoch) < 100_000_000_000 ? "seconds" : "milliseconds";
  const millis = unit === "seconds" ? epoch * 1000 : epoch;
  if (millis >= EPOCH_RANGE.min && millis <= EPOCH_RANGE.max) return millis;
  const year = new Date(millis).getUTCFullYear();
  const reading = Number.isNaN(year) ? "no date" : `year ${year}`;
  throw new Error(`timestamp ${JSON.stringify(value)} read as epoch ${unit} is ${reading}, outside the years 1970–2100 (write a date outside them in ISO 8601)`);
}

function isoMillis(text: string): number {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) throw new Error(`invalid timestamp ${JSON.stringify(text)}: use ISO 8601 (2024-03-01T09:00:00Z) or epoch seconds or milliseconds`);
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", offset = "Z"] = match;
  const zone = offset.toUpperCase() === "Z" ? "Z" : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
  const millis = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, "0").slice(0, 3)}${zone}`);
  // Date.parse rolls impossible dates over (February 30th → March 1st) or refuses them: both are errors here.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  date.setUTCFullYear(Number(year));
  const calendar = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  if (!calendar || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || !Number.isFinite(millis)) {
    throw new Error(`invalid timestamp ${JSON.stringify(text)}: no such date or time`);
  }
  return millis;
}

class LineReader {
  private readonly lines: ConversationLine[] = [];
  private readonly speakers: string[] = [];
  private session: string | undefined;
  private lastTimestamp: string;
  /** Calls of the assistant line just read still waiting for their tool lines. */
  private pendingCalls = new Set<string>();

  constructor(private readonly options: ParseOptions) {
    this.lastTimestamp = options.now.toISOString();
  }

  read(value: unknown): void {
    if ((value as { type?: unknown } | null)?.type === "session") return this.startSession(sessionLine.parse(value));
    const parsed = messageLine.parse(value);
    const role = this.roleOf(parsed);
    this.checkToolCalls(role, parsed);
    this.checkToolOrder(role, parsed);
    if (parsed.timestamp !== undefined) this.lastTimestamp = normaliseTimestamp(parsed.timestamp);
    const line: ConversationLine = { role, content: parsed.content, timestamp: this.lastTimestamp };
    const name = parsed.name ?? parsed.speaker;
    if (name !== undefined) line.name = name;
    const lineSession = parsed.session ?? this.session;
    if (lineSession !== undefined) line.session = lineSession;
    if (role === "assistant" && parsed.tool_calls && parsed.tool_calls.length > 0) line.tool_calls = parsed.tool_calls;
    if (role === "tool") line.tool_call_id = parsed.tool_call_id;
    if (role === "tool" && parsed.args !== undefined) line.args = parsed.args;
    if (role === "tool" && parsed.started_at !== undefined) line.started_at = startedAt(parsed.started_at, line.timestamp);
    if (role === "tool" && parsed.status === "error") line.status = "error";
    this.lines.push(line);
  }

  finish(): ConversationLine[] {
    // A misspelled assistant_speaker would read every line as the user's: one speaker, no replies at all.
    const named = this.options.assistantSpeaker;
    if (named !== undefined && this.speakers.length > 0 && !this.speakers.includes(named)) {
      throw new AppError("invalid_request", `assistant_speaker ${JSON.stringify(named)} never speaks in this conversation (its speakers: ${this.speakers.slice(0, 10).map((speaker) => JSON.stringify(speaker)).join(", ")})`, {
        details: { assistant_speaker: named, speakers: this.speakers.slice(0, 10) },
      });
    }
    return this.lines;
  }

  private startSession(boundary: z.infer<typeof sessionLine>): void {
    this.session = boundary.session ?? boundary.id ?? `session-${this.lines.length}`;
    if (boundary.timestamp !== undefined) this.lastTimestamp = normaliseTimestamp(boundary.timestamp);
  }

  private roleOf(parsed: z.infer<typeof messageLine>): ConversationLine["role"] {
    if (parsed.role !== undefined) {
      const role = ROLE_ALIASES.get(parsed.role.toLowerCase());
      if (!role) throw new Error(`unknown role ${JSON.stringify(parsed.role)} (user, assistant, system or tool)`);
      return role;
    }
    if (parsed.speaker === undefined) throw new Error("a message needs a role or a speaker");
    if (!this.speakers.includes(parsed.speaker)) this.speakers.push(parsed.speaker);
    const assistant = this.options.assistantSpeaker ?? this.speakers[1];
    return parsed.speaker === assistant ? "assistant" : "user";
  }

  /** Tool calls are kept on the assistant's lines only: refused elsewhere (they would vanish), and ids must differ. */
  private checkToolCalls(role: ConversationLine["role"], parsed: z.infer<typeof messageLine>): void {
    const calls = parsed.tool_calls ?? [];
    if (calls.length > 0 && role !== "assistant") {
      // A speaker's line is a user's when another speaker is the assistant: say who, so assistant_speaker can be fixed.
      const assistant = this.options.assistantSpeaker ?? this.speakers[1];
      const whose = parsed.role === undefined && parsed.speaker !== undefined ? `a line of ${JSON.stringify(parsed.speaker)}, a user here${assistant === undefined ? "" : ` (the assistant is ${JSON.stringify(assistant)})`}` : `a ${role} line`;
      throw new Error(`tool_calls on ${whose}: only the assistant's lines make tool calls`);
    }
    const seen = new Set<string>();
    for (const call of calls) {
      if (seen.has(call.id)) throw new Error(`tool call id ${JSON.stringify(call.id)} is used twice on this line: each call needs its own id for its tool line to answer it`);
      seen.add(call.id);
    }
  }

  private checkToolOrder(role: ConversationLine["role"], parsed: z.infer<typeof messageLine>): void {
    if (role === "tool") {
      if (!parsed.tool_call_id || !this.pendingCalls.delete(parsed.tool_call_id)) throw new Error(`a tool line must answer a call of the assistant line before it (tool_call_id ${JSON.stringify(parsed.tool_call_id ?? null)})`);
      return;
    }
    this.pendingCalls = new Set(role === "assistant" ? (parsed.tool_calls ?? []).map((call) => call.id) : []);
  }
}

/** A tool line's start: a timestamp like the others, and not after its result (a negative duration is no duration). */
function startedAt(value: string | number, resultAt: string): string {
  const started = normaliseTimestamp(value);
  if (Date.parse(started) > Date.parse(resultAt)) throw new Error(`started_at ${JSON.stringify(value)} is after the line's timestamp ${resultAt}: a tool starts before its result`);
  return started;
}

function describe(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => `${issue.path.join(".") || "line"}: ${issue.message}`).join("; ");
  return error instanceof Error ? error.message : String(error);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
