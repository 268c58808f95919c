import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../clock.ts";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { LocalDiskStore } from "../storage/local-disk.ts";
import { checkStorageMarker, readMarker } from "../storage/marker.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";
import { objectPath, readManifest } from "./backup-folder.ts";
import { runBackup, type BackupDeps } from "./backup.ts";
import { DeletionGate } from "./deletion-gate.ts";
import { RestoreRefusedError, runRestore } from "./restore.ts";
import { SettingsRepository } from "./settings-repository.ts";

let root: string;
let handle: DatabaseHandle;
let store: LocalDiskStore;
let deps: BackupDeps;
let storageId: string;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-restore-"));
  const dataDir = path.join(root, "site");
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  if (postgres) cleanups.push(postgres.drop);
  handle = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir });
  await migrateToLatest(handle.db);
  store = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
  const settings = new SettingsRepository(handle.db);
  storageId = await checkStorageMarker(store, settings, Date.now());
  deps = { database: handle, databaseUrl: postgres?.url ?? null, store, settings, gate: new DeletionGate(settings, systemClock), clock: systemClock };
  for (let i = 0; i < 6; i++) await store.put(`originals/00${i}/${i}.jpg`, crypto.randomBytes(500 + i));
});
after(async () => {
  await handle.close();
  for (const cleanup of cleanups) await cleanup();
  fs.rmSync(root, { recursive: true, force: true });
});

/** An empty place to restore into: a data dir, and a fresh database when on PostgreSQL. */
async function emptyTarget(name: string): Promise<{ dataDir: string; databaseUrl: string | null }> {
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  if (postgres) cleanups.push(postgres.drop);
  return { dataDir: path.join(root, name), databaseUrl: postgres?.url ?? null };
}

async function filesOf(dataDir: string): Promise<Map<string, Buffer>> {
  const target = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
  const files = new Map<string, Buffer>();
  for await (const entry of target.list("")) files.set(entry.key, (await target.get(entry.key))!);
  return files;
}

test("a restore brings back every file and the database; the storage marker and the database agree and the backup's hold is gone", async () => {
  const dest = path.join(root, "backups");
  await runBackup(deps, { dest, kind: "manual", dataDir: path.join(root, "site") });
  const target = await emptyTarget("restored");
  const result = await runRestore({ source: dest, ...target, force: false, clock: systemClock });
  assert.deepEqual(result.problems, []);
  assert.deepEqual(await filesOf(target.dataDir), await filesOf(path.join(root, "site")));
  const restored = openDatabase({ ...target, poolSize: 1 });
  try {
    const settings = new SettingsRepository(restored.db);
    assert.equal(await settings.get("storage_id"), storageId);
    assert.equal(await settings.get("file_deletions_held"), null, "the hold copied with the database is dropped");
    const targetStore = new LocalDiskStore(path.join(target.dataDir, "files"), path.join(target.dataDir, "tmp"));
    assert.equal(await readMarker(targetStore), storageId);
    // What the server checks at start: it passes.
    assert.equal(await checkStorageMarker(targetStore, settings, Date.now()), storageId);
  } finally {
    await restored.close();
  }
});

test("a folder of backups means its newest complete one; a damaged file is named and not restored, the rest is", async () => {
  const dest = path.join(root, "backups-damaged");
  await runBackup(deps, { dest, kind: "manual", dataDir: path.join(root, "site") });
  await store.put("originals/777/777.jpg", Buffer.from("only in the second backup"));
  const newest = await runBackup(deps, { dest, kind: "manual", dataDir: path.join(root, "site") });
  fs.mkdirSync(path.join(dest, ".partial-20991231T000000.000Z"));
  let victim = "";
  for await (const entry of readManifest(newest.dir)) {
    if (entry.key === "originals/003/3.jpg") {
      victim = entry.key;
      fs.writeFileSync(objectPath(dest, entry.sha256), "bit rot");
    }
  }
  assert.ok(victim);
  const target = await emptyTarget("restored-damaged");
  const result = await runRestore({ source: dest, ...target, force: false, clock: systemClock });
  assert.equal(result.dir, newest.dir);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!, /^originals\/003\/3\.jpg: the copy in the backup .* does not match its sha256; not restored$/);
  const files = await filesOf(target.dataDir);
  assert.equal(files.has(victim), false, "damaged bytes are not put in place");
  assert.equal(files.get("originals/777/777.jpg")?.toString(), "only in the second backup");
  await store.delete("originals/777/777.jpg");
});

test("a restore refuses a data dir or database that holds a site unless --force, and then replaces it", async () => {
  const dest = path.join(root, "backups-force");
  await runBackup(deps, { dest, kind: "manual", dataDir: path.join(root, "site") });
  const target = await emptyTarget("occupied");
  await runRestore({ source: dest, ...target, force: false, clock: systemClock });
  const stray = path.join(target.dataDir, "files", "originals", "555", "555.jpg");
  fs.mkdirSync(path.dirname(stray), { recursive: true });
  fs.writeFileSync(stray, "a photo of the site being replaced");
  await assert.rejects(runRestore({ source: dest, ...target, force: false, clock: systemClock }), (error: unknown) => {
    assert.ok(error instanceof RestoreRefusedError);
    assert.match(error.message, /not restoring over an existing site: found photo files in .* and (a database at|tables in the database)/);
    assert.match(error.message, /--force/);
    return true;
  });
  assert.ok(fs.existsSync(stray), "nothing was touched");
  const forced = await runRestore({ source: dest, ...target, force: true, clock: systemClock });
  assert.deepEqual(forced.problems, []);
  assert.equal(fs.existsSync(stray), false, "the replaced site's files are gone");
  assert.deepEqual(await filesOf(target.dataDir), await filesOf(path.join(root, "site")));
});

test("a backup of one kind of database is not restored into the other", async () => {
  const dest = path.join(root, "backups-kind");
  await runBackup(deps, { dest, kind: "manual", dataDir: path.join(root, "site") });
  const other = handle.kind === "sqlite" ? "postgres://nobody@127.0.0.1:1/none" : null;
  await assert.rejects(runRestore({ source: dest, dataDir: path.join(root, "wrong-kind"), databaseUrl: other, force: false, clock: systemClock }), handle.kind === "sqlite" ? /holds a SQLite database: unset DATABASE_URL/ : /holds a PostgreSQL database: set DATABASE_URL/);
});
