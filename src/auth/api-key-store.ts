import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { isUuid } from "../db/ids.js";
import { AppError, notFound } from "../errors/app-error.js";
import { userIdProblem } from "./user.js";

/** A key as listed: never the key itself, only its prefix. */
export interface ApiKeyInfo {
  key_id: string;
  user_id: string;
  name: string | null;
  key_prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const KEY_PREFIX = "tl_";

/** SHA-256 suffices for 256-bit random keys (no dictionary to attack); the hash is what is stored. */
function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** API keys, stored hashed. */
export class ApiKeyStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Create a key for a user; the plain key is returned once and never stored. */
  async create(userId: string, name?: string): Promise<{ key: string; info: ApiKeyInfo }> {
    if (userId.trim() !== "" && userId !== userId.trim()) throw new AppError("invalid_request", `The user id ${JSON.stringify(userId)} has spaces around it: a key would authenticate as that, not as ${JSON.stringify(userId.trim())}`);
    const problem = userIdProblem(userId);
    if (problem) throw new AppError("invalid_request", `The user id ${JSON.stringify(userId)} ${problem}`);
    const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
    const { rows } = await this.pool.query<ApiKeyRow>(
      `INSERT INTO api_keys (key_id, user_id, name, key_prefix, key_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING key_id, user_id, name, key_prefix, created_at, last_used_at, revoked_at`,
      [randomUUID(), userId, name ?? null, key.slice(0, 10), hashKey(key)],
    );
    return { key, info: toInfo(rows[0] as ApiKeyRow) };
  }

  /** Keys, optionally of one user, newest first. */
  async list(userId?: string): Promise<ApiKeyInfo[]> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `SELECT key_id, user_id, name, key_prefix, created_at, last_used_at, revoked_at FROM api_keys
        WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at DESC`,
      [userId ?? null],
    );
    return rows.map(toInfo);
  }

  /** Revoke by key id (later requests with it are unauthorized): when, and whether it already was (nothing changes). */
  async revoke(keyId: string): Promise<{ revoked_at: Date; already: boolean }> {
    const { rows } = isUuid(keyId)
      ? await this.pool.query<{ revoked_at: Date; already: boolean }>(
          `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE key_id = $1
           RETURNING revoked_at, revoked_at < now() AS already`,
          [keyId],
        )
      : { rows: [] };
    const row = rows[0];
    if (!row) throw notFound("API key", keyId);
    return row;
  }

  /** The user a live key belongs to, or undefined. */
  async verify(key: string): Promise<string | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const { rows } = await this.pool.query<{ user_id: string }>(
      "UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING user_id",
      [hashKey(key)],
    );
    return rows[0]?.user_id;
  }
}

interface ApiKeyRow extends Omit<ApiKeyInfo, "created_at" | "last_used_at" | "revoked_at"> {
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
