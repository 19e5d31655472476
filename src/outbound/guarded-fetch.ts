import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { ALLOW_HINT, literalRefusal, type OutboundPolicy, refusedRange } from "./outbound-policy.js";

/** Raised (as a fetch failure's `cause`) when a connection would reach a non-public address. */
export class OutboundRefusedError extends Error {
  override name = "OutboundRefusedError";
}

/** The refusal behind a failure (fetch wraps it as its `cause`), recognised by name across module copies. */
export function findOutboundRefusal(error: unknown): Error | undefined {
  for (let current = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    if (current.name === "OutboundRefusedError") return current;
  }
  return undefined;
}

/**
 * Resolve as `dns.lookup` (or `resolve`, in tests) does, then drop refused addresses: the addresses checked are the ones connected to, so
 * a name that resolves to a public address when checked and a private one a moment later (DNS rebinding) cannot
 * slip through.
 */
export function guardedLookup(policy: OutboundPolicy, resolve: typeof dns.lookup = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const allowed = addresses.filter((entry) => refusedRange(hostname, entry.address, policy) === undefined);
      const first = allowed[0];
      if (!first) {
        const ranges = [...new Set(addresses.map((entry) => refusedRange(hostname, entry.address, policy)))].join(", ");
        return callback(new OutboundRefusedError(`${hostname} resolves to a ${ranges} address, which this server does not call: ${ALLOW_HINT}`), "", 0);
      }
      // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) (callback as unknown as (error: null, addresses: dns.LookupAddress[]) => void)(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * A `fetch` that connects only where the policy allows: IP literals (redirect targets included) are checked per
 * connection, names after resolution, on the address actually used. Refusals fail the fetch with an
 * `OutboundRefusedError` cause.
 * @example new ChatOpenAI({ configuration: { baseURL, fetch: createGuardedFetch(policy) } })
 */
export function createGuardedFetch(policy: OutboundPolicy): typeof fetch {
  let guarded = fetches.get(policy);
  if (!guarded) fetches.set(policy, (guarded = buildGuardedFetch(policy)));
  return guarded;
}

/** One connection pool per policy: models are built per run, and each would otherwise open its own. */
const fetches = new WeakMap<OutboundPolicy, typeof fetch>();

function buildGuardedFetch(policy: OutboundPolicy): typeof fetch {
  const connect = buildConnector({ lookup: guardedLookup(policy) });
  const dispatcher = new Agent({
    connect: (options, callback) => {
      const range = literalRefusal(options.hostname, policy);
      if (range) {
        callback(new OutboundRefusedError(`${options.hostname} is a ${range} address, which this server does not call: ${ALLOW_HINT}`), null);
        return;
      }
      connect(options, callback);
    },
  });
  return ((input: string | URL | Request, init?: RequestInit) => {
    if (typeof input !== "string" && !(input instanceof URL)) throw new TypeError("the guarded fetch takes a URL, not a Request");
    return undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  }) as unknown as typeof fetch;
}
