import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase, REQUEST_DEADLINE_MS, sqliteFilePath } from "./database.ts";
import { isDatabaseUnavailable } from "./errors.ts";
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

test("SQLite: a dropped connection reopens the file on the next query; a file that is gone or garbage fails as unavailable and is never recreated empty", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-db-"));
  const handle = openDatabase({ databaseUrl: null, dataDir, requestDeadlineMs: REQUEST_DEADLINE_MS });
  const file = sqliteFilePath(dataDir);
  const aside = path.join(dataDir, "aside");
  fs.mkdirSync(aside);
  const sidecars = [file, `${file}-wal`, `${file}-shm`];
  const moveAway = () => {
    for (const name of sidecars) if (fs.existsSync(name)) fs.renameSync(name, path.join(aside, path.basename(name)));
  };
  const moveBack = () => {
    for (const name of sidecars) if (fs.existsSync(path.join(aside, path.basename(name)))) fs.renameSync(path.join(aside, path.basename(name)), name);
  };
  const read = () => sql<{ a: number }>`select a from t where a = ${1}`.execute(handle.db);
  try {
    await sql`create table t (a integer)`.execute(handle.db);
    await sql`insert into t (a) values (${1})`.execute(handle.db);

    moveAway();
    await handle.reconnect();
    const missing = await read().catch((error: unknown) => error);
    assert.equal((missing as { code?: string }).code, "SQLITE_CANTOPEN");
    assert.ok(isDatabaseUnavailable(missing));
    assert.equal(fs.existsSync(file), false, "no empty database was created in place of the missing one");

    fs.writeFileSync(file, Buffer.alloc(8192, "garbage "));
    const garbage = await read().catch((error: unknown) => error);
    assert.equal((garbage as { code?: string }).code, "SQLITE_NOTADB");
    assert.ok(isDatabaseUnavailable(garbage));

    fs.rmSync(file);
    moveBack();
    assert.deepEqual((await read()).rows, [{ a: 1 }], "the next query after the file is back works, with the data");
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("PostgreSQL: with request deadlines a statement past the deadline is cancelled as unavailable; work run without deadlines may take longer", async (t) => {
  if (!TEST_POSTGRES_URL) {
    t.skip("no PostgreSQL: set PINHOLE_TEST_DATABASE_URL=postgres://… to run this test (.ci/run does)");
    return;
  }
  const created = await createPostgresDatabase(TEST_POSTGRES_URL);
  const handle = openDatabase({ databaseUrl: created.url, dataDir: os.tmpdir(), requestDeadlineMs: REQUEST_DEADLINE_MS });
  try {
    const started = Date.now();
    const slow = await sql`select pg_sleep(${3})`.execute(handle.db).catch((error: unknown) => error);
    const took = Date.now() - started;
    assert.ok(isDatabaseUnavailable(slow), String(slow));
    assert.ok(took < 2000, `gave up after ${took} ms`);
    // A migration may run longer than a request: it runs on a connection without the deadline.
    const long = await handle.withoutDeadlines((db) => sql<{ ok: number }>`select 1 as ok from pg_sleep(${(REQUEST_DEADLINE_MS + 300) / 1000})`.execute(db));
    assert.deepEqual(long.rows, [{ ok: 1 }]);
    assert.deepEqual((await sql<{ ok: number }>`select ${1}::int as ok`.execute(handle.db)).rows, [{ ok: 1 }], "the pool still answers");
  } finally {
    await handle.close();
    await created.drop();
  }
});

test("PostgreSQL: a connection lost in the middle of a transaction fails as unavailable (a 503), crashes nothing, and the pool serves the next query on a fresh connection", async (t) => {
  if (!TEST_POSTGRES_URL) {
    t.skip("no PostgreSQL: set PINHOLE_TEST_DATABASE_URL=postgres://… to run this test (.ci/run does)");
    return;
  }
  const created = await createPostgresDatabase(TEST_POSTGRES_URL);
  const handle = openDatabase({ databaseUrl: created.url, dataDir: os.tmpdir(), poolSize: 2, requestDeadlineMs: REQUEST_DEADLINE_MS });
  // The server ends a connection, as a restart or a failover does; asked from outside the pool.
  const terminate = async (pid: number) => {
    const outside = new pg.Client({ connectionString: created.url });
    await outside.connect();
    await outside.query("select pg_terminate_backend($1)", [pid]).finally(() => outside.end());
  };
  try {
    await sql`create table t (a integer)`.execute(handle.db);
    const failure = await handle.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t (a) values (${1})`.execute(trx);
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await terminate(rows[0]!.pid);
        await sql`insert into t (a) values (${2})`.execute(trx);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    assert.ok(failure, "the transaction failed");
    assert.ok(isDatabaseUnavailable(failure), `seen as unavailable: ${(failure as Error).message}`);
    // An idle connection of the pool ended too (its error event must not crash the process).
    const idle = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db);
    await terminate(idle.rows[0]!.pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from t`.execute(handle.db);
    assert.equal(rows[0]!.n, 0, "nothing of the broken transaction was kept");
  } finally {
    await handle.close();
    await created.drop();
  }
});
