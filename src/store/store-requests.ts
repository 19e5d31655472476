import { validateNamespace } from "@langchain/langgraph-checkpoint";
import { z } from "zod";
import { AppError } from "../errors/app-error.js";

/**
 * A namespace held to LangGraph's own rules (`validateNamespace` of the installed checkpoint package: labels are
 * non-empty and hold no `.` or `:`; `langgraph` is a reserved first label for writes), so an item written over
 * HTTP is one a graph can read, and the other way round.
 */
function namespaceSchema(options: { allowEmpty?: boolean; allowReservedRoot?: boolean } = {}) {
  return z.array(z.string()).superRefine((namespace, context) => {
    if (!options.allowEmpty && namespace.length === 0) {
      context.addIssue({ code: "custom", message: "Namespace is required (a non-empty list of labels)" });
      return;
    }
    try {
      validateNamespace(namespace, { allowEmpty: true, allowReservedRoot: options.allowReservedRoot });
    } catch (error) {
      context.addIssue({ code: "custom", message: (error as Error).message });
    }
  });
}

const key = z.string().min(1, "key is required");
const itemValue = z.record(z.string(), z.unknown(), { error: "value must be a JSON object" });
/** A TTL in minutes (LangGraph Platform's unit); null or absent: the item never expires. */
const ttl = z.number().positive("ttl is in minutes and must be positive").max(1e8).nullable().optional();

/** `PUT /store/items` (the SDK's `store.putItem`). `index` is accepted and ignored: there is no vector index. */
export const putItemBody = z.object({
  namespace: namespaceSchema(),
  key,
  value: itemValue,
  index: z.union([z.literal(false), z.array(z.string()), z.null()]).optional(),
  ttl,
});

/** `DELETE /store/items` (the SDK's `store.deleteItem`). */
export const deleteItemBody = z.object({ namespace: namespaceSchema({ allowReservedRoot: true }), key });

/** A query-string boolean as the SDK writes it (`true`/`false`). */
const queryBoolean = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

/** `GET /store/items?namespace=a.b&key=k&refresh_ttl=true` (the SDK's `store.getItem`): labels joined with `.`. */
export const getItemQuery = z.object({
  namespace: z
    .string({ error: "namespace is required (labels joined with '.')" })
    .transform((joined) => joined.split("."))
    .pipe(namespaceSchema({ allowReservedRoot: true })),
  key,
  refresh_ttl: queryBoolean.optional(),
});

/** The filter of a search: top-level value fields to a value or an object of `$` operators. */
const filter = z.record(z.string(), z.unknown());

/** `POST /store/items/search` (the SDK's `store.searchItems`). An empty prefix searches all of the caller's items. */
export const searchItemsBody = z.object({
  namespace_prefix: namespaceSchema({ allowEmpty: true, allowReservedRoot: true }).default([]),
  filter: filter.nullable().optional(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
  query: z.string().max(1000).nullable().optional(),
  refresh_ttl: z.boolean().nullable().optional(),
});

/** `POST /store/namespaces` (the SDK's `store.listNamespaces`); `*` in a prefix or suffix matches any label. */
export const listNamespacesBody = z.object({
  prefix: namespaceSchema({ allowEmpty: true, allowReservedRoot: true }).nullable().optional(),
  suffix: namespaceSchema({ allowEmpty: true, allowReservedRoot: true }).nullable().optional(),
  max_depth: z.number().int().min(1).nullable().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});

/** Parse a store request, or refuse it with `invalid_request` naming each problem (field: reason). */
export function parseStoreRequest<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  throw new AppError("invalid_request", `Invalid store request: ${problems.join("; ")}`, { details: parsed.error.issues });
}
