import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Migrator, sql, type Kysely, type Migration } from "kysely";
import { openDatabase, type DatabaseHandle } from "./database.ts";
import { MIGRATIONS, migrateToLatest, pendingMigrations } from "./migrate.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";

let handle: DatabaseHandle;
let dataDir: string;
let dropPostgres: (() => Promise<void>) | null = null;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-migrate-"));
  let databaseUrl: string | null = null;
  if (TEST_POSTGRES_URL) {
    const created = await createPostgresDatabase(TEST_POSTGRES_URL);
    databaseUrl = created.url;
    dropPostgres = created.drop;
  }
  handle = openDatabase({ databaseUrl, dataDir });
});
after(async () => {
  await handle.close();
  await dropPostgres?.();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function tableExists(db: Kysely<unknown>, name: string): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === name);
}

test("the one migration history applies to an empty database and then nothing is pending", async () => {
  const applied = await migrateToLatest(handle.db);
  assert.deepEqual(applied, Object.keys(MIGRATIONS));
  assert.deepEqual(await pendingMigrations(handle.db), []);
  assert.deepEqual(await migrateToLatest(handle.db), []);
});

test(`a failing migration rolls back completely and names itself (${TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite"})`, async () => {
  const broken: Migration = {
    async up(db) {
      await db.schema.createTable("half_made").addColumn("id", "integer").execute();
      await sql`insert into half_made (id) values (1)`.execute(db);
      throw new Error("boom in the middle");
    },
  };
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS, "9999_broken": broken }) },
  });
  const result = await migrator.migrateToLatest();
  assert.ok(result.error);
  assert.equal(result.results?.find((r) => r.status === "Error")?.migrationName, "9999_broken");
  assert.equal(await tableExists(handle.db as Kysely<unknown>, "half_made"), false, "the table made before the failure is gone");
  assert.deepEqual((await migrator.getMigrations()).filter((m) => m.executedAt).map((m) => m.name), Object.keys(MIGRATIONS));
});

test("start-up applies expand migrations and leaves a post-deployment one for the operator, who applies it with --post-deployment", async () => {
  await migrateToLatest(handle.db);
  const expand: Migration = {
    up: async (db) => db.schema.createTable("rollout_probe").addColumn("old_name", "text").addColumn("new_name", "text").execute(),
  };
  // The destructive step: the previous release still reads old_name, so it waits.
  const contract: Migration = { up: async (db) => db.schema.alterTable("rollout_probe").dropColumn("old_name").execute() };
  const rollout = { ...MIGRATIONS, "9001_rollout_expand": expand, "9002_rollout_contract_post": contract };
  try {
    assert.deepEqual(await pendingMigrations(handle.db, rollout), ["9001_rollout_expand"]);
    assert.deepEqual(await migrateToLatest(handle.db, rollout), ["9001_rollout_expand"]);
    assert.deepEqual(await pendingMigrations(handle.db, rollout), [], "nothing is due at start-up: readiness stays green during the rollout");
    const columns = async () => (await handle.db.introspection.getTables()).find((t) => t.name === "rollout_probe")?.columns.map((c) => c.name).sort();
    assert.deepEqual(await columns(), ["new_name", "old_name"], "the old release's column is still there");

    assert.deepEqual(await pendingMigrations(handle.db, rollout, { postDeployment: true }), ["9002_rollout_contract_post"]);
    assert.deepEqual(await migrateToLatest(handle.db, rollout, { postDeployment: true }), ["9002_rollout_contract_post"]);
    assert.deepEqual(await columns(), ["new_name"]);
  } finally {
    await handle.db.schema.dropTable("rollout_probe").ifExists().execute();
    await sql`delete from kysely_migration where name like '9%_rollout_%'`.execute(handle.db);
  }
});
