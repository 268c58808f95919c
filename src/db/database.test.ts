import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import { openDatabase } from "./database.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";

test("SQLite: a cached prepared statement still answers after the schema changes under it", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-db-"));
  const { db, close } = openDatabase({ databaseUrl: null, dataDir });
  try {
    await sql`create table t (a integer)`.execute(db);
    await sql`insert into t (a) values (${1})`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from t where a = ${1}`.execute(db);
    assert.deepEqual((await read()).rows, [{ a: 1 }]);
    await sql`alter table t add column b text default 'x'`.execute(db);
    assert.deepEqual((await read()).rows, [{ a: 1, b: "x" }]);
  } finally {
    await close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("PostgreSQL: a named prepared statement survives a migration that changes its result", async (t) => {
  if (!TEST_POSTGRES_URL) {
    t.skip("no PostgreSQL: set PINHOLE_TEST_DATABASE_URL=postgres://… to run this test (.ci/run does)");
    return;
  }
  const created = await createPostgresDatabase(TEST_POSTGRES_URL);
  const { db, close } = openDatabase({ databaseUrl: created.url, dataDir: os.tmpdir(), poolSize: 1 });
  try {
    await sql`create table t (a integer)`.execute(db);
    await sql`insert into t (a) values (${1})`.execute(db);
    const read = () => sql<Record<string, unknown>>`select * from t where a = ${1}`.execute(db);
    assert.deepEqual((await read()).rows, [{ a: 1 }]);
    assert.deepEqual((await read()).rows, [{ a: 1 }]);
    await sql`alter table t add column b text default 'x'`.execute(db);
    // On the same connection the statement's cached plan no longer fits ("cached plan must not
    // change result type"); the query must still answer, with the new column.
    assert.deepEqual((await read()).rows, [{ a: 1, b: "x" }]);
    assert.deepEqual((await read()).rows, [{ a: 1, b: "x" }]);
  } finally {
    await close();
    await created.drop();
  }
});
