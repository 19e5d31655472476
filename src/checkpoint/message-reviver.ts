import * as messageModule from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";

type MessageClass = new (fields: Record<string, unknown>) => BaseMessage;

/**
 * Rebuild one stored LangChain message exactly as the serializer would (JsonPlusSerializer → `load`), without its
 * per-value async recursion and second JSON round trip, which make a revived message cost ~50× its construction.
 * Handles the common case only: a `langchain_core/messages` constructor record whose kwargs are plain JSON. Anything
 * else — nested LangChain records, escaped objects, `lc` markers anywhere — returns undefined, and the caller
 * falls back to the serializer. Exactness against the serializer is what the saver's exactness tests check.
 */
export function reviveMessage(json: string): BaseMessage | undefined {
  const record = JSON.parse(json) as unknown;
  if (!isMessageRecord(record)) return undefined;
  const name = record.id[2];
  const builder = (messageModule as unknown as Record<string, unknown>)[name];
  if (typeof builder !== "function") return undefined;
  const kwargs = plainJson(record.kwargs);
  if (kwargs === UNUSUAL) return undefined;
  const MessageClass = builder as MessageClass;
  // What `load` does with a constructor record: camelCase the keys (unless aliased), construct, name the class.
  const instance = new MessageClass(mapKeys(kwargs as Record<string, unknown>, invertedAliases(MessageClass)));
  Object.defineProperty(instance.constructor, "name", { value: name });
  return instance;
}

interface MessageRecord {
  lc: 1;
  type: "constructor";
  id: [string, string, string];
  kwargs: Record<string, unknown>;
}

function isMessageRecord(value: unknown): value is MessageRecord {
  if (!isObject(value) || value.lc !== 1 || value.type !== "constructor" || !isObject(value.kwargs)) return false;
  const id = value.id;
  return Array.isArray(id) && id.length === 3 && id[0] === "langchain_core" && id[1] === "messages" && typeof id[2] === "string";
}

const UNUSUAL = Symbol("unusual");

/**
 * The kwargs as `load` receives them: JsonPlusSerializer turns `{lc: 2, type: "undefined"}` into undefined, and
 * `load` gets the value through JSON.stringify, which drops such properties and writes such array items as null.
 * Anything else the revivers treat specially (records, escapes) makes the message go the slow way.
 */
function plainJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const plain = isUndefinedRecord(item) ? null : plainJson(item);
      if (plain === UNUSUAL) return UNUSUAL;
      items.push(plain);
    }
    return items;
  }
  if (!isObject(value)) return value;
  if ("lc" in value || "__lc_escaped__" in value) return UNUSUAL;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isUndefinedRecord(item)) continue;
    const plain = plainJson(item);
    if (plain === UNUSUAL) return UNUSUAL;
    copy[key] = plain;
  }
  return copy;
}

function isUndefinedRecord(value: unknown): boolean {
  return isObject(value) && value.lc === 2 && value.type === "undefined" && Object.keys(value).length === 2;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const aliasCache = new WeakMap<object, Record<string, string>>();

/** `lc_aliases` of the class and its ancestors, value → key (as `load` inverts them). */
function invertedAliases(builder: MessageClass): Record<string, string> {
  const cached = aliasCache.get(builder);
  if (cached) return cached;
  const aliases: Record<string, string> = {};
  for (let current: unknown = builder; typeof current === "function" && (current as { prototype?: unknown }).prototype; current = Object.getPrototypeOf(current)) {
    Object.assign(aliases, Reflect.get((current as { prototype: object }).prototype, "lc_aliases") as Record<string, string> | undefined);
  }
  const inverted = Object.fromEntries(Object.entries(aliases).map(([key, value]) => [value, key]));
  aliasCache.set(builder, inverted);
  return inverted;
}

/** `@langchain/core/load/map_keys` (not exported): keys from JSON to camelCase, aliases first. */
function mapKeys(fields: Record<string, unknown>, aliases: Record<string, string>): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const key in fields) if (Object.hasOwn(fields, key)) mapped[aliases[key] || camelCase(key)] = fields[key];
  return mapped;
}

function camelCase(key: string): string {
  const trimmed = key.trim();
  if (!/[-_\s]/.test(trimmed)) return trimmed;
  return trimmed
    .replace(/[-_\s]+/g, "_")
    .toLowerCase()
    .replace(/_+([a-z0-9])/g, (_match, char: string) => char.toUpperCase());
}
