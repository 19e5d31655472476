import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopbackHost, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has documented defaults", () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({ PORT: 8123, HOST: "127.0.0.1", AUTH_MODE: "none", LOG_LEVEL: "info", FAKE_CHUNK_DELAY_MS: 0 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.modelIsDefault).toBe(true);
    expect(config).toMatchObject({ DELTA_FLUSH_MS: 50, EVENT_DELTA_RETENTION_MINUTES: 60, RUN_DURABILITY: "async" });
    expect(config.CHECKPOINT_RETENTION_DAYS).toBeUndefined();
  });

  it("RUN_DURABILITY takes sync, async or exit and refuses anything else", () => {
    expect(loadConfig({ env: { RUN_DURABILITY: "exit" } }).RUN_DURABILITY).toBe("exit");
    expect(() => loadConfig({ env: { RUN_DURABILITY: "sometimes" } })).toThrow(/RUN_DURABILITY/);
  });

  it("DATABASE_PREPARED_STATEMENTS defaults to on, takes false and refuses other words", () => {
    expect(loadConfig({ env: {} }).DATABASE_PREPARED_STATEMENTS).toBe(true);
    expect(loadConfig({ env: { DATABASE_PREPARED_STATEMENTS: "false" } }).DATABASE_PREPARED_STATEMENTS).toBe(false);
    expect(() => loadConfig({ env: { DATABASE_PREPARED_STATEMENTS: "maybe" } })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it("DATABASE_PIPELINE defaults to on and takes false", () => {
    expect(loadConfig({ env: {} }).DATABASE_PIPELINE).toBe(true);
    expect(loadConfig({ env: { DATABASE_PIPELINE: "0" } }).DATABASE_PIPELINE).toBe(false);
    expect(() => loadConfig({ env: { DATABASE_PIPELINE: "sometimes" } })).toThrow(/DATABASE_PIPELINE/);
  });

  it("CHECKPOINT_CACHE_THREADS defaults to 256, takes 0 (off) and refuses negatives and fractions", () => {
    expect(loadConfig({ env: {} }).CHECKPOINT_CACHE_THREADS).toBe(256);
    expect(loadConfig({ env: { CHECKPOINT_CACHE_THREADS: "0" } }).CHECKPOINT_CACHE_THREADS).toBe(0);
    expect(() => loadConfig({ env: { CHECKPOINT_CACHE_THREADS: "-1" } })).toThrow(/CHECKPOINT_CACHE_THREADS/);
    expect(() => loadConfig({ env: { CHECKPOINT_CACHE_THREADS: "1.5" } })).toThrow(/CHECKPOINT_CACHE_THREADS/);
  });

  it("RUN_CUSTOM_EVENTS_MAX defaults to 10000, takes 0 (no custom events) and refuses negatives and fractions", () => {
    expect(loadConfig({ env: {} }).RUN_CUSTOM_EVENTS_MAX).toBe(10_000);
    expect(loadConfig({ env: { RUN_CUSTOM_EVENTS_MAX: "0" } }).RUN_CUSTOM_EVENTS_MAX).toBe(0);
    expect(() => loadConfig({ env: { RUN_CUSTOM_EVENTS_MAX: "-1" } })).toThrow(/RUN_CUSTOM_EVENTS_MAX/);
    expect(() => loadConfig({ env: { RUN_CUSTOM_EVENTS_MAX: "2.5" } })).toThrow(/RUN_CUSTOM_EVENTS_MAX/);
  });

  it("refuses an EVENT_DELTA_RETENTION_MINUTES that is negative or not a number; 0 compacts at the next sweep", () => {
    expect(() => loadConfig({ env: { EVENT_DELTA_RETENTION_MINUTES: "-5" } })).toThrow(/EVENT_DELTA_RETENTION_MINUTES/);
    expect(() => loadConfig({ env: { EVENT_DELTA_RETENTION_MINUTES: "soon" } })).toThrow(/EVENT_DELTA_RETENTION_MINUTES/);
    expect(loadConfig({ env: { EVENT_DELTA_RETENTION_MINUTES: "0" } }).EVENT_DELTA_RETENTION_MINUTES).toBe(0);
  });

  it("reads numbers in decimal digits only: a blank, hex or exponent is refused, not read as another number", () => {
    expect(loadConfig({ env: { PORT: " 9000 ", CHECKPOINT_RETENTION_DAYS: "1.5" } })).toMatchObject({ PORT: 9000, CHECKPOINT_RETENTION_DAYS: 1.5 });
    // z.coerce read " " as 0: PORT 0 listens on a random port, a retention of 0 days prunes at once.
    expect(() => loadConfig({ env: { PORT: " " } })).toThrow(/PORT \(or --port\): must be a whole number in decimal digits/);
    expect(() => loadConfig({ env: { CHECKPOINT_RETENTION_DAYS: " " } })).toThrow(/CHECKPOINT_RETENTION_DAYS/);
    expect(() => loadConfig({ env: { PORT: "0x1F90" } })).toThrow(/PORT/);
    expect(() => loadConfig({ env: { MAX_BODY_BYTES: "1e6" } })).toThrow(/MAX_BODY_BYTES/);
    expect(() => loadConfig({ env: { THREAD_TTL_MINUTES: "Infinity" } })).toThrow(/THREAD_TTL_MINUTES/);
  });

  it("lets explicit overrides win over the environment", () => {
    const config = loadConfig({ env: { PORT: "9000", MODEL: "fake" }, overrides: { PORT: 0 } });
    expect(config.PORT).toBe(0);
    expect(config.MODEL).toBe("fake");
    expect(config.modelIsDefault).toBe(false);
  });

  it("names the variable and its flag in errors", () => {
    expect(() => loadConfig({ env: { PORT: "http" } })).toThrow(/PORT \(or --port\)/);
    expect(() => loadConfig({ env: { AUTH_MODE: "magic" } })).toThrow(/AUTH_MODE \(or --auth-mode\)/);
  });

  it("allows private outbound destinations by default only when the server is single-user (AUTH_MODE=none)", () => {
    expect(loadConfig({ env: {} })).toMatchObject({ OUTBOUND_ALLOW_PRIVATE: true, OUTBOUND_ALLOW_HOSTS: [] });
    expect(loadConfig({ env: { AUTH_MODE: "apikey" } }).OUTBOUND_ALLOW_PRIVATE).toBe(false);
    expect(loadConfig({ env: { OUTBOUND_ALLOW_PRIVATE: "false" } }).OUTBOUND_ALLOW_PRIVATE).toBe(false);
    expect(loadConfig({ env: { AUTH_MODE: "apikey", OUTBOUND_ALLOW_PRIVATE: "true" } }).OUTBOUND_ALLOW_PRIVATE).toBe(true);
    expect(loadConfig({ env: { OUTBOUND_ALLOW_HOSTS: " Ollama.internal, 10.0.0.0/8 ,fd00::1" } }).OUTBOUND_ALLOW_HOSTS).toEqual(["ollama.internal", "10.0.0.0/8", "fd00::1"]);
    expect(() => loadConfig({ env: { OUTBOUND_ALLOW_HOSTS: "10.0.0.0/99" } })).toThrow(/OUTBOUND_ALLOW_HOSTS: each entry must be/);
  });

  it("reads RATE_LIMIT_SCOPE as instance or cluster; unset is left for the database kind to decide", () => {
    expect(loadConfig({ env: {} }).RATE_LIMIT_SCOPE).toBeUndefined();
    expect(loadConfig({ env: { RATE_LIMIT_SCOPE: "instance" } }).RATE_LIMIT_SCOPE).toBe("instance");
    expect(loadConfig({ env: { RATE_LIMIT_SCOPE: "cluster" } }).RATE_LIMIT_SCOPE).toBe("cluster");
    expect(() => loadConfig({ env: { RATE_LIMIT_SCOPE: "global" } })).toThrow(/RATE_LIMIT_SCOPE: .*"instance"\|"cluster"/);
  });

  it("refuses a retention longer than a century (it cannot be turned into a checkpoint id)", () => {
    expect(loadConfig({ env: { CHECKPOINT_RETENTION_DAYS: "36500" } }).CHECKPOINT_RETENTION_DAYS).toBe(36_500);
    expect(() => loadConfig({ env: { CHECKPOINT_RETENTION_DAYS: "1e9" } })).toThrow(/CHECKPOINT_RETENTION_DAYS/);
  });

  it("reads flags as environments write them, in any case, and names the accepted words otherwise", () => {
    for (const yes of ["true", "TRUE", "True", "1", "yes", "Yes", "on", "ON"]) expect(loadConfig({ env: { LOCAL_MODEL_GPU: yes } }).LOCAL_MODEL_GPU, yes).toBe(true);
    for (const no of ["false", "FALSE", "0", "no", "off", "Off"]) expect(loadConfig({ env: { LOCAL_MODEL_GPU: no } }).LOCAL_MODEL_GPU, no).toBe(false);
    expect(() => loadConfig({ env: { LOCAL_MODEL_GPU: "maybe" } })).toThrow(/LOCAL_MODEL_GPU.*expected one of true, 1, yes, on, false, 0, no, off/);
  });

  it("reads TRUSTED_ORIGINS as origins, refusing anything else", () => {
    expect(loadConfig({ env: {} }).TRUSTED_ORIGINS).toEqual([]);
    expect(loadConfig({ env: { TRUSTED_ORIGINS: "http://LocalHost:5173/, https://app.example" } }).TRUSTED_ORIGINS).toEqual(["http://localhost:5173", "https://app.example"]);
    expect(() => loadConfig({ env: { TRUSTED_ORIGINS: "localhost:5173" } })).toThrow(/TRUSTED_ORIGINS: each entry must be an origin/);
    expect(() => loadConfig({ env: { TRUSTED_ORIGINS: "http://app.example/path" } })).toThrow(/TRUSTED_ORIGINS/);
  });

  it("refuses AUTH_MODE=none on a public interface unless forced", () => {
    expect(() => loadConfig({ env: { HOST: "0.0.0.0" } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { HOST: "0.0.0.0" } })).toThrow(/ALLOW_INSECURE_BIND/);
    expect(loadConfig({ env: { HOST: "0.0.0.0", ALLOW_INSECURE_BIND: "true" } }).HOST).toBe("0.0.0.0");
    expect(loadConfig({ env: { HOST: "0.0.0.0", AUTH_MODE: "apikey" } }).HOST).toBe("0.0.0.0");
  });

  it("refuses provider base URLs with credentials or another scheme, naming the setting and never repeating the password", () => {
    for (const name of ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OLLAMA_BASE_URL"]) {
      const refused = (() => {
        try {
          loadConfig({ env: { MODEL: "fake", [name]: "http://admin:OLLAMASECRET@10.0.0.5:11434" } });
        } catch (error) {
          return error as Error;
        }
        return undefined;
      })();
      expect(refused).toBeInstanceOf(ConfigError);
      expect(refused?.message).toContain(name);
      expect(refused?.message).toContain("must not hold credentials");
      expect(refused?.message).not.toContain("OLLAMASECRET");
      expect(() => loadConfig({ env: { MODEL: "fake", [name]: "ftp://models.example.com" } })).toThrow(/http:\/\/ or https:\/\//);
    }
    expect(loadConfig({ env: { MODEL: "openai:m", OPENAI_BASE_URL: "https://api.deepseek.com/v1" } }).OPENAI_BASE_URL).toBe("https://api.deepseek.com/v1");
  });

  it("refuses a DATABASE_URL that is not a postgres:// URL, naming it", () => {
    expect(() => loadConfig({ env: { DATABASE_URL: "notaurl" } })).toThrow(/DATABASE_URL.*postgres:\/\//);
    expect(() => loadConfig({ env: { DATABASE_URL: "mysql://localhost/db" } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { DATABASE_URL: "postgres://u:p@db:99999/app" } })).toThrow(/DATABASE_URL/);
    // A Unix socket has no host in the URL (WHATWG URL refuses it; pg takes it).
    for (const url of ["postgres://postgres@127.0.0.1:5432/test", "postgresql://u:p@db.internal/app?sslmode=require", "postgres://postgres@/test?host=/var/run/postgresql", "socket:/var/run/postgresql?db=test"]) {
      expect(loadConfig({ env: { DATABASE_URL: url } }).DATABASE_URL).toBe(url);
    }
  });

  it("requires a key to verify JWTs", () => {
    expect(() => loadConfig({ env: { AUTH_MODE: "jwt" } })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ env: { AUTH_MODE: "jwt", JWT_SECRET: "a-very-long-shared-secret" } }).AUTH_MODE).toBe("jwt");
  });

  it("reads JWT_PUBLIC_KEY at once: a key that is not a PEM public key names the setting", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(loadConfig({ env: { AUTH_MODE: "jwt", JWT_PUBLIC_KEY: pem } }).JWT_PUBLIC_KEY).toBe(pem);
    expect(loadConfig({ env: { AUTH_MODE: "jwt", JWT_PUBLIC_KEY: pem.replace(/\n/g, "\\n") } }).AUTH_MODE).toBe("jwt");
    for (const bad of ["not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]) {
      expect(() => loadConfig({ env: { AUTH_MODE: "jwt", JWT_PUBLIC_KEY: bad } })).toThrow(/^JWT_PUBLIC_KEY: not a PEM public key/);
    }
  });
});

describe("HOST", () => {
  it("takes an IPv6 address bracketed as in URLs, and binds it bare", () => {
    expect(loadConfig({ env: { HOST: "[::1]" } }).HOST).toBe("::1");
    expect(loadConfig({ env: { HOST: "::1" } }).HOST).toBe("::1");
    expect(() => loadConfig({ env: { HOST: "[::]" } })).toThrow(/AUTH_MODE=none refuses to bind to HOST=::/);
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["0.0.0.0", false],
    ["192.168.1.5", false],
    ["example.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
