import type dns from "node:dns";
import { describe, expect, it } from "vitest";
import { isAppError } from "../errors/app-error.js";
import { addressRange, isAllowHostEntry } from "./address-range.js";
import { guardedLookup } from "./guarded-fetch.js";
import { assertOutboundUrl, literalRefusal, type OutboundPolicy } from "./outbound-policy.js";

const STRICT: OutboundPolicy = { allowPrivate: false, allowHosts: [] };

describe("addressRange", () => {
  it.each([
    ["8.8.8.8", "unicast"],
    ["2606:4700::1111", "unicast"],
    ["127.0.0.1", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["fe80::1", "linkLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["0.0.0.0", "unspecified"],
    ["100.64.0.1", "carrierGradeNat"],
    // IPv4-mapped IPv6 is judged as the IPv4 address it carries.
    ["::ffff:127.0.0.1", "loopback"],
    ["[::ffff:a9fe:a9fe]", "linkLocal"],
    // IPv4-compatible IPv6 (::/96, deprecated) is never public: a `sit` tunnel carries it to the IPv4 inside. URLs
    // and DNS give it in hex (`http://[::127.0.0.1]/` is `[::7f00:1]`); written dotted, it is judged as that IPv4.
    ["::7f00:1", "ipv4Compatible"],
    ["[::a9fe:a9fe]", "ipv4Compatible"],
    ["::808:808", "ipv4Compatible"],
    ["::127.0.0.1", "loopback"],
  ])("%s is %s", (address, range) => expect(addressRange(address)).toBe(range));

  it("knows allow-list entries", () => {
    expect(["ollama.internal", "10.0.0.5", "192.168.0.0/16", "fd00::/8"].every(isAllowHostEntry)).toBe(true);
    expect(["10.0.0.0/99", "http://x", "a b"].some(isAllowHostEntry)).toBe(false);
  });
});

describe("literalRefusal", () => {
  it("refuses non-public literals and localhost names, and lets public ones and other names through (DNS decides)", () => {
    expect(literalRefusal("169.254.169.254", STRICT)).toBe("linkLocal");
    expect(literalRefusal("[fd00::1]", STRICT)).toBe("uniqueLocal");
    expect(literalRefusal(new URL("http://[::127.0.0.1]:5432/").hostname, STRICT)).toBe("ipv4Compatible");
    expect(literalRefusal("LOCALHOST", STRICT)).toBe("loopback");
    expect(literalRefusal("api.localhost", STRICT)).toBe("loopback");
    expect(literalRefusal("93.184.216.34", STRICT)).toBeUndefined();
    expect(literalRefusal("example.com", STRICT)).toBeUndefined();
  });

  it("allows what OUTBOUND_ALLOW_PRIVATE or OUTBOUND_ALLOW_HOSTS allows, and only that", () => {
    expect(literalRefusal("10.0.0.7", { allowPrivate: true, allowHosts: [] })).toBeUndefined();
    const listed: OutboundPolicy = { allowPrivate: false, allowHosts: ["10.0.0.0/24", "localhost", "fd00::1"] };
    expect(literalRefusal("10.0.0.7", listed)).toBeUndefined();
    expect(literalRefusal("10.0.1.7", listed)).toBe("private");
    expect(literalRefusal("localhost", listed)).toBeUndefined();
    expect(literalRefusal("[fd00::1]", listed)).toBeUndefined();
    expect(literalRefusal("127.0.0.1", listed)).toBe("loopback");
  });
});

describe("assertOutboundUrl", () => {
  it("throws invalid_request naming the settings that allow it", () => {
    let caught: unknown;
    try {
      assertOutboundUrl("http://169.254.169.254/latest/meta-data", STRICT, "webhook");
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe("invalid_request");
    expect((caught as Error).message).toMatch(/webhook 169\.254\.169\.254 is a linkLocal address.*OUTBOUND_ALLOW_PRIVATE=true.*OUTBOUND_ALLOW_HOSTS/);
    expect(() => assertOutboundUrl("https://hooks.example.com/x", STRICT, "webhook")).not.toThrow();
  });
});

describe("guardedLookup (DNS, checked on the address connected to)", () => {
  /** A resolver answering every name with the given addresses, as dns.lookup with `all: true` would. */
  const resolvingTo = (...addresses: string[]) =>
    ((_hostname: string, _options: unknown, callback: (error: null, addresses: dns.LookupAddress[]) => void) =>
      callback(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })))) as unknown as typeof dns.lookup;

  const lookUp = (policy: OutboundPolicy, resolver: typeof dns.lookup, { hostname = "rebind.example", all = false } = {}) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) => {
      guardedLookup(policy, resolver)(hostname, { all }, (error: Error | null, address: unknown) => resolve({ error, result: address }));
    });

  it("refuses a name that resolves only to non-public addresses (DNS rebinding to metadata)", async () => {
    const { error } = await lookUp(STRICT, resolvingTo("169.254.169.254"));
    expect(error?.name).toBe("OutboundRefusedError");
    expect(error?.message).toMatch(/rebind\.example resolves to a linkLocal address.*OUTBOUND_ALLOW_HOSTS/);
  });

  it("connects only to the public addresses of a mixed answer", async () => {
    expect((await lookUp(STRICT, resolvingTo("10.0.0.1", "93.184.216.34"))).result).toBe("93.184.216.34");
    expect((await lookUp(STRICT, resolvingTo("10.0.0.1", "93.184.216.34"), { all: true })).result).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it("lets an allow-listed name or range resolve to private addresses", async () => {
    expect((await lookUp({ allowPrivate: false, allowHosts: ["ollama.internal"] }, resolvingTo("10.0.0.9"), { hostname: "ollama.internal" })).result).toBe("10.0.0.9");
    expect((await lookUp({ allowPrivate: false, allowHosts: ["10.0.0.0/8"] }, resolvingTo("10.0.0.9"))).result).toBe("10.0.0.9");
  });
});
