import { z } from "zod";
import { threadTtlSchema } from "../jobs/lifecycle/thread-ttl.js";

const metadata = z.record(z.string(), z.unknown());

/** `POST /threads` (LangGraph shape plus Threadline's window/title/assistant). */
export const createThreadBody = z.object({
  thread_id: z.uuid().optional(),
  metadata: metadata.optional(),
  if_exists: z.enum(["raise", "do_nothing"]).default("raise"),
  assistant_id: z.string().min(1).max(200).optional(),
  graph_id: z.string().min(1).max(200).optional(),
  window_id: z.string().min(1).max(200).optional(),
  title: z.string().max(500).optional(),
  ttl: threadTtlSchema.optional(),
  /** LangGraph's way to seed a new thread: state updates applied in order, each as if `as_node` had returned them. */
  supersteps: z
    .array(z.strictObject({ updates: z.array(z.strictObject({ values: z.unknown(), as_node: z.string().min(1).max(200) })).min(1).max(100) }))
    .max(100)
    .optional(),
});

/** `POST /threads/search`. */
export const searchThreadsBody = z.object({
  metadata: metadata.optional(),
  status: z.enum(["idle", "busy", "error", "interrupted"]).optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  sort_by: z.enum(["thread_id", "status", "created_at", "updated_at"]).default("updated_at"),
  sort_order: z.enum(["asc", "desc"]).default("desc"),
});

/**
 * `POST /threads/count`: the search filters without paging. `values` (LangGraph's filter on the state) is refused
 * when given: threads do not store their values, and ignoring it would count threads it excludes.
 */
export const countThreadsBody = searchThreadsBody.pick({ metadata: true, status: true }).extend({
  values: z.record(z.string(), z.unknown()).optional().refine((values) => values === undefined || Object.keys(values).length === 0, "filtering threads by values is not supported"),
});

/** `PATCH /threads/{id}`. */
export const patchThreadBody = z.object({ metadata: metadata.optional(), title: z.string().max(500).optional(), ttl: threadTtlSchema.nullable().optional() });

/** `POST /threads/{id}/history`. */
export const historyBody = z.object({
  limit: z.number().int().min(1).max(1000).default(10),
  before: z.union([z.string(), z.object({ configurable: z.object({ checkpoint_id: z.string() }).passthrough() })]).optional(),
});

/** A query-string parameter left empty (`?before=`, a form field with no value) means "not given". */
const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);

/** `GET /threads/{id}/messages`. */
export const messagesQuery = z.object({
  limit: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(200).default(50)),
  before: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).optional()),
});

/** `POST /assistants` and `PATCH /assistants/{id}`. */
export const assistantBody = z.object({
  graph_id: z.string().min(1).max(200).optional(),
  assistant_id: z.uuid().optional(),
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  config: z.object({ configurable: metadata.optional() }).passthrough().optional(),
  context: metadata.optional(),
  metadata: metadata.optional(),
  if_exists: z.enum(["raise", "do_nothing"]).optional(),
});

/** `POST /assistants/search`. */
export const searchAssistantsBody = z.object({
  graph_id: z.string().optional(),
  metadata: metadata.optional(),
  name: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
});

/** `POST /assistants/count`: the search filters without paging. */
export const countAssistantsBody = searchAssistantsBody.pick({ graph_id: true, metadata: true, name: true });

/** A query-string boolean as the SDK writes it (`true` / `false`). */
const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** `GET /assistants/{id}/graph`: `xray` is a boolean or the depth of subgraphs to draw. */
export const graphQuery = z.object({
  xray: z.preprocess(emptyAsUnset, z.union([queryBoolean, z.coerce.number().int().min(0).max(100)]).optional()),
});

/** `GET /assistants/{id}/subgraphs[/{namespace}]`. */
export const subgraphsQuery = z.object({ recurse: z.preprocess(emptyAsUnset, queryBoolean.default(false)) });
