import type { CountedMessage } from "./conversation.js";
import type { StoredBytes } from "./stored-bytes.js";

/** What one turn produced, for the transcript-size tally and the sanity checks. */
export interface TurnOutput {
  /** Messages the turn added to the conversation, the user's own first. */
  messages: CountedMessage[];
  /** `run.start` attempts the server refused with `thread_busy` before accepting this turn (Threadline only). */
  busyRetries: number;
}

/** One timed read of a thread, e.g. its state or the first page of its history. */
export interface ThreadRead {
  /** Stable key shared by both sides where the reads are comparable: `state`, `first_page`, `history`. */
  key: string;
  /** What exactly is called, for the report. */
  label: string;
  read(threadId: string): Promise<unknown>;
}

/** A system under test: Threadline over its real transports, or plain LangGraph + PostgresSaver in-process. */
export interface BenchTarget extends AsyncDisposable {
  /** `threadline` or `baseline`. */
  readonly name: string;
  /** A fresh, empty thread. */
  createThread(): Promise<string>;
  /** Send one user message and wait until the turn is complete (model, tools, persistence as the side defines it). */
  turn(threadId: string, text: string): Promise<TurnOutput>;
  /**
   * Wait, untimed, for work the side still does after a turn was answered, so it never overlaps the next turn
   * (of either side). Threadline records the run's outcome after publishing `run.completed`.
   */
  settle?(): Promise<void>;
  /** The reads measured at each checkpoint turn. */
  readonly reads: readonly ThreadRead[];
  /** Bytes stored for one thread across every table that holds its data. */
  storedBytes(threadId: string): Promise<StoredBytes>;
  /** The storage maintenance a deployment runs on its own schedule, done now (after the long thread, untimed). */
  maintain?(threadId: string): Promise<string>;
}
