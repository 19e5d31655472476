import type { EventFrame, Interrupt, MessagePage, RunRecord } from "../protocol/protocol-types.js";
import type { RpcClient } from "../protocol/rpc-client.js";
import { isMethodNotFound, RpcError } from "../protocol/rpc-error.js";
import { applyEvent, emptyThreadState, mergeMessages, recordReplays, rewindTo, runsWithoutInput, type ThreadState } from "./thread-state.js";

/** What a session opened `interrupted` waits on: approval questions, or the nodes a breakpoint stopped it before. */
interface WaitingOn {
  interrupts: Interrupt[];
  pausedBefore: string[];
}

const NOT_WAITING: WaitingOn = { interrupts: [], pausedBefore: [] };

/** How far back (in events) to replay when joining a run that started before we subscribed. */
const BACKFILL_EVENTS = 5000;
const HISTORY_PAGE = 50;
/** Larger pages while catching up to a message far back (a search hit): fewer round trips. */
const CATCH_UP_PAGE = 200;
/** Run records per `run.list` page when learning which runs of the history were replays. */
const RUN_PAGE = 100;

/**
 * Keeps one thread's view in step with the server: history from `messages.list`, live events from a
 * subscription, and after a dropped connection a resubscription from the last applied seq, so text is
 * neither lost nor duplicated.
 */
export class ThreadSync {
  private current: ThreadState = emptyThreadState();
  private readonly listeners = new Set<(state: ThreadState) => void>();
  private readonly goneListeners = new Set<() => void>();
  private readonly cleanups: (() => void)[] = [];
  /** Runs whose early events we already replayed once. */
  private readonly backfilled = new Set<string>();
  /**
   * Set while a replay from `since` is requested and has not begun: events of the old subscription are
   * skipped (the replay repeats them) and `skippedUpTo` tells the replay's first event apart from them.
   */
  private rewind: { since: number; skippedUpTo: number } | undefined;
  /** Events up to this seq come from the replay asked for when a busy session was opened: none needs a backfill. */
  private openedThrough = 0;
  /** Runs whose record we have read (newest first, `runsRead` of them), and whether that reached the oldest. */
  private readonly runsSeen = new Set<string>();
  private runsRead = 0;
  private runsExhausted = false;
  /** Lookups of run kinds, one at a time so two history loads do not read the same pages. */
  private replayLookup: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly client: RpcClient,
    readonly threadId: string,
  ) {}

  /** The latest state. */
  get state(): ThreadState {
    return this.current;
  }

  /** Listen to state changes; returns the unsubscribe function. */
  subscribe(listener: (state: ThreadState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Listen for the thread turning out to be gone when resubscribing after a reconnect (deleted while this
   * window was disconnected: the server's notice is not stored, so `not_found` is how it learns); returns the
   * unsubscribe function.
   */
  onGone(listener: () => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /**
   * Subscribe (live first, so nothing falls between), then load the newest page of history. A session opened while
   * a run executes (`busyAt`: the session's `last_seq` then) replays that run's events so far at once, as a backfill
   * would at its first live event: a tool that started before the page loaded shows as running, not as pending
   * until its result comes. A session waiting for a human's answer (`interrupted`) gets its pending interrupts with
   * its history, in one update: until both are there the reply's other calls would read as stopped (nothing runs,
   * nothing awaited).
   */
  async start(options: { interrupted?: boolean; busyAt?: number } = {}): Promise<void> {
    this.cleanups.push(this.client.onEvent((frame) => this.handleEvent(frame)));
    this.cleanups.push(this.client.onOpen(() => void this.resume()));
    const busyAt = options.busyAt ?? 0;
    this.openedThrough = busyAt;
    const since = busyAt > 0 ? { since: Math.max(0, busyAt - BACKFILL_EVENTS) } : {};
    await this.client.call("subscription.subscribe", { thread_id: this.threadId, ...since });
    const waiting = options.interrupted ? this.waitingOn() : Promise.resolve(NOT_WAITING);
    // History shows even when the interrupts cannot be read; their error is thrown after it.
    await this.reloadHistory({ waiting: waiting.catch(() => NOT_WAITING), settled: busyAt === 0 && !options.interrupted });
    await waiting;
  }

  /** Load the page of history before the oldest loaded message. */
  async loadOlder(limit = HISTORY_PAGE): Promise<void> {
    const before = this.current.olderBefore;
    if (before === null) return;
    const page = await this.client.call<MessagePage>("messages.list", { thread_id: this.threadId, limit, before });
    if (this.disposed) return;
    this.update({ ...mergeMessages(this.current, page.messages), olderBefore: page.next_before });
    this.findReplays();
  }

  /**
   * Load older pages until the message (by id, else by its seq) is loaded; whether it is. Stops early at the
   * start of the history, or once the loaded history reaches back past the message's seq without it (it was
   * removed). A search hit may be far back in a long thread.
   */
  async loadUntilMessage(target: { id: string; seq: number }): Promise<boolean> {
    const loaded = () => this.current.messages.some((message) => message.id === target.id || message.seq === target.seq);
    while (!this.disposed && !loaded()) {
      const oldest = this.current.messages[0];
      if (this.current.olderBefore === null || (oldest !== undefined && oldest.seq < target.seq)) break;
      await this.loadOlder(CATCH_UP_PAGE);
    }
    return loaded();
  }

  /** Stop listening and unsubscribe. */
  dispose(): void {
    this.disposed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.listeners.clear();
    this.goneListeners.clear();
    if (this.client.status === "open") this.client.call("subscription.unsubscribe", { thread_id: this.threadId }).catch(() => undefined);
  }

  /**
   * Load the newest page of history, with the session's pending interrupts when it was opened waiting for them.
   * `settled`: the session was neither busy nor waiting when opened, so no run can answer the calls of this history
   * unless a run started since (its `run.started` came).
   */
  private async reloadHistory(options: { waiting?: Promise<WaitingOn>; settled?: boolean } = {}): Promise<void> {
    const listed = this.client.call<MessagePage>("messages.list", { thread_id: this.threadId, limit: HISTORY_PAGE });
    const [page, { interrupts, pausedBefore }] = await Promise.all([listed, options.waiting ?? NOT_WAITING]);
    if (this.disposed) return;
    const olderBefore = this.current.olderBefore === null || this.current.messages.length === 0 ? page.next_before : this.current.olderBefore;
    const next = { ...mergeMessages(this.current, page.messages), olderBefore, ...(interrupts.length > 0 ? { interrupts } : {}), ...(pausedBefore.length > 0 ? { pausedBefore } : {}) };
    const newest = page.messages.at(-1)?.seq ?? 0;
    // A run whose run.started came while the history loaded may answer its own calls: those are not settled.
    if (options.settled && next.activeRunId === null) next.settledThrough = Math.max(next.settledThrough, newest);
    this.update(next);
    this.findReplays();
  }

  /**
   * The transcript does not say which runs replayed a checkpoint (live, `run.started` does): read run records,
   * newest first, until every loaded run without input of its own is known, so a reload draws the same branch
   * dividers. Old servers without run kinds, or without `run.list`, simply get no dividers.
   */
  private findReplays(): void {
    this.replayLookup = this.replayLookup.then(async () => {
      const unknown = () => runsWithoutInput(this.current).filter((runId) => !this.runsSeen.has(runId) && !this.current.runs[runId]);
      while (!this.disposed && !this.runsExhausted && unknown().length > 0) {
        const answer = await this.client.call<unknown>("run.list", { thread_id: this.threadId, limit: RUN_PAGE, offset: this.runsRead });
        const page = Array.isArray(answer) ? (answer as RunRecord[]) : [];
        // Runs started since the last page shift the list down: that re-reads a few records and never skips one.
        this.runsRead += page.length;
        this.runsExhausted = page.length < RUN_PAGE;
        for (const run of page) this.runsSeen.add(run.run_id);
        if (!this.disposed) this.update(recordReplays(this.current, page));
      }
    }).catch((error: unknown) => {
      // Without run records the chat still shows every message, only without the branch dividers; a server
      // without `run.list` is not asked again, anything else is retried with the next page of history.
      if (isMethodNotFound(error)) this.runsExhausted = true;
    });
  }

  /** After a reconnect: replay what we missed from the last applied seq, then continue live. */
  private async resume(): Promise<void> {
    if (this.disposed) return;
    const since = this.rewind?.since ?? this.current.lastSeq;
    try {
      if (since > 0) await this.client.call("subscription.subscribe", { thread_id: this.threadId, since });
      else {
        // No event seen yet, so no seq to resume from: completed messages come from history instead.
        await this.client.call("subscription.subscribe", { thread_id: this.threadId });
        await this.reloadHistory();
      }
    } catch (error) {
      // A thread deleted meanwhile answers not_found (it was read after the subscription was registered, so a
      // delete is never missed); anything else: the next reconnect tries again.
      if (error instanceof RpcError && error.code === "not_found" && !this.disposed) {
        for (const listener of [...this.goneListeners]) listener();
      }
    }
  }

  private handleEvent(frame: EventFrame): void {
    if (frame.thread_id !== this.threadId || this.disposed) return;
    let next = this.current;
    if (this.rewind) {
      if (frame.seq > this.rewind.skippedUpTo) {
        this.rewind.skippedUpTo = frame.seq;
        return;
      }
      // The replay has begun (its seqs restart below what was skipped): rebuild in-flight text from it.
      next = rewindTo(next, this.rewind.since);
      this.rewind = undefined;
    }
    const runId = frame.run_id;
    // run.started and run.queued are a run's first events; a run we saw queued has no earlier events to fetch.
    const firstEvent = frame.event === "run.started" || frame.event === "run.queued";
    const replayedAtOpen = frame.seq <= this.openedThrough;
    if (runId !== null && !firstEvent && !replayedAtOpen && !next.runs[runId] && !next.queued.some((entry) => entry.run_id === runId) && !this.backfilled.has(runId)) {
      this.backfill(runId, frame.seq);
      return;
    }
    this.update(applyEvent(next, frame));
  }

  /**
   * We joined a run after it started (a second tab, a reload mid-reply): replay its earlier events so the
   * streamed text is whole. The thread's current seq is only learnt from the first live event.
   */
  private backfill(runId: string, seq: number): void {
    this.backfilled.add(runId);
    const since = Math.max(0, seq - 1 - BACKFILL_EVENTS);
    this.rewind = { since, skippedUpTo: seq };
    this.client.call("subscription.subscribe", { thread_id: this.threadId, since }).catch(() => {
      // Without the replay the completed message still arrives whole; only the live text is partial.
      this.rewind = undefined;
    });
  }

  /**
   * A thread opened `interrupted`: ask the state what it waits on — its pending interrupts (issue 4), or, with none,
   * the nodes a static breakpoint stopped it before (`next`); nothing from servers without `state.get`.
   */
  private async waitingOn(): Promise<WaitingOn> {
    try {
      const state = await this.client.call<{ interrupts?: Interrupt[]; tasks?: { interrupts?: Interrupt[] }[]; next?: string[] }>("state.get", { thread_id: this.threadId });
      const interrupts = state.interrupts ?? (state.tasks ?? []).flatMap((task) => task.interrupts ?? []);
      return { interrupts, pausedBefore: interrupts.length === 0 ? (state.next ?? []) : [] };
    } catch (error) {
      if (isMethodNotFound(error)) return NOT_WAITING;
      throw error;
    }
  }

  private update(state: ThreadState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.listeners) listener(state);
  }
}
