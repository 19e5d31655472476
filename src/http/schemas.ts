import { z } from "zod";
import { queryInteger } from "./query-integer.js";
import { stateSelectSchema } from "./state-select.js";
import { threadTtlSchema } from "../jobs/lifecycle/thread-ttl.js";
import { sessionTitleSchema } from "../sessions/session-title-schema.js";

const metadata = z.record(z.string(), z.unknown());

/** `POST /threads` (LangGraph shape plus Threadline's window/title/assistant). */
export const createThreadBody = z.object({
  thread_id: z.uuid().optional(),
  metadata: metadata.optional(),
  if_exists: z.enum(["raise", "do_nothing"]).default("raise"),
  assistant_id: z.string().min(1).max(200).optional(),
  graph_id: z.string().min(1).max(200).optional(),
  window_id: z.string().min(1).max(200).optional(),
  title: sessionTitleSchema.optional(),
  ttl: threadTtlSchema.optional(),
  /** LangGraph's way to seed a new thread: state updates applied in order, each as if `as_node` had returned them. */
  supersteps: z
    .array(z.strictObject({ updates: z.array(z.strictObject({ values: z.unknown(), as_node: z.string().min(1).max(200) })).min(1).max(100) }))
    .max(100)
    .optional(),
});

/** `PATCH /threads/{id}`. */
export const patchThreadBody = z.object({ metadata: metadata.optional(), title: sessionTitleSchema.optional(), ttl: threadTtlSchema.nullable().optional() });

/** `GET /threads/{id}/state[/{checkpoint_id}]`: the SDK's `select` (repeated) and `subgraphs` (subgraph states are not read). */
export const stateQuery = z.object({ select: stateSelectSchema, subgraphs: z.enum(["true", "false"]).optional() });

/** `POST /threads/{id}/history`. */
export const historyBody = z.strictObject({
  /** Fields to keep in each state (`values.<key>` for one key of the values), as the SDK's `getHistory` sends them. */
  select: stateSelectSchema,
  limit: z.number().int().min(1).max(1000).default(10),
  before: z.union([z.string(), z.object({ configurable: z.object({ checkpoint_id: z.string() }).passthrough() })]).optional(),
  /** Only checkpoints whose metadata contains these entries (`{source: "input"}`, `{step: 3}`…). */
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Where to read: a checkpoint (that one alone, as LangGraph's savers list it) and/or a subgraph's namespace. */
  checkpoint: z
    .strictObject({
      checkpoint_id: z.string().min(1).max(200).optional(),
      checkpoint_ns: z.string().max(2000).optional(),
      checkpoint_map: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

/** A query-string parameter left empty (`?before=`, a form field with no value) means "not given". */
const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);

/** `GET /threads/{id}/messages`: these two parameters only, as WS `messages.list` takes them (`after` is no page). */
export const messagesQuery = z.strictObject({
  limit: z.preprocess(emptyAsUnset, queryInteger({ min: 1, max: 200 }).default(50)),
  before: z.preprocess(emptyAsUnset, queryInteger({ min: 1 }).optional()),
});

/** `POST /assistants` and `PATCH /assistants/{id}`. */
export const assistantBody = z.object({
  graph_id: z.string().min(1).max(200).optional(),
  assistant_id: z.uuid().optional(),
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  /** `configurable`: settings and the graph's own keys; `recursion_limit`: the default super-step limit of its runs. */
  config: z.object({ configurable: metadata.optional(), recursion_limit: z.number().int().positive().optional() }).passthrough().optional(),
  context: metadata.optional(),
  metadata: metadata.optional(),
  if_exists: z.enum(["raise", "do_nothing"]).optional(),
});

/** `POST /assistants/{id}/versions` (the SDK's `getVersions`): a metadata filter and a page, newest first. */
export const assistantVersionsBody = z.strictObject({
  metadata: metadata.optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
});

/** `POST /assistants/{id}/latest` (the SDK's `setLatest`). */
export const setLatestAssistantBody = z.strictObject({ version: z.number().int().min(1).max(2_147_483_647) });

/** A query-string boolean as the SDK writes it (`true` / `false`). */
const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** `GET /assistants/{id}/graph`: `xray` is a boolean or the depth of subgraphs to draw. */
export const graphQuery = z.object({
  xray: z.preprocess(emptyAsUnset, z.union([queryBoolean, queryInteger({ min: 0, max: 100 })]).optional()),
});

/** `GET /assistants/{id}/subgraphs[/{namespace}]`. */
export const subgraphsQuery = z.object({ recurse: z.preprocess(emptyAsUnset, queryBoolean.default(false)) });
