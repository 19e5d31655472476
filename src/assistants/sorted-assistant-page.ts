import type pg from "pg";

/** LangGraph's assistant sort keys (`AssistantSortBy`). */
export type AssistantSortKey = "assistant_id" | "graph_id" | "name" | "created_at" | "updated_at";

/** How a search orders and pages. */
export interface AssistantOrder {
  sort_by: AssistantSortKey;
  sort_order: "asc" | "desc";
  limit: number;
  offset: number;
}

/** One entry of a sorted page: a graph default (by graph id) or a row of the `assistants` table. */
export type SortedAssistantEntry<Row> = { defaultGraphId: string } | { row: Row };

// The allow-list the ORDER BY is built from: request text never reaches the SQL.
const SORT_COLUMNS: Record<AssistantSortKey, string> = {
  assistant_id: "candidate_id",
  graph_id: "graph_id",
  name: "name",
  created_at: "created_at",
  updated_at: "updated_at",
};

/**
 * A page of the user's assistants and the graph defaults sorted together, as LangGraph sorts one table: the defaults
 * (created and updated at the epoch, named by their graph id) enter the SQL as rows, so Postgres orders and pages all
 * of them with one collation. `ownedMatch` is the WHERE of the user's own rows over `params`; `defaultGraphIds` the
 * defaults the same filters keep. Reads `limit + 1` rows: the caller learns whether a next page exists.
 */
export async function sortedAssistantPage<Row extends object>(
  pool: pg.Pool,
  query: { ownedMatch: string; params: unknown[]; defaultGraphIds: readonly string[]; order: AssistantOrder },
): Promise<SortedAssistantEntry<Row>[]> {
  const { ownedMatch, params, defaultGraphIds, order } = query;
  const direction = order.sort_order === "asc" ? "ASC" : "DESC";
  const at = (offset: number) => `$${params.length + offset}`;
  const { rows } = await pool.query<Row & { entry_default: boolean; candidate_id: string }>(
    `WITH candidates AS (
       SELECT false AS entry_default, assistant_id::text AS candidate_id, graph_id, name, created_at, updated_at
         FROM assistants WHERE ${ownedMatch}
       UNION ALL
       SELECT true, graph_id, graph_id, graph_id, 'epoch'::timestamptz, 'epoch'::timestamptz FROM unnest(${at(1)}::text[]) AS graph_id
     ), page AS (
       SELECT entry_default, candidate_id, row_number() OVER (ORDER BY ${SORT_COLUMNS[order.sort_by]} ${direction}, candidate_id ${direction}) AS position
         FROM candidates ORDER BY position LIMIT ${at(2)} OFFSET ${at(3)}
     )
     SELECT page.entry_default, page.candidate_id, assistants.* FROM page
       LEFT JOIN assistants ON NOT page.entry_default AND assistants.assistant_id::text = page.candidate_id
      ORDER BY page.position`,
    [...params, defaultGraphIds, order.limit + 1, order.offset],
  );
  return rows.map(({ entry_default: isDefault, candidate_id: candidateId, ...row }) => (isDefault ? { defaultGraphId: candidateId } : { row: row as unknown as Row }));
}
