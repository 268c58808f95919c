import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { systemClock } from "../clock.ts";
import { checkSqliteFile } from "../db/backup.ts";
import { openDatabase, type DatabaseHandle } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { LocalDiskStore } from "../storage/local-disk.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../../test/helpers/database.ts";
import { lockFolder, listBackups, objectPath, readManifest, type ManifestEntry } from "./backup-folder.ts";
import { appVersion, runBackup, type BackupDeps } from "./backup.ts";
import { DeletionGate } from "./deletion-gate.ts";
import { SettingsRepository } from "./settings-repository.ts";
import { MIGRATIONS as SHIPPED_MIGRATIONS } from "../db/migrate.ts";

/** The newest shipped migration: the schema version of a database made today. */
const LATEST_MIGRATION = Object.keys(SHIPPED_MIGRATIONS).at(-1) as string;

let root: string;
let dataDir: string;
let handle: DatabaseHandle;
let postgres: { url: string; drop: () => Promise<void> } | null = null;
let store: LocalDiskStore;
let deps: BackupDeps;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-backup-"));
  dataDir = path.join(root, "data");
  postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  handle = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir });
  await migrateToLatest(handle.db);
  store = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
  const settings = new SettingsRepository(handle.db);
  await settings.set("storage_id", "test-storage", 1);
  deps = { database: handle, databaseUrl: postgres?.url ?? null, store, settings, gate: new DeletionGate(settings, systemClock), clock: systemClock };
  for (let i = 0; i < 5; i++) await store.put(`originals/00${i}/${i}.jpg`, crypto.randomBytes(1000 + i));
});
after(async () => {
  await handle.close();
  await postgres?.drop();
  fs.rmSync(root, { recursive: true, force: true });
});

const sha = (data: Buffer) => crypto.createHash("sha256").update(data).digest("hex");

async function manifestOf(dir: string): Promise<Map<string, ManifestEntry>> {
  const entries = new Map<string, ManifestEntry>();
  for await (const entry of readManifest(dir)) entries.set(entry.key, entry);
  return entries;
}

async function storeKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of store.list("")) keys.push(entry.key);
  return keys.sort();
}

test(`a backup holds a checked copy of the database and every file with its sha256, made under a temporary name (${TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite"})`, async () => {
  const dest = path.join(root, "dest-full");
  const result = await runBackup(deps, { dest, kind: "manual", dataDir });
  assert.match(path.basename(result.dir), /^\d{8}T\d{6}\.\d{3}Z$/);
  assert.deepEqual(fs.readdirSync(dest).filter((n) => n.startsWith(".partial")), [], "the temporary name is gone");
  const info = JSON.parse(fs.readFileSync(path.join(result.dir, "backup.json"), "utf8"));
  assert.equal(info.appVersion, appVersion());
  assert.equal(info.appVersion, JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")).version);
  assert.equal(info.schemaVersion, LATEST_MIGRATION);
  assert.equal(info.storageId, "test-storage");
  assert.ok(info.notIncluded.some((line: string) => line.includes(path.join(dataDir, "secret.key"))), "it says the secret is not in it, and where it is");

  const database = path.join(result.dir, info.database.file);
  assert.equal(sha(fs.readFileSync(database)), info.database.sha256);
  if (handle.kind === "sqlite") {
    assert.equal(info.database.check, "PRAGMA integrity_check: ok");
    assert.deepEqual(checkSqliteFile(database), []);
    assert.equal(fs.existsSync(`${database}-wal`), false, "one self-contained file");
  } else {
    assert.match(info.database.check, new RegExp(`restored into a scratch database: \\d+ tables, schema ${LATEST_MIGRATION}`));
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL! });
    await admin.connect();
    const left = await admin.query("select datname from pg_database where datname like 'pinhole_restore_check_%'");
    await admin.end();
    assert.deepEqual(left.rows, [], "the scratch database is dropped");
  }

  const manifest = await manifestOf(result.dir);
  assert.deepEqual([...manifest.keys()].sort(), await storeKeys());
  for (const [key, entry] of manifest) {
    const data = (await store.get(key))!;
    assert.equal(entry.sha256, sha(data), key);
    assert.equal(entry.size, data.length);
    assert.deepEqual(fs.readFileSync(objectPath(dest, entry.sha256)), data, "the content store holds the bytes");
  }
  assert.equal(info.files.count, manifest.size);
  assert.equal(info.files.copied, manifest.size, "the first backup copies everything");
  assert.equal(await deps.gate.heldUntil(), null, "file deletions are released");
});

test("the next backup into the same folder copies only new and changed files; equal bytes are stored once", async () => {
  const dest = path.join(root, "dest-incremental");
  await runBackup(deps, { dest, kind: "manual", dataDir });
  const twin = crypto.randomBytes(2000);
  await store.put("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/100.jpg", twin);
  await store.put("derivatives/001/1/bbbbbbbbbbbbbbbbbbbb/100.jpg", twin);
  await new Promise((resolve) => setTimeout(resolve, 20)); // a new mtime for the changed file
  await store.put("originals/000/0.jpg", crypto.randomBytes(1000));
  const second = await runBackup(deps, { dest, kind: "manual", dataDir });
  assert.equal(second.info.files!.copied, 2, "the changed file and one copy of the two equal new ones");
  assert.equal(second.info.files!.count, (await storeKeys()).length);
  const manifest = await manifestOf(second.dir);
  for (const [key, entry] of manifest) assert.equal(entry.sha256, sha((await store.get(key))!), key);
  const third = await runBackup(deps, { dest, kind: "manual", dataDir });
  assert.equal(third.info.files!.copied, 0, "nothing changed, nothing copied");
  assert.equal((await listBackups(dest)).length, 3, "every backup stays whole and listed");
});

test("file deletions are held from before the database is copied until the files are", async () => {
  const dest = path.join(root, "dest-hold");
  let heldDuring: number | null = null;
  await runBackup(deps, {
    dest,
    kind: "manual",
    dataDir,
    afterDatabase: async () => {
      heldDuring = await deps.gate.heldUntil();
    },
  });
  assert.ok(heldDuring !== null && heldDuring > Date.now(), "held while the files are copied");
  assert.equal(await deps.gate.heldUntil(), null, "released at the end");
});

test("a backup that fails leaves no partial backup, no hold and no lock behind", async () => {
  const dest = path.join(root, "dest-failing");
  await assert.rejects(
    runBackup(deps, {
      dest,
      kind: "manual",
      dataDir,
      afterDatabase: async () => {
        throw new Error("the disk is gone");
      },
    }),
    /the disk is gone/,
  );
  assert.deepEqual(fs.readdirSync(dest).filter((n) => n !== "objects"), [], "no partial, no lock");
  assert.equal(await deps.gate.heldUntil(), null);
  const controller = new AbortController();
  controller.abort(new Error("stopped by SIGTERM"));
  await assert.rejects(runBackup(deps, { dest, kind: "manual", dataDir, signal: controller.signal }), /stopped by SIGTERM/);
  assert.deepEqual(fs.readdirSync(dest).filter((n) => n !== "objects"), []);
  assert.equal((await listBackups(dest)).length, 0);
  await runBackup(deps, { dest, kind: "manual", dataDir });
  assert.equal((await listBackups(dest)).length, 1, "the next backup runs");
});

test("a backup refuses a folder inside the photo storage, and a folder another backup is writing to", async () => {
  await assert.rejects(runBackup(deps, { dest: path.join(dataDir, "files", "backups"), kind: "manual", dataDir }), /inside the photo storage/);
  const dest = path.join(root, "dest-busy");
  fs.mkdirSync(dest);
  const unlock = await lockFolder(dest);
  try {
    await assert.rejects(runBackup(deps, { dest, kind: "manual", dataDir }), /another backup is writing to/);
  } finally {
    await unlock();
  }
  // A lock left by a process that died is taken over.
  fs.writeFileSync(path.join(dest, ".lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: "long ago" }));
  await runBackup(deps, { dest, kind: "manual", dataDir });
});

test("pruning keeps the newest scheduled backups, never touches others, and deletes only files no kept backup needs", async () => {
  const dest = path.join(root, "dest-prune");
  const manual = await runBackup(deps, { dest, kind: "manual", dataDir });
  const only: string[] = [];
  for (let i = 0; i < 3; i++) {
    const key = `originals/999/only-${i}.jpg`;
    const data = crypto.randomBytes(3000);
    only.push(sha(data));
    await store.put(key, data);
    await runBackup(deps, { dest, kind: "scheduled", keep: 2, dataDir });
    await store.delete(key);
  }
  const kept = await listBackups(dest);
  assert.deepEqual(kept.map((b) => b.info.kind), ["manual", "scheduled", "scheduled"]);
  assert.equal(kept[0]!.dir, manual.dir);
  assert.equal(fs.existsSync(objectPath(dest, only[0]!)), false, "the file only the pruned backup had is gone");
  assert.equal(fs.existsSync(objectPath(dest, only[1]!)), true);
  assert.equal(fs.existsSync(objectPath(dest, only[2]!)), true);
  for (const backup of kept) {
    for await (const entry of readManifest(backup.dir)) assert.ok(fs.existsSync(objectPath(dest, entry.sha256)), `${backup.name}: ${entry.key}`);
  }
});

test("the hold is renewed while a slow backup runs, and a backup that cannot renew it stops instead of missing files", async () => {
  const dest = path.join(root, "dest-renew");
  // Held for 400 ms at a time, renewed every 50 ms, while the files wait a second to be copied.
  await runBackup(deps, { dest, kind: "manual", dataDir, holdMs: 400, renewMs: 50, afterDatabase: () => new Promise((resolve) => setTimeout(resolve, 1000)) });
  assert.equal(await deps.gate.heldUntil(), null, "let go at the end, even with a renewal in flight");

  // The gate's own connection to the database goes away during the backup: renewals fail.
  const second = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir, poolSize: 1 });
  const gate = new DeletionGate(new SettingsRepository(second.db), systemClock);
  await assert.rejects(
    runBackup({ ...deps, gate }, { dest, kind: "manual", dataDir, holdMs: 400, renewMs: 50, afterDatabase: async () => {
      await second.close();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } }),
    /the hold on file deletions could not be renewed/,
  );
  assert.equal((await listBackups(dest)).length, 1, "only the first backup was completed");
});
