import { z } from "zod";
import { AppError } from "../errors/app-error.js";
import { MAX_EXTRACT_PATHS, parseExtractPath } from "./thread-extract.js";

// Search and count bodies are strict: a parameter the SDK sends that we do not know answers 400 instead of being
// dropped, which would answer a different question than the client asked.

const metadata = z.record(z.string(), z.unknown());

/** Every field LangGraph's `ThreadSelectField` names (`@langchain/langgraph-sdk` schema). */
export const THREAD_SELECT_FIELDS = ["thread_id", "created_at", "updated_at", "state_updated_at", "metadata", "config", "context", "status", "values", "interrupts"] as const;

/** A field of a thread a search may select. */
export type ThreadSelectField = (typeof THREAD_SELECT_FIELDS)[number];

/** Thread fields Threadline cannot answer, with why: selecting, extracting or sorting by them is refused. */
const UNSUPPORTED_THREAD_FIELDS: Partial<Record<ThreadSelectField, string>> = {
  state_updated_at: "threads do not record when their state last changed",
  config: "threads carry no config (their assistant does)",
  context: "threads carry no context (their assistant does)",
};

/** Thread fields read from the checkpointed state (`ThreadStateService.latestStates`, a page at a time). */
export const STATE_FIELDS: readonly string[] = ["values", "interrupts"];

const extractBody = z
  .record(z.string().min(1).max(100), z.string().min(1).max(500))
  .refine((extract) => Object.keys(extract).length <= MAX_EXTRACT_PATHS, `extract takes at most ${MAX_EXTRACT_PATHS} paths`)
  .refine(
    (extract) => Object.values(extract).every((path) => (THREAD_SELECT_FIELDS as readonly string[]).includes(String(parseExtractPath(path)?.[0]))),
    `extract paths are dot-separated keys with [index] steps (e.g. values.messages[-1].content), starting at a thread field: ${THREAD_SELECT_FIELDS.join(", ")}`,
  );

/** `POST /threads/search`, LangGraph Platform's request (`@langchain/langgraph-sdk`'s `threads.search`). */
export const searchThreadsBody = z.strictObject({
  metadata: metadata.optional(),
  /** Only these threads (of the caller's: another user's ids match nothing). */
  ids: z.array(z.uuid()).max(1000).optional(),
  status: z.enum(["idle", "busy", "error", "interrupted"]).optional(),
  /** LangGraph's filter on the state values: refused unless empty (`assertSupportedThreadSearch`). */
  values: metadata.optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  sort_by: z.enum(["thread_id", "status", "created_at", "updated_at", "state_updated_at"]).default("updated_at"),
  sort_order: z.enum(["asc", "desc"]).default("desc"),
  select: z.array(z.enum(THREAD_SELECT_FIELDS)).min(1).optional(),
  /** Alias → path into the thread (`values.messages[-1]`), answered in each thread's `extracted`. */
  extract: extractBody.optional(),
});

/** A parsed thread search. */
export type SearchThreadsRequest = z.output<typeof searchThreadsBody>;

/** `POST /threads/count`: the search filters without paging (`values` refused as in search). */
export const countThreadsBody = z.strictObject({ metadata: metadata.optional(), status: searchThreadsBody.shape.status, values: metadata.optional() });

/** What `assertSupportedThreadSearch` looks at: a search, or a count's filters. */
type ThreadSearchChecks = Partial<Pick<SearchThreadsRequest, "values" | "sort_by" | "select" | "extract">>;

/** The sort keys a thread search honours. */
export type SupportedThreadSortKey = Exclude<SearchThreadsRequest["sort_by"], "state_updated_at">;

/**
 * Refuse what a thread search or count asks that Threadline cannot answer faithfully, naming it: a `values` filter
 * (threads do not store their values; filtering would read every candidate's state) and fields threads do not have.
 */
export function assertSupportedThreadSearch<Body extends ThreadSearchChecks>(body: Body): asserts body is Body & { sort_by?: SupportedThreadSortKey } {
  if (body.values && Object.keys(body.values).length > 0) {
    throw new AppError("invalid_request", "Filtering threads by values is not supported: threads do not store their state values; filter by metadata, status or ids");
  }
  const unsupported = (field: string): string | undefined => UNSUPPORTED_THREAD_FIELDS[field as ThreadSelectField];
  if (body.sort_by && unsupported(body.sort_by)) throw new AppError("invalid_request", `sort_by ${body.sort_by} is not supported: ${unsupported(body.sort_by)}`);
  for (const field of [...(body.select ?? []), ...extractRoots(body.extract)]) {
    const why = unsupported(field);
    if (why) throw new AppError("invalid_request", `${field} is not supported in select or extract: ${why}`);
  }
}

/**
 * Whether the answer needs each thread's checkpointed state: without `select` (every field, `values` and `interrupts`
 * among them, as LangGraph Platform answers), or with `values` / `interrupts` selected or extracted.
 */
export function readsState(body: Pick<SearchThreadsRequest, "select" | "extract">): boolean {
  if (!body.select) return true;
  return [...body.select, ...extractRoots(body.extract)].some((field) => STATE_FIELDS.includes(field));
}

function extractRoots(extract: Record<string, string> | undefined): string[] {
  return Object.values(extract ?? {}).map((path) => String(parseExtractPath(path)?.[0]));
}

/** Every field LangGraph's `AssistantSelectField` names; Threadline's assistants have them all. */
export const ASSISTANT_SELECT_FIELDS = ["assistant_id", "graph_id", "name", "description", "config", "context", "created_at", "updated_at", "metadata", "version"] as const;

/** `POST /assistants/search` (`@langchain/langgraph-sdk`'s `assistants.search`). */
export const searchAssistantsBody = z.strictObject({
  graph_id: z.string().optional(),
  metadata: metadata.optional(),
  name: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  /** Unset (with `sort_order` unset too): Threadline's order, the graph defaults first, then newest updated first. */
  sort_by: z.enum(["assistant_id", "graph_id", "name", "created_at", "updated_at"]).optional(),
  sort_order: z.enum(["asc", "desc"]).optional(),
  select: z.array(z.enum(ASSISTANT_SELECT_FIELDS)).min(1).optional(),
});

/** `POST /assistants/count`: the search filters without paging. */
export const countAssistantsBody = searchAssistantsBody.pick({ graph_id: true, metadata: true, name: true });

/** Keep only the selected fields of an answer, in the answer's order; all of them without a selection. */
export function selectFields(answer: Record<string, unknown>, select: readonly string[] | undefined): Record<string, unknown> {
  if (!select) return answer;
  return Object.fromEntries(Object.entries(answer).filter(([field]) => select.includes(field)));
}
