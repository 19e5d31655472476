import type { Item, SearchItem } from "@langchain/langgraph-checkpoint";
import { AppError } from "../errors/app-error.js";
import type { Queryable } from "../db/database.js";
import { filterConditions } from "./store-filter.js";

/** Most bytes a namespace and key may take together: the primary key's index refuses rows past ~2.7 kB. */
export const MAX_ITEM_ADDRESS_BYTES = 2048;

/** Most terms of a text query that are matched (the rest are ignored). */
const MAX_QUERY_TERMS = 32;

/** An item's address: whose it is, where and under which key. */
export interface ItemAddress {
  ownerId: string;
  namespace: string[];
  key: string;
}

/** What `ItemStore.search` looks for. */
export interface ItemSearch {
  ownerId: string;
  /** Items whose namespace starts with these labels (all of the owner's when empty). */
  namespacePrefix: string[];
  filter?: Record<string, unknown>;
  /** Words that must all occur (case-insensitively) in the item's key or its string values; no ranking. */
  query?: string;
  /** @default 10 */
  limit?: number;
  /** @default 0 */
  offset?: number;
  /** Push back the expiry of found items that have a TTL. @default true */
  refreshTtl?: boolean;
}

/** What `ItemStore.listNamespaces` lists. */
export interface NamespaceListing {
  ownerId: string;
  /** Labels the namespace starts with; `*` matches any one label. */
  prefix?: string[];
  /** Labels the namespace ends with; `*` matches any one label. */
  suffix?: string[];
  /** Namespaces are cut to this many labels (and listed once). */
  maxDepth?: number;
  /** @default 100 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

interface ItemRow {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const LIVE = "(expires_at IS NULL OR expires_at > now())";
const COLUMNS = "namespace, key, value, created_at, updated_at";

/**
 * LangGraph's long-term store items of every user, in `store_items` (migration 014). Every statement names the
 * owner, so no namespace a caller sends can reach another user's items; callers bind the owner (`UserStore`, the
 * store routes) from the authenticated user, never from input.
 */
export class ItemStore {
  constructor(private readonly db: Queryable) {}

  /** Create or replace an item; `ttlMinutes` makes it expire that long after its last write or read. */
  async put(address: ItemAddress & { value: Record<string, unknown>; ttlMinutes?: number | null }): Promise<void> {
    const bytes = Buffer.byteLength(address.key) + address.namespace.reduce((sum, label) => sum + Buffer.byteLength(label), 0);
    if (bytes > MAX_ITEM_ADDRESS_BYTES) {
      throw new AppError("invalid_request", `The namespace and key take ${bytes} bytes together; at most ${MAX_ITEM_ADDRESS_BYTES} are stored`);
    }
    await this.db.query(
      `INSERT INTO store_items (owner_id, namespace, key, value, ttl_minutes, expires_at)
       VALUES ($1, $2::text[], $3, $4::jsonb, $5::double precision, now() + $5::double precision * interval '1 minute')
       ON CONFLICT (owner_id, namespace, key) DO UPDATE SET
         value = EXCLUDED.value, ttl_minutes = EXCLUDED.ttl_minutes, expires_at = EXCLUDED.expires_at, updated_at = now(),
         -- An expired item the sweep has not deleted yet is gone for readers: writing its key creates a new one.
         created_at = CASE WHEN store_items.expires_at <= now() THEN now() ELSE store_items.created_at END`,
      [address.ownerId, address.namespace, address.key, JSON.stringify(address.value), address.ttlMinutes ?? null],
    );
  }

  /** The item, or null when there is none (or it expired); a read pushes back the expiry of an item with a TTL. */
  async get(address: ItemAddress & { refreshTtl?: boolean }): Promise<Item | null> {
    const { rows } = await this.db.query<ItemRow>(
      `WITH found AS (
         SELECT ${COLUMNS} FROM store_items WHERE owner_id = $1 AND namespace = $2::text[] AND key = $3 AND ${LIVE}
       ), refreshed AS (
         UPDATE store_items SET expires_at = now() + ttl_minutes * interval '1 minute'
         WHERE $4::boolean AND owner_id = $1 AND namespace = $2::text[] AND key = $3 AND ttl_minutes IS NOT NULL AND ${LIVE}
       )
       SELECT * FROM found`,
      [address.ownerId, address.namespace, address.key, address.refreshTtl ?? true],
    );
    const [row] = rows;
    return row ? toItem(row) : null;
  }

  /** Delete the item; deleting one that is not there is not an error (as in LangGraph). */
  async delete(address: ItemAddress): Promise<void> {
    await this.db.query("DELETE FROM store_items WHERE owner_id = $1 AND namespace = $2::text[] AND key = $3", [address.ownerId, address.namespace, address.key]);
  }

  /** The owner's items under a namespace prefix that match the filter and query, most recently updated first. */
  async search(search: ItemSearch): Promise<SearchItem[]> {
    const params: unknown[] = [search.ownerId, search.namespacePrefix];
    const conditions = [
      "owner_id = $1",
      LIVE,
      // Whole labels: ["user"] is a prefix of ["user", "a"], not of ["users"].
      "namespace[1:cardinality($2::text[])] = $2::text[]",
      ...filterConditions(search.filter ?? {}, params),
    ];
    const terms = queryTerms(search.query);
    if (terms.length > 0) {
      params.push(terms);
      conditions.push(`NOT EXISTS (
        SELECT 1 FROM unnest($${params.length}::text[]) AS term(word)
        WHERE strpos(lower(key || ' ' || coalesce((
          SELECT string_agg(leaf #>> '{}', ' ') FROM jsonb_path_query(value, 'strict $.**') AS leaf WHERE jsonb_typeof(leaf) = 'string'
        ), '')), lower(word)) = 0
      )`);
    }
    params.push(search.limit ?? 10, search.offset ?? 0, search.refreshTtl ?? true);
    const [limit, offset, refresh] = [params.length - 2, params.length - 1, params.length];
    const { rows } = await this.db.query<ItemRow>(
      `WITH found AS (
         SELECT ${COLUMNS}, ttl_minutes FROM store_items WHERE ${conditions.join(" AND ")}
         ORDER BY updated_at DESC, namespace, key LIMIT $${limit} OFFSET $${offset}
       ), refreshed AS (
         UPDATE store_items AS item SET expires_at = now() + item.ttl_minutes * interval '1 minute'
         FROM found WHERE $${refresh}::boolean AND found.ttl_minutes IS NOT NULL
           AND item.owner_id = $1 AND item.namespace = found.namespace AND item.key = found.key
       )
       SELECT ${COLUMNS} FROM found ORDER BY updated_at DESC, namespace, key`,
      params,
    );
    return rows.map(toItem);
  }

  /** The owner's namespaces matching a prefix and suffix, cut to `maxDepth` labels, in order, each once. */
  async listNamespaces(listing: NamespaceListing): Promise<string[][]> {
    const { rows } = await this.db.query<{ namespace: string[] }>(
      `SELECT DISTINCT CASE WHEN $4::int IS NULL THEN namespace ELSE namespace[1:$4::int] END AS namespace
       FROM store_items
       WHERE owner_id = $1 AND ${LIVE}
         AND cardinality(namespace) >= cardinality($2::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) WITH ORDINALITY AS wanted(label, position)
                         WHERE wanted.label <> '*' AND wanted.label IS DISTINCT FROM namespace[wanted.position])
         AND cardinality(namespace) >= cardinality($3::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) WITH ORDINALITY AS wanted(label, position)
                         WHERE wanted.label <> '*'
                           AND wanted.label IS DISTINCT FROM namespace[cardinality(namespace) - cardinality($3::text[]) + wanted.position])
       ORDER BY namespace LIMIT $5 OFFSET $6`,
      [listing.ownerId, listing.prefix ?? [], listing.suffix ?? [], listing.maxDepth ?? null, listing.limit ?? 100, listing.offset ?? 0],
    );
    return rows.map((row) => row.namespace);
  }

  /** Delete every expired item (the lifecycle sweep); readers already skip them. */
  async deleteExpired(): Promise<number> {
    const { rowCount } = await this.db.query("DELETE FROM store_items WHERE expires_at <= now()");
    return rowCount ?? 0;
  }
}

function queryTerms(query: string | undefined): string[] {
  return (query ?? "").split(/\s+/u).filter((term) => term.length > 0).slice(0, MAX_QUERY_TERMS);
}

function toItem(row: ItemRow): Item {
  return { namespace: row.namespace, key: row.key, value: row.value, createdAt: row.created_at, updatedAt: row.updated_at };
}
