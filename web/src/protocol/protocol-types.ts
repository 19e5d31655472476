// The wire shapes the page relies on. The server's zod schemas (src/ws/protocol.ts) are the source of truth;
// these mirror them by hand so the browser bundle never pulls in server code.

/** Thread status as the server reports it. */
export type SessionStatus = "idle" | "busy" | "error" | "interrupted";

/** One session (a LangGraph thread owned by the signed-in user). */
export interface Session {
  thread_id: string;
  /** The signed-in user the session belongs to (absent from servers older than it). */
  user_id?: string;
  window_id: string | null;
  assistant_id: string;
  title: string | null;
  status: SessionStatus;
  /**
   * With `interrupted`: whether a question (an approval) or a breakpoint waits for a human; false after a run
   * stopped by `run.cancel {action: "interrupt"}`, which asks nothing (absent from servers older than it).
   */
  awaiting_human?: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_activity_at: string;
  /** The thread's latest event seq (absent from servers older than it). */
  last_seq?: number;
  /** The seq of its newest transcript message, 0 when nothing was said in it (absent from servers older than it). */
  last_message_seq?: number;
}

/** `thread.open` answers the session plus whether it was just created. */
export type OpenedSession = Session & { created: boolean };

/** A page of `thread.list`, newest activity first. */
export interface SessionPage {
  sessions: Session[];
  next_cursor: string | null;
}

/** A tool call requested by an assistant message. */
export interface ToolCallRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** One row of the transcript, as `messages.list` and `message.completed` carry it. */
export interface TranscriptMessage {
  id: string;
  seq: number;
  role: "user" | "assistant" | "tool" | "system";
  content: string;
  tool_calls?: ToolCallRequest[];
  tool_call_id?: string;
  name?: string;
  /** A tool result's `success` / `error` / `rejected`; an assistant reply's `truncated` or `refused`. */
  status?: string;
  /** On a tool result: the arguments the tool ran with when a human edited the model's before approving. */
  args?: Record<string, unknown>;
  /** On a tool result: when its tool started (its `tool.started`); absent when no start was seen. */
  started_at?: string;
  run_id: string | null;
  created_at: string;
  /** Set when a state edit replaced the message under its id (new content, same seq). */
  edited_at?: string;
}

/** A page of `messages.list` (newest last). */
export interface MessagePage {
  messages: TranscriptMessage[];
  next_before: number | null;
}

/** A `messages.search` hit: a transcript message plus its session and how it matched, best first. */
export interface SearchHit extends TranscriptMessage {
  thread_id: string;
  thread_title: string | null;
  score: number;
  /** `fuzzy` when no text matched and trigram similarity (a typo) found it. */
  match: "text" | "fuzzy";
  /** Plain text (never HTML): up to ~160 characters of the content around the first match. */
  snippet: string;
}

/** The answer to `messages.search`. */
export interface SearchAnswer {
  results: SearchHit[];
}

/** A pending question for a human (issue 4: `run.interrupted`): a tool approval, or a graph's own (`kind: "question"`). */
export interface Interrupt {
  id: string;
  tool_call_id?: string;
  name?: string;
  args?: Record<string, unknown>;
  kind?: "question";
  value?: unknown;
}

/** What a run does: a chat turn, an answer to an interrupt, a replay from a checkpoint (a new branch), or API/cron work. */
export type RunKind = "chat" | "resume" | "replay" | "background";

/** The part of a run record (`run.get`) the page reads; older servers may leave out `kind`. */
export interface RunRecord {
  run_id: string;
  kind?: RunKind;
  checkpoint_id?: string | null;
}

/** Event data by name; unknown names are tolerated so newer servers do not break older pages. */
export interface EventDataByName {
  /** `kind` and `checkpoint_id` (where a replay starts) are absent on older servers. */
  "run.started": { run_id: string; assistant_id?: string; attempt?: number; resumed?: boolean; kind?: RunKind; checkpoint_id?: string | null };
  "run.queued": { run_id: string; position?: number; input?: { messages: { id?: string; role: string; content: string }[] } | null };
  "message.delta": { message_id: string; text: string; node?: string };
  "message.completed": { message: TranscriptMessage; node?: string };
  /** A node's update of state keys other than messages (the page shows messages only: it ignores it). */
  "state.updated": { run_id: string; node: string; values: Record<string, unknown>; state?: Record<string, unknown>; removed_message_ids?: string[] };
  "tool.started": { tool_call_id: string; name: string; args: Record<string, unknown> };
  /** `args`: what the tool ran with when a human edited the call's arguments before approving it. */
  "tool.completed": { tool_call_id: string; name: string; output: string; error?: string; args?: Record<string, unknown>; rejected?: true };
  "run.completed": { run_id: string; status: "success"; usage?: unknown };
  /** `interrupts`: approval questions open again after the stop (an answer's run stopped before its tool finished). */
  "run.failed": { run_id: string; code: string; message: string; status: "error" | "cancelled" | "timeout" | "interrupted"; interrupts?: Interrupt[] };
  "run.interrupted": { run_id?: string; interrupts: Interrupt[]; next?: string[] };
  "messages.removed": { run_id?: string; message_ids: string[] };
  /**
   * What a graph's node wrote to LangGraph's `custom` stream (progress…): its own format, which the page does not show.
   * `namespace`: the subgraph whose node wrote it (`["research:<task id>"]`, one segment per level); absent for the
   * run's graph itself.
   */
  custom: { run_id: string; data: unknown; namespace?: string[] };
  /** The run stored `limit` custom events (`RUN_CUSTOM_EVENTS_MAX`): its later chunks are dropped. The page ignores it. */
  "custom.capped": { run_id: string; limit: number };
  /**
   * A piece of a subgraph's output (`values`, `updates` or `messages`, as LangGraph streams it), only in runs created
   * over HTTP with `stream_subgraphs`. The page ignores it: what a subgraph returns to its parent reaches the
   * conversation through the parent's own events.
   */
  "subgraph.streamed": { run_id: string; namespace: string[]; mode: "values" | "updates" | "messages"; data: unknown };
  /** The thread was deleted (anywhere); never stored, its subscription has ended. */
  "thread.deleted": { thread_id: string };
}

/** A known event name. */
export type EventName = keyof EventDataByName;

/** A pushed event frame of one thread. */
export interface EventFrame {
  type: "event";
  thread_id: string;
  run_id: string | null;
  seq: number;
  event: string;
  data: unknown;
  created_at: string;
}

/** The answer to a command. */
export interface ResultFrame {
  type: "result";
  id: string | number;
  result: unknown;
}

/** A failed command. */
export interface ErrorFrame {
  type: "error";
  id: string | number | null;
  code: string;
  message: string;
  details?: unknown;
}

/** One of the user's threads was created, renamed or re-tagged, or deleted (every socket of the user gets it). */
export interface SessionNoticeFrame {
  type: "notice";
  notice: "thread.created" | "thread.updated" | "thread.deleted";
  thread_id: string;
  /** The session after the change; null once deleted. */
  thread: Session | null;
  created_at: string;
}

/** A reply started or ended on one of the user's threads: its new status and activity time (nothing else changed). */
export interface StatusNoticeFrame {
  type: "notice";
  notice: "thread.status";
  thread_id: string;
  status: Session["status"];
  last_activity_at: string;
  awaiting_human?: boolean;
  created_at: string;
}

/** Any notice about one of the user's threads. */
export type NoticeFrame = SessionNoticeFrame | StatusNoticeFrame;

/** Any frame the server sends. */
export type ServerFrame = ResultFrame | ErrorFrame | EventFrame | NoticeFrame;

/** An assistant as `POST /assistants/search` lists it. */
export interface Assistant {
  assistant_id: string;
  name: string;
  graph_id: string;
  context?: { model?: string; first_message?: string };
}

/** `GET /info`, the unauthenticated server description. */
export interface ServerInfo {
  name?: string;
  version: string;
  auth_mode: "none" | "apikey" | "jwt";
}

/** Narrow an event frame's data by its name. */
export function eventData<Name extends EventName>(frame: EventFrame, name: Name): EventDataByName[Name] | undefined {
  return frame.event === name ? (frame.data as EventDataByName[Name]) : undefined;
}
