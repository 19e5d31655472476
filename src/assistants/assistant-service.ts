import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Queryable } from "../db/database.js";
import { isUuid } from "../db/ids.js";
import { AppError, notFound } from "../errors/app-error.js";
import { assertAssistantBaseUrl } from "../models/assistant-endpoint.js";
import { type ModelSettings, validateModelSpec } from "../models/create-chat-model.js";
import { assertTemperatureAccepted } from "../models/model-spec.js";
import { configInForce } from "./config-in-force.js";
import type { GraphRegistry } from "../registry/graph-registry.js";
import type { Assistant, AssistantVersion } from "./assistant.js";
import { checkGraphContext } from "../registry/graph-context-schema.js";
import { type AssistantSettings, assistantSettingsSchema } from "./assistant-settings.js";
import { type AssistantRow, type AssistantVersionQuery, AssistantVersionStore, onlyVersionOf, recordVersionOf, toAssistant } from "./assistant-versions.js";
import { type AssistantSortKey, sortedAssistantPage } from "./sorted-assistant-page.js";

/** Fields accepted when creating or updating an assistant (LangGraph Platform's request shape). */
export interface AssistantInput {
  graph_id?: string;
  assistant_id?: string;
  name?: string;
  description?: string | null;
  config?: { configurable?: Record<string, unknown> };
  context?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  if_exists?: "raise" | "do_nothing";
}

/** What assistant search and count filter by (LangGraph Platform's fields); `name` matches a part, ignoring case. */
export interface AssistantFilter {
  graph_id?: string;
  metadata?: Record<string, unknown>;
  name?: string;
}

/** An assistant search: the filters, paging and LangGraph's optional sort. */
export interface AssistantSearch extends AssistantFilter {
  limit: number;
  offset: number;
  sort_by?: AssistantSortKey;
  sort_order?: "asc" | "desc";
}

/** The user's own assistants matching an `AssistantFilter` ($1–$4 from `ownedAssistantsParams`). */
const OWNED_ASSISTANTS_MATCH = `owner_id = $1 AND ($2::text IS NULL OR graph_id = $2) AND metadata @> $3::jsonb
  AND ($4::text IS NULL OR name ILIKE $4)`;

function ownedAssistantsParams(userId: string, filter: AssistantFilter): [string, string | null, string, string | null] {
  // The name is matched as text: LIKE's wildcards in it are escaped.
  const namePattern = filter.name === undefined ? null : `%${filter.name.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return [userId, filter.graph_id ?? null, JSON.stringify(filter.metadata ?? {}), namePattern];
}

const EPOCH = new Date(0).toISOString();

/** Reads, checks and writes of one update whose assistant's settings another update changed in between. */
const MAX_UPDATE_ATTEMPTS = 5;

/**
 * Assistants: one read-only default per graph, addressable by the graph id, plus the user's own in Postgres.
 * A user sees the defaults and their own assistants, nobody else's.
 */
export class AssistantService {
  private readonly versions: AssistantVersionStore;

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      registry: GraphRegistry;
      modelSettings: ModelSettings;
      toolNames: readonly string[];
      /**
       * Checks of new or changed settings that need I/O: the model present (assistant-model-check.ts), the context
       * budget able to hold the assistant (assistant-budget-check.ts). They throw `invalid_request`.
       */
      checkSettings?: (settings: AssistantSettings) => Promise<void>;
      /** The server's MODEL, which assistants without a `model` run on: their settings must suit it too. */
      defaultModel?: string;
    },
  ) {
    this.versions = new AssistantVersionStore(deps.pool);
  }

  /** The assistant, or not_found. */
  async get(userId: string, assistantId: string, db: Queryable = this.deps.pool): Promise<Assistant> {
    if (this.deps.registry.has(assistantId)) return defaultAssistant(assistantId);
    if (!isUuid(assistantId)) throw notFound("Assistant", assistantId);
    const { rows } = await db.query<AssistantRow>("SELECT * FROM assistants WHERE assistant_id = $1 AND owner_id = $2", [assistantId, userId]);
    const row = rows[0];
    if (!row) throw notFound("Assistant", assistantId);
    return toAssistant(row);
  }

  /** Those of the ids naming a default or one of the user's assistants, by id, in one query at most (others are absent). */
  async getMany(userId: string, assistantIds: readonly string[]): Promise<Map<string, Assistant>> {
    const found = new Map<string, Assistant>();
    for (const id of assistantIds) if (this.deps.registry.has(id)) found.set(id, defaultAssistant(id));
    const owned = [...new Set(assistantIds.filter((id) => !found.has(id) && isUuid(id)))];
    if (owned.length === 0) return found;
    const { rows } = await this.deps.pool.query<AssistantRow>("SELECT * FROM assistants WHERE assistant_id = ANY($1::uuid[]) AND owner_id = $2", [owned, userId]);
    for (const row of rows) found.set(row.assistant_id, toAssistant(row));
    return found;
  }

  /**
   * The default assistants (one per graph) that could not run under this configuration, with why: they are not
   * created through the API, so nothing checked their settings (a LOCAL_MODEL_CONTEXT_SIZE too small for the tools).
   */
  async unusableDefaults(): Promise<{ assistant_id: string; reason: string }[]> {
    const unusable: { assistant_id: string; reason: string }[] = [];
    for (const graphId of this.deps.registry.graphIds()) {
      await this.deps.checkSettings?.(defaultAssistant(graphId).context).catch((error: unknown) => {
        unusable.push({ assistant_id: graphId, reason: error instanceof Error ? error.message : String(error) });
      });
    }
    return unusable;
  }

  /** Create an assistant; its model and tools are checked now, not at the first run. */
  async create(userId: string, input: AssistantInput): Promise<Assistant> {
    const graphId = input.graph_id;
    if (!graphId || !this.deps.registry.has(graphId)) {
      throw new AppError("invalid_request", `Unknown graph_id "${graphId ?? ""}". Declared graphs: ${this.deps.registry.graphIds().join(", ")}`);
    }
    const settings = await this.validateSettings(mergeSettings(input), graphId);
    const assistantId = input.assistant_id ?? randomUUID();
    if (!isUuid(assistantId)) throw new AppError("invalid_request", "assistant_id must be a UUID");
    await this.deps.checkSettings?.(settings);
    const { rows } = await this.deps.pool.query<AssistantRow>(
      `WITH created AS (
         INSERT INTO assistants (assistant_id, owner_id, graph_id, name, description, config, context, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (assistant_id) DO NOTHING RETURNING *
       ), ${recordVersionOf("created")}
       SELECT * FROM created`,
      [assistantId, userId, graphId, input.name ?? "Untitled", input.description ?? null, JSON.stringify(configInForce(input.config ?? {}, settings)), JSON.stringify(settings), JSON.stringify(input.metadata ?? {})],
    );
    const row = rows[0];
    if (row) return toAssistant(row);
    if (input.if_exists === "do_nothing") return this.get(userId, assistantId);
    throw new AppError("conflict", `Assistant ${assistantId} already exists`);
  }

  /**
   * Update fields; settings are re-validated, and the result is stored as a new version, now the current one. One
   * statement merges the request into the row as it is when written — a concurrent update of other fields (name,
   * config, metadata) is never lost — and records that row as the version. Settings are validated merged onto the
   * settings read, so the write only goes ahead while those are still the stored ones; otherwise it is redone on the
   * new ones (`MAX_UPDATE_ATTEMPTS`, then `conflict`).
   */
  async update(userId: string, assistantId: string, input: AssistantInput): Promise<Assistant> {
    if (input.graph_id && !this.deps.registry.has(input.graph_id)) throw new AppError("invalid_request", `Unknown graph_id "${input.graph_id}"`);
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.getOwned(userId, assistantId);
      const settings = input.context || input.config ? await this.validateSettings(withoutNulls({ ...current.context, ...mergeSettings(input) }), input.graph_id ?? current.graph_id) : undefined;
      if (settings) await this.deps.checkSettings?.(settings);
      const config = settings ? configInForce(input.config ?? current.config, settings) : input.config;
      const row = await this.writeUpdate({ userId, assistantId, input: { ...input, config }, settings: settings && { merged: settings, onto: current.context } });
      if (row) return toAssistant(row);
      // Deleted (the next read says so), or its settings changed since they were read.
    }
    throw new AppError("conflict", `Assistant ${assistantId}'s settings kept changing while this update was checked; try again`);
  }

  /** The update's one statement; undefined when the assistant is gone or its settings are no longer `settings.onto`. */
  private async writeUpdate(update: { userId: string; assistantId: string; input: AssistantInput; settings?: { merged: AssistantSettings; onto: AssistantSettings } }): Promise<AssistantRow | undefined> {
    const { input, settings } = update;
    const { rows } = await this.deps.pool.query<AssistantRow>(
      // Numbered after the highest version, not the current one: after a setLatest to an older version, that number
      // is taken. Concurrent updates serialise on the row lock and each sees the other's write.
      `WITH updated AS (
         UPDATE assistants SET graph_id = coalesce($3, graph_id), name = coalesce($4, name),
                description = CASE WHEN $5::boolean THEN $6 ELSE description END, config = coalesce($7::jsonb, config),
                context = coalesce($8::jsonb, context), metadata = metadata || $9::jsonb,
                last_version = last_version + 1, version = last_version + 1, updated_at = now()
          WHERE assistant_id = $1 AND owner_id = $2 AND ($10::jsonb IS NULL OR context = $10::jsonb) RETURNING *
       ), ${recordVersionOf("updated")}
       SELECT * FROM updated`,
      [
        update.assistantId,
        update.userId,
        input.graph_id ?? null,
        input.name ?? null,
        input.description !== undefined,
        input.description ?? null,
        input.config ? JSON.stringify(input.config) : null,
        settings ? JSON.stringify(settings.merged) : null,
        JSON.stringify(input.metadata ?? {}),
        settings ? JSON.stringify(settings.onto) : null,
      ],
    );
    return rows[0];
  }

  /**
   * An assistant's versions, newest first (LangGraph's `getVersions`). A default assistant has one, version 1, which a
   * metadata filter leaves out as search does: its metadata is not the caller's.
   */
  async listVersions(userId: string, assistantId: string, query: AssistantVersionQuery): Promise<AssistantVersion[]> {
    const assistant = await this.get(userId, assistantId);
    if (!this.deps.registry.has(assistantId)) return this.versions.list(userId, assistantId, query);
    const filtered = query.metadata !== undefined && Object.keys(query.metadata).length > 0;
    return (filtered ? [] : [onlyVersionOf(assistant)]).slice(query.offset, query.offset + query.limit);
  }

  /**
   * Make a stored version the assistant's current one (LangGraph's `setLatest`), which runs then use. Its settings
   * are checked again as at creation — the server's keys, models or graphs may have changed since it was stored —
   * and one that could no longer run is refused (`invalid_request`) with nothing changed.
   */
  async setLatest(userId: string, assistantId: string, version: number): Promise<Assistant> {
    const assistant = await this.get(userId, assistantId);
    // A default assistant has one version, always the current one.
    if (this.deps.registry.has(assistantId)) {
      if (version === assistant.version) return assistant;
      throw versionNotFound(assistantId, version);
    }
    const stored = await this.versions.find(userId, assistantId, version);
    if (!stored) throw versionNotFound(assistantId, version);
    if (!this.deps.registry.has(stored.graph_id)) {
      throw new AppError("invalid_request", `Version ${version} runs graph "${stored.graph_id}", which is no longer declared. Declared graphs: ${this.deps.registry.graphIds().join(", ")}`);
    }
    await this.deps.checkSettings?.(await this.validateSettings(stored.context, stored.graph_id));
    const restored = await this.versions.restore(userId, assistantId, version);
    if (!restored) throw notFound("Assistant", assistantId);
    return toAssistant(restored);
  }

  /** Delete one of the user's assistants (defaults cannot be deleted). */
  async delete(userId: string, assistantId: string): Promise<void> {
    await this.getOwned(userId, assistantId);
    // Threads and crons resolve their graph and settings through their assistant on every read and run: deleting
    // it from under them would leave their conversations unreadable through the state API and impossible to go on.
    const { rows } = await this.deps.pool.query<{ deleted: boolean; threads: number; crons: number }>(
      `WITH users AS (
         SELECT (SELECT count(*) FROM threads WHERE user_id = $2 AND assistant_id = $1::text)::int AS threads,
                (SELECT count(*) FROM crons WHERE user_id = $2 AND assistant_id = $1::text)::int AS crons
       ), deleted AS (
         DELETE FROM assistants WHERE assistant_id = $1::uuid AND owner_id = $2 AND (SELECT threads + crons FROM users) = 0 RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM deleted) AS deleted, threads, crons FROM users`,
      [assistantId, userId],
    );
    const usage = rows[0];
    if (!usage || usage.deleted) return;
    throw new AppError("conflict", `Assistant ${assistantId} is used by ${usage.threads} thread(s) and ${usage.crons} cron(s); delete them first`, {
      details: { threads: usage.threads, crons: usage.crons },
    });
  }

  /**
   * A page of the defaults and the user's assistants: sorted by `sort_by` / `sort_order` all together (LangGraph's
   * order; `sort_by` defaults to created_at, `sort_order` to desc), or, with neither, defaults first, then the user's
   * assistants newest updated first. `has_more` says whether a next page exists.
   */
  async search(userId: string, request: AssistantSearch): Promise<{ assistants: Assistant[]; has_more: boolean }> {
    const end = request.offset + request.limit;
    if (request.sort_by || request.sort_order) {
      const order = { sort_by: request.sort_by ?? "created_at", sort_order: request.sort_order ?? "desc", limit: request.limit, offset: request.offset } as const;
      const defaultGraphIds = this.matchingDefaults(request).map((assistant) => assistant.graph_id);
      const entries = await sortedAssistantPage<AssistantRow>(this.deps.pool, { ownedMatch: OWNED_ASSISTANTS_MATCH, params: ownedAssistantsParams(userId, request), defaultGraphIds, order });
      const assistants = entries.map((entry) => ("row" in entry ? toAssistant(entry.row) : defaultAssistant(entry.defaultGraphId)));
      return { assistants: assistants.slice(0, request.limit), has_more: assistants.length > request.limit };
    }
    const { rows } = await this.deps.pool.query<AssistantRow>(
      `SELECT * FROM assistants WHERE ${OWNED_ASSISTANTS_MATCH} ORDER BY updated_at DESC, assistant_id LIMIT $5`,
      [...ownedAssistantsParams(userId, request), end + 1],
    );
    const all = [...this.matchingDefaults(request), ...rows.map(toAssistant)];
    return { assistants: all.slice(request.offset, end), has_more: all.length > end };
  }

  /** LangGraph's assistant count: what `search` would find with the same filters, all pages (defaults included). */
  async count(userId: string, filter: AssistantFilter): Promise<number> {
    const { rows } = await this.deps.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM assistants WHERE ${OWNED_ASSISTANTS_MATCH}`,
      ownedAssistantsParams(userId, filter),
    );
    return this.matchingDefaults(filter).length + (rows[0]?.count ?? 0);
  }

  /** The graphs' default assistants a filter keeps: they have no metadata of the caller's, so a metadata filter drops them. */
  private matchingDefaults(filter: AssistantFilter): Assistant[] {
    const name = filter.name?.toLowerCase();
    return this.deps.registry
      .graphIds()
      .filter((graphId) => !filter.graph_id || graphId === filter.graph_id)
      .filter(() => !filter.metadata || Object.keys(filter.metadata).length === 0)
      .filter((graphId) => name === undefined || graphId.toLowerCase().includes(name))
      .map(defaultAssistant);
  }

  /**
   * The assistant as one run sees it: its settings with the run's own overrides on top (`config.configurable` and
   * `context` of the run request, as LangGraph merges them), validated like the assistant's own settings.
   */
  async withRunSettings(assistant: Assistant, overrides: Record<string, unknown> | undefined): Promise<Assistant> {
    if (!overrides || Object.keys(overrides).length === 0) return assistant;
    // A run's context may carry keys its graph does not declare (LangGraph drops them); their values are checked.
    return { ...assistant, context: await this.validateSettings({ ...assistant.context, ...overrides }, assistant.graph_id, { unknownKeys: "ignore" }) };
  }

  /**
   * Refuse (400) a run's setting overrides as the assistant's own settings are refused when saved: validated
   * (`withRunSettings`), then the model and context-budget checks on the merged settings — a per-run
   * `context_budget` too small for the system context and tools once failed only when the run started, its message
   * already in the transcript. Nothing is checked for a run without overrides (the assistant's settings were).
   */
  async checkRunSettings(assistant: Assistant, overrides: Record<string, unknown> | undefined): Promise<void> {
    const merged = await this.withRunSettings(assistant, overrides);
    if (merged === assistant) return;
    await this.deps.checkSettings?.(merged.context).catch((error: unknown) => {
      if (error instanceof AppError) throw new AppError(error.code, `This run's settings: ${error.message}`, { details: error.details });
      throw error;
    });
  }

  /** The known assistant settings of a run request's `config.configurable` and `context` (context wins). */
  static runSettingOverrides(request: { config?: { configurable?: Record<string, unknown> } | null; context?: Record<string, unknown> | null }): Record<string, unknown> | undefined {
    const settings = mergeSettings({ config: request.config ?? undefined, context: request.context ?? undefined });
    return Object.keys(settings).length > 0 ? settings : undefined;
  }

  private async getOwned(userId: string, assistantId: string): Promise<Assistant> {
    if (this.deps.registry.has(assistantId)) throw new AppError("invalid_request", `The default assistant ${assistantId} is read-only; create your own`);
    return this.get(userId, assistantId);
  }

  /**
   * Threadline's settings checked, and the graph's own keys against the context schema the graph declares, if any
   * (`unknownKeys`: refused for an assistant's stored context, where a typo would be kept; ignored for a run's).
   */
  private async validateSettings(raw: Record<string, unknown>, graphId: string, options: { unknownKeys: "refuse" | "ignore" } = { unknownKeys: "refuse" }): Promise<AssistantSettings> {
    const parsed = assistantSettingsSchema.safeParse(raw);
    if (!parsed.success) throw new AppError("invalid_request", "Invalid assistant settings", { details: parsed.error.issues });
    const settings = parsed.data;
    if (settings.model) validateModelSpec(settings.model, this.deps.modelSettings, { baseUrl: settings.base_url, temperature: settings.temperature });
    // The server's model was validated at start-up, but not against this assistant's temperature.
    else if (this.deps.defaultModel) assertTemperatureAccepted(this.deps.defaultModel, settings.temperature, " (the server's MODEL)");
    if (settings.base_url) assertAssistantBaseUrl(settings.base_url, this.deps.modelSettings);
    const unknownTools = (settings.tools ?? []).filter((name) => !this.deps.toolNames.includes(name));
    if (unknownTools.length > 0) {
      throw new AppError("invalid_request", `Unknown tools: ${unknownTools.join(", ")}. Available: ${this.deps.toolNames.join(", ")}`);
    }
    if (this.deps.registry.has(graphId)) checkGraphContext(graphId, await this.deps.registry.resolve(graphId, settings), settings, options);
    return settings;
  }
}

/** Settings may come in `config.configurable` (older clients) or `context`; context wins. */
function mergeSettings(input: AssistantInput): Record<string, unknown> {
  const known = Object.keys(assistantSettingsSchema.shape);
  const fromConfigurable = Object.fromEntries(Object.entries(input.config?.configurable ?? {}).filter(([key]) => known.includes(key)));
  return { ...fromConfigurable, ...(input.context ?? {}) };
}

/** An update merges settings into the current ones: a setting given as `null` is removed (it is back to its default). */
function withoutNulls(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== null));
}

function versionNotFound(assistantId: string, version: number): AppError {
  return new AppError("not_found", `Version ${version} of assistant ${assistantId} not found`);
}

function defaultAssistant(graphId: string): Assistant {
  return {
    assistant_id: graphId,
    graph_id: graphId,
    name: graphId,
    description: `Default assistant of graph ${graphId}`,
    config: {},
    context: {},
    metadata: { created_by: "system" },
    version: 1,
    created_at: EPOCH,
    updated_at: EPOCH,
  };
}
