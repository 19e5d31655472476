import type pg from "pg";
import type { Assistant, AssistantVersion } from "./assistant.js";

/** A row of `assistants` as stored (migration 015 added `last_version`, the counter the next update takes from). */
export interface AssistantRow extends Omit<Assistant, "created_at" | "updated_at"> {
  last_version: number;
  created_at: Date;
  updated_at: Date;
}

type AssistantVersionRow = Omit<AssistantRow, "last_version" | "updated_at">;

/**
 * A CTE storing the assistant rows `source` (a CTE that wrote them, `RETURNING *`) returns as their current version,
 * dated when written: put after that CTE, so the assistant and its version are written by one statement.
 */
export function recordVersionOf(source: string): string {
  return `recorded AS (
    INSERT INTO assistant_versions (assistant_id, version, graph_id, name, description, config, context, metadata, created_at)
    SELECT assistant_id, version, graph_id, name, description, config, context, metadata, updated_at FROM ${source}
  )`;
}

/** What a version list filters by and which page it wants (LangGraph Platform's `getVersions` body). */
export interface AssistantVersionQuery {
  metadata?: Record<string, unknown>;
  limit: number;
  offset: number;
}

/** The stored versions of one user's assistants: listing them and making one the assistant's current state. */
export class AssistantVersionStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The versions of the owner's assistant whose metadata contains `query.metadata`, newest first. */
  async list(ownerId: string, assistantId: string, query: AssistantVersionQuery): Promise<AssistantVersion[]> {
    const { rows } = await this.pool.query<AssistantVersionRow>(
      `SELECT versions.* FROM assistant_versions versions JOIN assistants USING (assistant_id)
        WHERE assistant_id = $1 AND assistants.owner_id = $2 AND versions.metadata @> $3::jsonb
        ORDER BY versions.version DESC LIMIT $4 OFFSET $5`,
      [assistantId, ownerId, JSON.stringify(query.metadata ?? {}), query.limit, query.offset],
    );
    return rows.map(toAssistantVersion);
  }

  /** One version of the owner's assistant, or undefined when either is unknown. */
  async find(ownerId: string, assistantId: string, version: number): Promise<AssistantVersion | undefined> {
    const { rows } = await this.pool.query<AssistantVersionRow>(
      `SELECT versions.* FROM assistant_versions versions JOIN assistants USING (assistant_id)
        WHERE assistant_id = $1 AND assistants.owner_id = $2 AND versions.version = $3`,
      [assistantId, ownerId, version],
    );
    const row = rows[0];
    return row ? toAssistantVersion(row) : undefined;
  }

  /**
   * Copy a version back onto the assistant row, which runs read: it becomes the current version (no new version is
   * made, as on LangGraph Platform; the next update is numbered after the highest). Undefined when either is unknown.
   */
  async restore(ownerId: string, assistantId: string, version: number): Promise<AssistantRow | undefined> {
    const { rows } = await this.pool.query<AssistantRow>(
      `UPDATE assistants SET graph_id = versions.graph_id, name = versions.name, description = versions.description,
              config = versions.config, context = versions.context, metadata = versions.metadata,
              version = versions.version, updated_at = now()
         FROM assistant_versions versions
        WHERE assistants.assistant_id = $1 AND assistants.owner_id = $2
          AND versions.assistant_id = assistants.assistant_id AND versions.version = $3
       RETURNING assistants.*`,
      [assistantId, ownerId, version],
    );
    return rows[0];
  }
}

/** The API's assistant from its stored row (the version counter is internal). */
export function toAssistant(row: AssistantRow): Assistant {
  return { ...toAssistantVersion(row), updated_at: row.updated_at.toISOString() };
}

/** A default assistant (one per graph, never stored) as its only version. */
export function onlyVersionOf(assistant: Assistant): AssistantVersion {
  const { assistant_id, graph_id, name, description, config, context, metadata, version, created_at } = assistant;
  return { assistant_id, graph_id, name, description, config, context, metadata, version, created_at };
}

function toAssistantVersion(row: AssistantVersionRow): AssistantVersion {
  const { assistant_id, graph_id, name, description, config, context, metadata, version, created_at } = row;
  return { assistant_id, graph_id, name, description, config, context, metadata, version, created_at: created_at.toISOString() };
}
