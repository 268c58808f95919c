import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { sql, type Migration } from "kysely";
import { buildApp } from "../app.ts";
import { systemClock } from "../clock.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { appliedMigrations, MIGRATIONS, MigrationFailedError, migrateToLatest, migrator, pendingMigrations } from "../db/migrate.ts";

/** The newest migration: what a site at 0001 is migrated to (the tests hold as migrations are appended). */
const LATEST = Object.keys(MIGRATIONS).at(-1)!;
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";
import { readInfo } from "./backup-folder.ts";
import { runRestore } from "./restore.ts";
import { MigrationRefusedError, migrateWithBackup, PRE_MIGRATION_DIR } from "./safe-migrate.ts";

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A data dir and (on PostgreSQL) a fresh database, removed after the file's tests. */
async function freshSite(): Promise<{ dataDir: string; databaseUrl: string | null }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-safe-migrate-"));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  if (postgres) cleanups.push(postgres.drop);
  return { dataDir, databaseUrl: postgres?.url ?? null };
}

function configFor(site: { dataDir: string; databaseUrl: string | null }) {
  return loadConfig({ PINHOLE_DATA_DIR: site.dataDir, HOST: "127.0.0.1", PORT: "0", PINHOLE_LOG_LEVEL: "silent", ...(site.databaseUrl ? { DATABASE_URL: site.databaseUrl } : {}) });
}

async function tableNames(site: { dataDir: string; databaseUrl: string | null }): Promise<string[]> {
  const handle = openDatabase({ ...site, poolSize: 1 });
  try {
    return (await handle.db.introspection.getTables()).map((t) => t.name).sort();
  } finally {
    await handle.close();
  }
}

function preMigrationBackups(dataDir: string): string[] {
  const dir = path.join(dataDir, PRE_MIGRATION_DIR);
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
}

test(`a site at 0001 is backed up before it is migrated, and then serves (${TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite"})`, async () => {
  const site = await freshSite();
  const old = openDatabase({ ...site, poolSize: 1 });
  await migrator(old.db).migrateTo("0001_core");
  await sql`insert into users (username, username_key, email, email_key, password_hash, is_admin, created_at) values ('early', 'early', 'early@example.test', 'early@example.test', 'x', 1, 1)`.execute(old.db);
  await old.close();

  const { app } = await buildApp(configFor(site), { logger: pino({ level: "silent" }) });
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const ready = await app.inject({ method: "GET", url: "/readyz" });
    assert.equal(ready.statusCode, 200, ready.body);
  } finally {
    await app.close();
  }

  const backups = preMigrationBackups(site.dataDir);
  assert.equal(backups.length, 1);
  assert.match(path.basename(backups[0]!), new RegExp(`^\\d{8}T\\d{6}\\.\\d{3}Z-0001_core-to-${LATEST}$`));
  const info = readInfo(backups[0]!)!;
  assert.equal(info.kind, "pre-migration");
  assert.equal(info.schemaVersion, "0001_core");
  assert.equal(info.files, null, "the database only");

  // The backup is the database as it was: restored elsewhere, it is at 0001 with its member.
  const elsewhere = await freshSite();
  await runRestore({ source: backups[0]!, ...elsewhere, force: false, clock: systemClock });
  const restored = openDatabase({ ...elsewhere, poolSize: 1 });
  try {
    assert.deepEqual(await appliedMigrations(restored.db), ["0001_core"]);
    const { rows } = await sql<{ username: string }>`select username from users`.execute(restored.db);
    assert.deepEqual(rows, [{ username: "early" }]);
  } finally {
    await restored.close();
  }
});

test("a failing migration stops start-up naming the migration and the backup, with the schema unchanged", async () => {
  const site = await freshSite();
  const current = openDatabase({ ...site, poolSize: 1 });
  await migrateToLatest(current.db);
  await current.close();
  const before = await tableNames(site);

  const broken: Migration = {
    async up(db) {
      await db.schema.createTable("half_made").addColumn("id", "integer").execute();
      await db.schema.alterTable("users").addColumn("nickname", "text").execute();
      throw new Error("boom in the middle");
    },
  };
  const migrations = { ...MIGRATIONS, "9999_broken": broken };
  let failure: unknown;
  await buildApp(configFor(site), { logger: pino({ level: "silent" }), migrations }).catch((error: unknown) => (failure = error));
  assert.ok(failure instanceof MigrationFailedError, String(failure));
  const backups = preMigrationBackups(site.dataDir);
  assert.equal(backups.length, 1);
  assert.match(path.basename(backups[0]!), new RegExp(`-${LATEST}-to-9999_broken$`));
  assert.match(failure.message, /^migration 9999_broken failed and was rolled back: boom in the middle; start-up stopped; the database as it was before is backed up in /);
  assert.ok(failure.message.endsWith(backups[0]!), failure.message);
  assert.ok(!failure.message.includes("\n"));

  assert.deepEqual(await tableNames(site), before, "no table made by the failed migration is left");
  const after = openDatabase({ ...site, poolSize: 1 });
  try {
    assert.deepEqual(await pendingMigrations(after.db, migrations), ["9999_broken"]);
    const columns = (await after.db.introspection.getTables()).find((t) => t.name === "users")!.columns.map((c) => c.name);
    assert.ok(!columns.includes("nickname"));
  } finally {
    await after.close();
  }
});

test("a brand-new site is migrated without a backup: there is nothing to lose", async () => {
  const site = await freshSite();
  const { app } = await buildApp(configFor(site), { logger: pino({ level: "silent" }) });
  await app.close();
  assert.deepEqual(preMigrationBackups(site.dataDir), []);
});

test("without a way to back up, nothing is migrated unless PINHOLE_MIGRATE_WITHOUT_BACKUP=1", async () => {
  const site = await freshSite();
  const handle = openDatabase({ ...site, poolSize: 1 });
  try {
    await migrator(handle.db).migrateTo("0001_core");
    // On PostgreSQL: no pg_dump on the PATH. On SQLite: the backup folder cannot be made.
    const pathEnv = handle.kind === "postgres" ? "/nonexistent" : undefined;
    if (handle.kind === "sqlite") fs.writeFileSync(path.join(site.dataDir, PRE_MIGRATION_DIR), "a file where the folder should be");
    const said: string[] = [];
    const options = { database: handle, ...site, clock: systemClock, pathEnv, say: (level: string, message: string) => said.push(`${level}: ${message}`) };
    await assert.rejects(migrateWithBackup({ ...options, allowWithoutBackup: false }), (error: unknown) => {
      assert.ok(error instanceof MigrationRefusedError);
      assert.ok(!error.message.includes("\n"));
      assert.match(error.message, new RegExp(`^not migrating 0001_core → ${LATEST} without a backup: `));
      if (handle.kind === "postgres") assert.match(error.message, /pg_dump is not installed; install postgresql-client-15/);
      assert.match(error.message, /set PINHOLE_MIGRATE_WITHOUT_BACKUP=1 to migrate without one$/);
      return true;
    });
    assert.deepEqual(await appliedMigrations(handle.db), ["0001_core"], "nothing was migrated");
    const result = await migrateWithBackup({ ...options, allowWithoutBackup: true });
    assert.deepEqual(result, { applied: Object.keys(MIGRATIONS).slice(1), backup: null });
    assert.match(said.join("\n"), new RegExp(`warn: migrating 0001_core → ${LATEST} WITHOUT a backup \\(PINHOLE_MIGRATE_WITHOUT_BACKUP=1\\)`));
  } finally {
    await handle.close();
  }
});
