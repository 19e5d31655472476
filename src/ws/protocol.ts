import { z } from "zod";
import type { ErrorCode } from "../errors/app-error.js";
import type { ThreadEvent } from "../events/thread-event.js";
import type { ThreadDeletedNotice } from "../events/thread-deleted-notice.js";
import type { ThreadChange } from "../events/thread-change-feed.js";
import type { Session, SessionStatus } from "../sessions/session.js";
import { durabilitySchema } from "../runs/run-config.js";
import { sessionTitleSchema } from "../sessions/session-title-schema.js";

/** Every client frame: a command with an id the reply echoes. */
export const commandFrameSchema = z.object({
  id: z.union([z.string().min(1).max(200), z.number().int()]),
  method: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()).optional(),
});

/** A parsed client command. */
export type CommandFrame = z.infer<typeof commandFrameSchema>;

const threadId = z.uuid();
const metadata = z.record(z.string(), z.unknown());
const windowId = z.string().min(1).max(200);

/** Parameters of each method. Unknown keys are rejected so typos surface as errors. */
export const METHOD_PARAMS = {
  "thread.open": z.strictObject({
    window_id: windowId.optional(),
    thread_id: threadId.optional(),
    assistant_id: z.string().min(1).max(200).optional(),
    title: sessionTitleSchema.optional(),
    metadata: metadata.optional(),
  }),
  "thread.list": z.strictObject({
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().max(500).optional(),
    /** Case-insensitive substring of the title. */
    query: z.string().min(1).max(200).optional(),
  }),
  "thread.get": z.strictObject({ thread_id: threadId }),
  "thread.update": z.strictObject({ thread_id: threadId, title: sessionTitleSchema.optional(), metadata: metadata.optional() }),
  "thread.delete": z.strictObject({ thread_id: threadId }),
  "messages.list": z.strictObject({
    thread_id: threadId,
    limit: z.number().int().min(1).max(200).default(50),
    // A page's `next_before` is null on the last page; passing it back means "from the end".
    before: z.number().int().min(1).nullish().transform((value) => value ?? undefined),
  }),
  "run.start": z.strictObject({
    thread_id: threadId,
    // Messages, and/or a graph's own state keys (`values`: `{topic: "cats"}` for a graph without messages), as an
    // HTTP run's input carries them; the run checks them against the graph.
    input: z
      .strictObject({
        messages: z.array(z.strictObject({ role: z.literal("user"), content: z.string().min(1).max(100_000) })).min(1).max(20).optional(),
        values: z.record(z.string().min(1).max(200), z.json()).optional(),
      })
      .refine((input) => input.messages !== undefined || Object.keys(input.values ?? {}).length > 0, "input needs messages or values (the graph's own state keys)")
      .refine((input) => !Object.hasOwn(input.values ?? {}, "messages"), "messages go in input.messages, not in input.values")
      .transform(({ messages, values }) => ({ messages: messages ?? [], ...(values ? { values } : {}) }))
      .optional(),
    client_message_id: z.string().min(1).max(200).optional(),
    assistant_id: z.string().min(1).max(200).optional(),
    multitask_strategy: z.enum(["reject", "enqueue", "interrupt", "rollback"]).optional(),
    checkpoint_id: z.string().min(1).max(200).optional(),
    durability: durabilitySchema.optional(),
    stream_subgraphs: z.boolean().optional(),
  }),
  "run.cancel": z.strictObject({ thread_id: threadId, run_id: z.uuid(), action: z.enum(["cancel", "interrupt", "rollback"]).default("cancel") }),
  "run.get": z.strictObject({ thread_id: threadId, run_id: z.uuid() }),
  "run.list": z.strictObject({ thread_id: threadId, limit: z.number().int().min(1).max(100).default(20), offset: z.number().int().min(0).default(0) }),
  "input.respond": z.strictObject({
    thread_id: threadId,
    interrupt_id: z.string().min(1).max(200),
    // A tool approval's {decision, args?, reason?} or the answer to a graph's own question (any JSON): checked
    // against the interrupt it answers (`resumeValueFor`).
    value: z.json(),
    // Answers to other interrupts pending at the same time (questions of parallel nodes), resumed in the same run:
    // as HTTP's `{resume: {<id>: value, …}}` does. Without them each answer is a run, and the rest still wait.
    others: z.array(z.strictObject({ interrupt_id: z.string().min(1).max(200), value: z.json() })).max(100).optional(),
  }),
  "state.get": z.strictObject({ thread_id: threadId, checkpoint_id: z.string().min(1).max(200).optional() }),
  "state.listCheckpoints": z.strictObject({
    thread_id: threadId,
    limit: z.number().int().min(1).max(100).default(20),
    before: z.string().min(1).max(200).nullish().transform((value) => value ?? undefined),
  }),
  "state.fork": z.strictObject({
    thread_id: threadId,
    checkpoint_id: z.string().min(1).max(200),
    values: z.record(z.string(), z.unknown()).optional(),
    title: sessionTitleSchema.optional(),
  }),
  "subscription.subscribe": z.strictObject({ thread_id: threadId, since: z.number().int().min(0).optional() }),
  "subscription.unsubscribe": z.strictObject({ thread_id: threadId }),
} as const;

/** Method names the server understands. */
export type MethodName = keyof typeof METHOD_PARAMS;

/** Validated params of a method. */
export type MethodParams<Name extends MethodName> = z.output<(typeof METHOD_PARAMS)[Name]>;

/** Whether a string names a known method. */
export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_PARAMS, name);
}

/** Server → client: the answer to a command. */
export interface ResultFrame {
  type: "result";
  id: string | number;
  result: unknown;
}

/** Server → client: a failed command (id is null when the frame could not be parsed). */
export interface ErrorFrame {
  type: "error";
  id: string | number | null;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Server → client: a thread event, or the notice that the thread was deleted (never stored). */
export interface EventFrame {
  type: "event";
  thread_id: string;
  run_id: string | null;
  seq: number;
  event: ThreadEvent["event"] | ThreadDeletedNotice["event"];
  data: ThreadEvent["data"] | ThreadDeletedNotice["data"];
  created_at: string;
}

/**
 * Server → client: one of the user's threads was created, updated (title, metadata) or deleted — sent to every
 * socket of that user, whatever it subscribed to, so each window's session list follows. Not stored, no seq.
 */
export interface SessionNoticeFrame {
  type: "notice";
  notice: "thread.created" | "thread.updated" | "thread.deleted";
  thread_id: string;
  /** The session as `thread.get` answers it now; null when deleted. */
  thread: Session | null;
  created_at: string;
}

/**
 * Server → client: a reply started or ended on one of the user's threads (its status and activity time changed),
 * to every socket of that user like the other notices; the rest of the session is unchanged.
 */
export interface StatusNoticeFrame {
  type: "notice";
  notice: "thread.status";
  thread_id: string;
  status: SessionStatus;
  last_activity_at: string;
  /** As the session's field: with `interrupted`, whether a question or breakpoint waits for a human. */
  awaiting_human: boolean;
  created_at: string;
}

/** Any notice frame. */
export type NoticeFrame = SessionNoticeFrame | StatusNoticeFrame;

/** Any server frame. */
export type ServerFrame = ResultFrame | ErrorFrame | EventFrame | NoticeFrame;

/** The notice frame for a change to one of the socket's user's threads. */
export function toNoticeFrame(change: ThreadChange): NoticeFrame {
  const created_at = new Date().toISOString();
  if (change.kind === "status") {
    return { type: "notice", notice: "thread.status", thread_id: change.threadId, status: change.status, last_activity_at: change.lastActivityAt, awaiting_human: change.awaitingHuman, created_at };
  }
  return { type: "notice", notice: `thread.${change.kind}`, thread_id: change.threadId, thread: change.session, created_at };
}

/** The event frame for a stored event or a deletion notice. */
export function toEventFrame(event: ThreadEvent | ThreadDeletedNotice): EventFrame {
  return { type: "event", thread_id: event.thread_id, run_id: event.run_id, seq: event.seq, event: event.event, data: event.data, created_at: event.created_at };
}
