import ipaddr from "ipaddr.js";

/**
 * The named range of an IP address (ipaddr.js' classification: `unicast` is the public internet; anything else —
 * `loopback`, `private`, `linkLocal` (169.254/16, cloud metadata), `uniqueLocal` (fc00::/7), `unspecified`,
 * `carrierGradeNat`, `reserved`, `ipv4Compatible`, … — is not). IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as
 * the IPv4 it carries, so it cannot smuggle a private address. Undefined when `address` is not an IP address.
 */
export function addressRange(address: string): string | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.process(bare);
  const range = parsed.range();
  // IPv4-compatible IPv6 (`::127.0.0.1`, ::/96, deprecated by RFC 4291): ipaddr.js calls it unicast, but where the
  // kernel has a `sit` tunnel it reaches the IPv4 it carries. No public service is addressed that way.
  if (range === "unicast" && parsed.kind() === "ipv6" && parsed.toByteArray().slice(0, 12).every((byte) => byte === 0)) return "ipv4Compatible";
  return range;
}

/** Whether an address is on the public internet (see `addressRange`). */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

/** Whether an allow-list entry (`OUTBOUND_ALLOW_HOSTS`) matches an address: the same IP, or a CIDR range holding it. */
export function entryMatchesAddress(entry: string, address: string): boolean {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  const parsed = ipaddr.process(bare);
  if (entry.includes("/")) {
    if (!ipaddr.isValidCIDR(entry)) return false;
    const [network, bits] = ipaddr.parseCIDR(entry);
    return parsed.kind() === network.kind() && parsed.match(network, bits);
  }
  return ipaddr.isValid(entry) && ipaddr.process(entry).toNormalizedString() === parsed.toNormalizedString();
}

/** Whether a string is a usable allow-list entry: a CIDR range, an IP address or a host name. */
export function isAllowHostEntry(entry: string): boolean {
  if (entry.includes("/")) return ipaddr.isValidCIDR(entry);
  return ipaddr.isValid(entry) || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(entry);
}
