import type pg from "pg";

/** What went over the wire between the saver and Postgres. */
export interface QueryTally {
  statements: number;
  rowsRead: number;
  /** Σ size of every value in every returned row (bytes of text, buffers, JSON as text). */
  bytesRead: number;
  /** Σ size of every parameter of data-modifying statements (arrays element by element). */
  bytesWritten: number;
}

/** An empty tally. */
export const emptyTally = (): QueryTally => ({ statements: 0, rowsRead: 0, bytesRead: 0, bytesWritten: 0 });

/**
 * Wrap a pool so every query — through `pool.query` or a checked-out client — is counted into `tally`. Counts
 * rows and bytes, never time, so assertions on it do not depend on how busy the machine is.
 */
export function countingPool(pool: pg.Pool, tally: () => QueryTally): pg.Pool {
  const count = async (run: (text: unknown, values: unknown) => Promise<pg.QueryResult>, text: unknown, values: unknown) => {
    const result = await run(text, values);
    const current = tally();
    current.statements += 1;
    if (typeof text === "string" && /\b(INSERT|UPDATE|DELETE)\b/i.test(text)) current.bytesWritten += sizeOf(values);
    for (const row of result.rows as Record<string, unknown>[]) {
      current.rowsRead += 1;
      current.bytesRead += sizeOf(Object.values(row));
    }
    return result;
  };
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === "query") return (text: unknown, values: unknown) => count((t, v) => target.query(t as string, v as unknown[]), text, values);
      if (property === "connect") {
        return async () => {
          const client = await target.connect();
          return new Proxy(client, {
            get(inner, name, innerReceiver) {
              if (name === "query") return (text: unknown, values: unknown) => count((t, v) => inner.query(t as string, v as unknown[]), text, values);
              const member: unknown = Reflect.get(inner, name, innerReceiver);
              return typeof member === "function" ? (member as (...args: unknown[]) => unknown).bind(inner) : member;
            },
          });
        };
      }
      const member: unknown = Reflect.get(target, property, receiver);
      return typeof member === "function" ? (member as (...args: unknown[]) => unknown).bind(target) : member;
    },
  });
}

function sizeOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Buffer.isBuffer(value)) return value.length;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "boolean") return 8;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item), 0);
  return Buffer.byteLength(JSON.stringify(value));
}
