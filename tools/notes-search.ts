import { z } from "zod";
import { defineTool } from "../src/tools/tool-definition.js";

/** Escape LIKE wildcards so user text matches literally. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * Search the user's notes. Substring match on every term (works for Chinese, which has no word breaks),
 * ranked by how many terms matched, then trigram similarity, then recency.
 */
export const notesSearch = defineTool({
  name: "notes_search",
  description:
    "Search the user's saved notes by words or phrases (English, Chinese or any language). Returns the best " +
    "matches with their text.",
  schema: z.object({
    query: z.string().min(1).max(500).describe("Words or a phrase to look for"),
    limit: z.number().int().min(1).max(50).default(5),
  }),
  async execute({ query, limit }, context) {
    const terms = query.split(/\s+/).filter((term) => term.length > 0).slice(0, 10);
    const patterns = terms.map(likePattern);
    const { rows } = await context.db.query<{ note_id: string; title: string; body: string; created_at: Date }>(
      `SELECT note_id, title, body, created_at,
              (SELECT count(*) FROM unnest($2::text[]) AS p WHERE (title || ' ' || body) ILIKE p) AS hits,
              similarity(title || ' ' || body, $3) AS score
         FROM notes
        WHERE user_id = $1
          AND ((title || ' ' || body) ILIKE ANY ($2::text[]) OR similarity(title || ' ' || body, $3) > 0.2)
        ORDER BY hits DESC, score DESC, created_at DESC
        LIMIT $4`,
      [context.userId, patterns, query, limit],
    );
    return JSON.stringify(
      rows.map((row) => ({ note_id: row.note_id, title: row.title, body: row.body, created_at: row.created_at })),
    );
  },
});
