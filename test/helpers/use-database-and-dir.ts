import { afterAll, beforeAll } from "vitest";
import { createTempDir, createTestDatabase, type TestDatabase } from "./test-database.js";

/** What `useDatabaseAndDir` gives: read inside tests (both exist once `beforeAll` has run). */
export interface DatabaseAndDir {
  readonly database: TestDatabase;
  readonly directory: { path: string } & AsyncDisposable;
}

/** A fresh database on the real Postgres and a temporary directory, made before the file's (or block's) tests and removed after. */
export function useDatabaseAndDir(): DatabaseAndDir {
  let database: TestDatabase | undefined;
  let directory: ({ path: string } & AsyncDisposable) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    directory = await createTempDir();
  });
  afterAll(async () => {
    await database?.drop();
    await directory?.[Symbol.asyncDispose]();
  });
  return {
    get database() {
      if (!database) throw new Error("useDatabaseAndDir: read the database inside a test");
      return database;
    },
    get directory() {
      if (!directory) throw new Error("useDatabaseAndDir: read the directory inside a test");
      return directory;
    },
  };
}
