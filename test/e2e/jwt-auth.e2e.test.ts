import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database.js";
import { startTestServer } from "../helpers/test-server.js";
import { TestWsClient } from "../helpers/ws-client.js";

const SECRET = "a-shared-secret-of-some-length";
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const hs256 = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode(secret));

describe("AUTH_MODE=jwt", () => {
  it("closes a socket whose token expires while it is open (1008, after an unauthorized frame)", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: SECRET, WS_REAUTH_MS: 200 } });
    const shortLived = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(Math.floor(Date.now() / 1000) + 2).sign(new TextEncoder().encode(SECRET));
    await using alice = await TestWsClient.connect(server.wsUrl, { token: shortLived });
    await using bob = await TestWsClient.connect(server.wsUrl, { token: await hs256({ sub: "bob" }) });
    await alice.call("thread.list", {});
    expect(await alice.closed(15_000)).toEqual({ code: 1008, reason: "credentials revoked or expired" });
    expect(alice.frames.some((frame) => frame.type === "error" && frame.code === "unauthorized")).toBe(true);
    await bob.call("thread.list", {});
  });

  it("HS256: sub is the user; bad signatures, missing sub and expired tokens are refused", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: SECRET } });
    await using alice = await TestWsClient.connect(server.wsUrl, { token: await hs256({ sub: "alice" }), tokenInQuery: true });
    const session = await alice.call<{ user_id: string }>("thread.open", { window_id: "w" });
    expect(session.user_id).toBe("alice");
    const http = await fetch(`${server.url}/threads/search`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await hs256({ sub: "bob" })}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(await http.json()).toEqual([]);
    for (const token of [await hs256({ sub: "alice" }, "another-secret-entirely"), await hs256({ name: "no sub" })]) {
      await expect(TestWsClient.connect(server.wsUrl, { token })).rejects.toThrow(/401/);
    }
    const expired = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(SECRET));
    const refused = await fetch(`${server.url}/threads/search`, { method: "POST", headers: { Authorization: `Bearer ${expired}`, "Content-Type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "unauthorized" });
  });

  it("refuses a token without exp (valid for ever) unless JWT_REQUIRE_EXP=false", async () => {
    const forever = await new SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().sign(new TextEncoder().encode(SECRET));
    const search = (url: string) => fetch(`${url}/threads/search`, { method: "POST", headers: { Authorization: `Bearer ${forever}`, "Content-Type": "application/json" }, body: "{}" });
    {
      await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: SECRET } });
      const refused = await search(server.url);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: "unauthorized", message: expect.stringMatching(/exp/) as unknown });
      await expect(TestWsClient.connect(server.wsUrl, { token: forever })).rejects.toThrow(/401/);
    }
    await using lenient = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: SECRET, JWT_REQUIRE_EXP: false } });
    expect((await search(lenient.url)).status).toBe(200);
  });

  it("public keys (RS256) with issuer and audience checks", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    await using server = await startTestServer({
      databaseUrl: database.url,
      env: { AUTH_MODE: "jwt", JWT_PUBLIC_KEY: pem, JWT_ISSUER: "https://idp.example", JWT_AUDIENCE: "threadline" },
    });
    const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setExpirationTime("5m").sign(privateKey);
    await using carol = await TestWsClient.connect(server.wsUrl, { token: await sign({ sub: "carol", iss: "https://idp.example", aud: "threadline" }) });
    expect((await carol.call<{ user_id: string }>("thread.open", {})).user_id).toBe("carol");
    await expect(TestWsClient.connect(server.wsUrl, { token: await sign({ sub: "carol", iss: "https://evil.example", aud: "threadline" }) })).rejects.toThrow(/401/);
    await expect(TestWsClient.connect(server.wsUrl, { token: await sign({ sub: "carol", iss: "https://idp.example", aud: "other" }) })).rejects.toThrow(/401/);
  });

  it("refuses a sub Postgres cannot store as it was sent (NUL, unpaired surrogates: two such users would share one account)", async () => {
    await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_SECRET: SECRET } });
    // And a blank one, one with spaces around it (an account of its own that shows as "alice"), or one longer than a
    // user id may be (255).
    for (const sub of ["alice\u0000admin", "user-\ud800", "user-\udc00", "   ", " alice ", "alice\n", "x".repeat(5000)]) {
      const response = await fetch(`${server.url}/threads/search`, { method: "POST", headers: { Authorization: `Bearer ${await hs256({ sub })}`, "Content-Type": "application/json" }, body: "{}" });
      expect(response.status, JSON.stringify(sub)).toBe(401);
      expect(await response.json()).toMatchObject({ code: "unauthorized", message: expect.stringContaining("sub") as unknown });
      await expect(TestWsClient.connect(server.wsUrl, { token: await hs256({ sub }) })).rejects.toThrow(/401/);
    }
  });

  it("accepts every asymmetric algorithm jose verifies: ES512 (P-521), PS384, PS512", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-521" });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const [alg, pair] of [["ES512", ec], ["PS384", rsa], ["PS512", rsa]] as const) {
      const pem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
      await using server = await startTestServer({ databaseUrl: database.url, env: { AUTH_MODE: "jwt", JWT_PUBLIC_KEY: pem } });
      const token = await new SignJWT({ sub: `user-${alg}` }).setProtectedHeader({ alg }).setExpirationTime("5m").sign(pair.privateKey);
      await using client = await TestWsClient.connect(server.wsUrl, { token });
      expect((await client.call<{ user_id: string }>("thread.open", {})).user_id).toBe(`user-${alg}`);
    }
  });
});
