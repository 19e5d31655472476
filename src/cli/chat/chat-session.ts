import { randomUUID } from "node:crypto";
import type { EventFrame } from "../../ws/protocol.js";
import type { EventDataByName } from "../../events/thread-event.js";
import { answeredMessageId, regeneratePoint } from "../../sessions/regenerate-point.js";
import type { Session } from "../../sessions/session.js";
import type { TranscriptMessage } from "../../transcript/transcript-message.js";
import type { ChatConnection } from "./chat-connection.js";
import type { TerminalStyle } from "./terminal-style.js";
import { terminalLine, terminalText } from "../terminal-text.js";

/** A pending approval (issue 4's `run.interrupted` shape), or a question of the graph's own (`kind: "question"`). */
export interface PendingInterrupt {
  id: string;
  tool_call_id?: string;
  name?: string;
  args?: Record<string, unknown>;
  kind?: "question";
  value?: unknown;
}

/** Said when a session has no reply to generate again. */
export const NOTHING_TO_REGENERATE = "there is no reply to generate again in this session (or its checkpoint was pruned)";

/** How a turn ended. */
export interface TurnOutcome {
  status: "success" | "error" | "cancelled" | "timeout" | "interrupted";
  code?: string;
  message?: string;
  interrupts?: PendingInterrupt[];
}

/** Where the session writes: the reply to `stdout`, everything else (tools, notices, errors) to `stderr`. */
export interface ChatOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  style: TerminalStyle;
}

interface Turn {
  runId: string | undefined;
  cancelRequested: boolean;
  resolve: (outcome: TurnOutcome) => void;
}

const TOOL_TEXT_LIMIT = 160;

/**
 * One terminal's view of its current session: opens/switches threads, starts runs and prints what they
 * stream. Replies from other windows on the same session are printed too (it is live everywhere).
 */
export class ChatSession {
  session: Session | undefined;
  private turn: Turn | undefined;
  /** Characters of each assistant message already written, so a completion only adds what is missing. */
  private readonly printed = new Map<string, number>();
  private readonly toolStarts = new Map<string, { at: number; args: string }>();
  /** The model's arguments of each call seen, for the line of a call that completes without having started. */
  private readonly requestedArgs = new Map<string, string>();
  private readonly ownRuns = new Set<string>();
  private deletedListener: (threadId: string) => void = () => undefined;
  /** Threads this terminal deletes itself (`/delete`): their notice is not news from another window. */
  private readonly deletingHere = new Set<string>();
  /** How many times a session was opened: a change tells the chat loop to look at what the new one waits on. */
  private opens = 0;

  constructor(
    private readonly connection: ChatConnection,
    private readonly output: ChatOutput,
  ) {
    connection.onEvent((frame) => this.handleEvent(frame));
  }

  /** Be told when the current session is deleted elsewhere (after the notice was printed and any reply ended). */
  onDeleted(listener: (threadId: string) => void): void {
    this.deletedListener = listener;
  }

  /** The current thread id. */
  get threadId(): string | undefined {
    return this.session?.thread_id;
  }

  /** Counts the sessions opened so far (the same one opened again counts too). */
  get openCount(): number {
    return this.opens;
  }

  /** Whether a reply of ours is in progress. */
  get running(): boolean {
    return this.turn !== undefined;
  }

  /** Whether Ctrl-C was already pressed for the running reply. */
  get cancelRequested(): boolean {
    return this.turn?.cancelRequested ?? false;
  }

  /** Open a session (`thread.open`) and follow its events instead of the previous one's. */
  async open(params: { window_id?: string; thread_id?: string; assistant_id?: string }): Promise<Session & { created: boolean }> {
    const opened = await this.connection.call<Session & { created: boolean }>("thread.open", params);
    if (this.session && this.session.thread_id !== opened.thread_id) {
      await this.connection.call("subscription.unsubscribe", { thread_id: this.session.thread_id });
    }
    this.session = opened;
    this.opens += 1;
    await this.connection.call("subscription.subscribe", { thread_id: opened.thread_id });
    if (opened.status === "interrupted") await this.rememberRequestedArgs();
    return opened;
  }

  /**
   * The arguments of the calls a waiting reply made, asked for in an earlier connection: a call rejected or cancelled
   * now never starts, and its line shows them only from here (its `message.completed` came before this client).
   */
  private async rememberRequestedArgs(): Promise<void> {
    for (const message of await this.history(20)) {
      for (const call of message.tool_calls ?? []) this.requestedArgs.set(call.id, JSON.stringify(call.args));
    }
  }

  /** The approvals the current session waits for, when it opened waiting (`interrupted`): none otherwise. */
  async pendingApprovals(): Promise<PendingInterrupt[]> {
    return (await this.waitingOn()).interrupts;
  }

  /**
   * What the current session waits on, when it opened waiting (`interrupted`): its approvals, and the nodes a reply
   * paused at a static breakpoint would run next (`next` with no approval: `/continue` runs them). Nothing otherwise.
   */
  async waitingOn(): Promise<{ interrupts: PendingInterrupt[]; pausedBefore: string[] }> {
    if (this.session?.status !== "interrupted" || this.session.awaiting_human === false) return { interrupts: [], pausedBefore: [] };
    const state = await this.connection.call<{ interrupts?: PendingInterrupt[]; next?: string[] }>("state.get", { thread_id: this.session.thread_id });
    const interrupts = state.interrupts ?? [];
    return { interrupts, pausedBefore: interrupts.length === 0 ? (state.next ?? []) : [] };
  }

  /** Continue a reply paused at a breakpoint (a run without input) and wait until it ends. */
  async proceed(): Promise<TurnOutcome> {
    return this.startTurn({ thread_id: this.requireThread() });
  }

  /**
   * Generate the newest reply again (the web page's *Regenerate reply*): a replay from the checkpoint before it, a
   * new branch; waits until it ends. Refused when the newest 50 checkpoints hold no such point (pruned, say).
   */
  async regenerate(): Promise<TurnOutcome> {
    const checkpointId = await this.regeneratePoint();
    if (!checkpointId) throw new Error(NOTHING_TO_REGENERATE);
    return this.startTurn({ thread_id: this.requireThread(), checkpoint_id: checkpointId, client_message_id: randomUUID() });
  }

  /** The checkpoint `regenerate` replays from, if the session has one. */
  async regeneratePoint(): Promise<string | undefined> {
    const replyTo = answeredMessageId(await this.history(20));
    if (!replyTo) return undefined;
    return regeneratePoint(await this.connection.call<unknown>("state.listCheckpoints", { thread_id: this.requireThread(), limit: 50 }), replyTo);
  }

  /**
   * What the session comes to once nothing runs on it (another window answered its question, say): waits while it
   * is `busy`, then the approvals it waits for, if any. Polled: the run is not ours, so no turn follows it.
   */
  async settled(pollMs = 200): Promise<TurnOutcome> {
    const threadId = this.requireThread();
    for (;;) {
      const now = await this.connection.call<Session>("thread.get", { thread_id: threadId });
      if (now.status !== "busy") {
        this.session = { ...(this.session ?? now), status: now.status, awaiting_human: now.awaiting_human };
        const interrupts = await this.pendingApprovals();
        if (interrupts.length > 0) return { status: "interrupted", interrupts };
        return { status: now.status === "error" ? "error" : "success" };
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Send a message and wait until its run ends. */
  async send(text: string): Promise<TurnOutcome> {
    return this.startTurn({ thread_id: this.requireThread(), input: { messages: [{ role: "user", content: text }] } });
  }

  /**
   * Answer a pending approval (`{decision, args?, reason?}`) or a graph's question (any JSON value), and wait until
   * the resumed run ends.
   */
  async respond(interruptId: string, value: unknown): Promise<TurnOutcome> {
    const threadId = this.requireThread();
    const outcome = this.beginTurn();
    try {
      await this.connection.call("input.respond", { thread_id: threadId, interrupt_id: interruptId, value });
    } catch (error) {
      this.turn = undefined;
      throw error;
    }
    return outcome;
  }

  /** Ask the server to cancel the running reply (the turn then ends as `cancelled`). */
  async cancel(): Promise<void> {
    const turn = this.turn;
    const threadId = this.session?.thread_id;
    if (!turn || !threadId) return;
    turn.cancelRequested = true;
    if (turn.runId) await this.connection.call("run.cancel", { thread_id: threadId, run_id: turn.runId });
  }

  /** Delete a session for good (`thread.delete`); the caller decides where to carry on when it was the current one. */
  async deleteThread(threadId: string): Promise<void> {
    this.deletingHere.add(threadId);
    try {
      await this.connection.call("thread.delete", { thread_id: threadId });
    } catch (error) {
      this.deletingHere.delete(threadId);
      throw error;
    }
  }

  /** The newest messages of the session, oldest first. */
  async history(limit: number): Promise<TranscriptMessage[]> {
    const page = await this.connection.call<{ messages: TranscriptMessage[] }>("messages.list", { thread_id: this.requireThread(), limit });
    return page.messages;
  }

  /** A turn of a `run.start` with these params: resolves when its run ends. */
  private async startTurn(params: Record<string, unknown>): Promise<TurnOutcome> {
    const outcome = this.beginTurn();
    try {
      const { run_id } = await this.connection.call<{ run_id: string }>("run.start", params);
      this.adoptRun(run_id);
    } catch (error) {
      this.turn = undefined;
      throw error;
    }
    return outcome;
  }

  private beginTurn(): Promise<TurnOutcome> {
    return new Promise<TurnOutcome>((resolve) => {
      this.turn = { runId: undefined, cancelRequested: false, resolve };
    });
  }

  private adoptRun(runId: string): void {
    this.ownRuns.add(runId);
    if (!this.turn || this.turn.runId) return;
    this.turn.runId = runId;
    // Ctrl-C came before the server told us the run id.
    if (this.turn.cancelRequested) void this.cancel().catch(() => undefined);
  }

  private requireThread(): string {
    if (!this.session) throw new Error("no session is open");
    return this.session.thread_id;
  }

  private handleEvent(frame: EventFrame): void {
    if (frame.thread_id !== this.session?.thread_id) return;
    const { stdout, stderr, style } = this.output;
    const data: unknown = frame.data;
    // Switch on the name as a string: newer servers add events this client may not know.
    const name: string = frame.event;
    switch (name) {
      case "run.started":
        // Our run.start answer can arrive after the run's first events; a run starting while we wait is ours.
        if (this.turn && !this.turn.runId) this.adoptRun((data as EventDataByName["run.started"]).run_id);
        return;
      case "message.delta": {
        const delta = data as EventDataByName["message.delta"];
        this.printed.set(delta.message_id, (this.printed.get(delta.message_id) ?? 0) + delta.text.length);
        stdout.write(terminalText(delta.text));
        return;
      }
      case "message.completed":
        this.printCompleted((data as EventDataByName["message.completed"]).message, frame.run_id);
        return;
      case "tool.started": {
        const tool = data as EventDataByName["tool.started"];
        this.toolStarts.set(tool.tool_call_id, { at: Date.parse(frame.created_at), args: JSON.stringify(tool.args) });
        return;
      }
      case "tool.completed": {
        const tool = data as EventDataByName["tool.completed"];
        const started = this.toolStarts.get(tool.tool_call_id);
        // tool.started comes when the tool begins (after any approval): a call that never ran (rejected, invalid) has
        // none, so no duration, and its arguments are the request's. An edit's arguments are what ran.
        const duration = started === undefined ? "" : style.dim(` (${Math.max(0, Date.parse(frame.created_at) - started.at)} ms)`);
        const args = tool.args ? JSON.stringify(tool.args) : (started?.args ?? this.requestedArgs.get(tool.tool_call_id) ?? "");
        const result = tool.rejected ? style.dim(`rejected: ${truncate(tool.error ?? tool.output)}`) : tool.error === undefined ? truncate(tool.output) : style.red(`failed: ${truncate(tool.error)}`);
        stderr.write(`${style.cyan("⚙")} ${terminalLine(tool.name)} ${style.dim(truncate(args))} → ${result}${duration}\n`);
        this.toolStarts.delete(tool.tool_call_id);
        this.requestedArgs.delete(tool.tool_call_id);
        return;
      }
      case "run.completed":
        this.endTurn(frame.run_id, { status: "success" });
        return;
      case "run.failed": {
        const failed = data as { status: TurnOutcome["status"]; code: string; message: string; interrupts?: PendingInterrupt[] };
        // `interrupts`: an answer's run stopped before its tool finished left the question open again.
        this.endTurn(frame.run_id, { status: failed.status, code: failed.code, message: failed.message, ...(failed.interrupts?.length ? { interrupts: failed.interrupts } : {}) });
        return;
      }
      case "run.interrupted": {
        const interrupts = (data as { interrupts?: PendingInterrupt[] }).interrupts ?? [];
        this.endTurn(frame.run_id, { status: "interrupted", interrupts });
        return;
      }
      case "thread.deleted":
        this.sessionDeleted(frame.thread_id);
        return;
      // `custom` (a graph's own chunks, in a format only it knows) and events newer than this client: nothing to print.
      default:
        return;
    }
  }

  private printCompleted(message: TranscriptMessage, runId: string | null): void {
    const { stdout, stderr, style } = this.output;
    if (message.role === "user") {
      if (runId && !this.ownRuns.has(runId) && !(this.turn && !this.turn.runId)) stderr.write(style.dim(`[another window] you › ${terminalText(message.content)}\n`));
      return;
    }
    if (message.role !== "assistant") return;
    for (const call of message.tool_calls ?? []) this.requestedArgs.set(call.id, JSON.stringify(call.args));
    // A reply that did not end of its own accord says so (on stderr: stdout stays the reply's words).
    const ending = message.status === "truncated" ? "(cut off at the reply's length limit: max_tokens)" : message.status === "refused" ? "(the model declined to answer)" : undefined;
    if (!message.content) {
      if (ending) stderr.write(style.dim(`${ending}\n`));
      return;
    }
    if (message.edited_at) {
      // A state edit replaced a reply printed earlier: show what it says now, marked as such.
      stderr.write(style.dim(`[edited] assistant › ${terminalText(message.content)}\n`));
      return;
    }
    const already = this.printed.get(message.id) ?? 0;
    if (already < message.content.length) stdout.write(terminalText(message.content.slice(already)));
    this.printed.delete(message.id);
    stdout.write("\n");
    if (ending) stderr.write(style.dim(`${ending}\n`));
  }

  /** The session went (deleted in another window): a reply we wait for will never end on its own. */
  private sessionDeleted(threadId: string): void {
    // Our own /delete: the command says so and moves on itself.
    if (this.deletingHere.delete(threadId)) return;
    const { stderr, style } = this.output;
    stderr.write(style.red(`✗ this session (${threadId}) was deleted in another window\n`));
    if (this.turn) this.endTurn(this.turn.runId ?? null, { status: "error", code: "thread_deleted", message: "the session was deleted in another window" });
    this.deletedListener(threadId);
  }

  private endTurn(runId: string | null, outcome: TurnOutcome): void {
    const turn = this.turn;
    if (!turn || (turn.runId && runId && turn.runId !== runId)) {
      if (outcome.status !== "success") this.output.stderr.write(this.output.style.dim(`[another window] reply ${outcome.status}\n`));
      return;
    }
    this.turn = undefined;
    // Text cut short by a cancel never gets a completion: end its line here.
    for (const [id, count] of this.printed) {
      if (count > 0) this.output.stdout.write("\n");
      this.printed.delete(id);
    }
    turn.resolve(outcome);
  }
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return terminalLine(flat.length > TOOL_TEXT_LIMIT ? `${flat.slice(0, TOOL_TEXT_LIMIT - 1)}…` : flat);
}
