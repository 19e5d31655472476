import type { Config } from "../config.js";
import { AppError } from "../errors/app-error.js";
import { addressRange, entryMatchesAddress } from "./address-range.js";

/** Which non-public destinations user-supplied URLs (webhooks, assistants' base_url) may reach. */
export interface OutboundPolicy {
  /** Every private, loopback and link-local destination is allowed (`OUTBOUND_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
  /** Host names, IP addresses and CIDR ranges allowed although not public (`OUTBOUND_ALLOW_HOSTS`), lower case. */
  allowHosts: readonly string[];
}

/** The policy from the parsed configuration, built once at start-up. */
export function outboundPolicyFromConfig(config: Pick<Config, "OUTBOUND_ALLOW_PRIVATE" | "OUTBOUND_ALLOW_HOSTS">): OutboundPolicy {
  return { allowPrivate: config.OUTBOUND_ALLOW_PRIVATE, allowHosts: config.OUTBOUND_ALLOW_HOSTS };
}

/** What an operator sets to allow a refused destination; quoted by every refusal. */
export const ALLOW_HINT = "set OUTBOUND_ALLOW_PRIVATE=true, or list the host or its range in OUTBOUND_ALLOW_HOSTS, to allow it";

/** Names that always mean this machine, whatever DNS says (RFC 6761). */
function isLocalhostName(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost");
}

/** Whether the host name itself is allow-listed (every address it resolves to is then allowed). */
export function isAllowedHostName(hostname: string, policy: OutboundPolicy): boolean {
  return policy.allowPrivate || policy.allowHosts.includes(hostname.toLowerCase());
}

/**
 * Why connecting to `address` (on behalf of `hostname`) is refused, or undefined when it is allowed: the address's
 * range (`loopback`, `private`, `linkLocal`, …) when it is not public and neither it nor the host is allow-listed.
 */
export function refusedRange(hostname: string, address: string, policy: OutboundPolicy): string | undefined {
  const range = addressRange(address);
  if (range === undefined || range === "unicast") return undefined;
  if (isAllowedHostName(hostname, policy)) return undefined;
  if (policy.allowHosts.some((entry) => entryMatchesAddress(entry, address))) return undefined;
  return range;
}

/**
 * The refusal visible without DNS — an IP literal or a localhost name — or undefined. Names that resolve to
 * private addresses are caught when connecting (`createGuardedFetch`), where DNS rebinding cannot get past.
 */
export function literalRefusal(hostname: string, policy: OutboundPolicy): string | undefined {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  // A localhost name is judged as the loopback address it stands for.
  return refusedRange(bare, isLocalhostName(bare.toLowerCase()) ? "127.0.0.1" : bare, policy);
}

/**
 * Refuse, as `invalid_request`, a user-supplied URL whose host is a non-public address (checked when a webhook or
 * an assistant is created, so the mistake is reported to whoever made it).
 * @example assertOutboundUrl(body.webhook, policy, "webhook")
 */
export function assertOutboundUrl(url: string, policy: OutboundPolicy, what: string): void {
  const hostname = new URL(url).hostname;
  const range = literalRefusal(hostname, policy);
  if (range) throw new AppError("invalid_request", `${what} ${hostname} is a ${range} address, which this server does not call: ${ALLOW_HINT}`);
}
