import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { once } from "node:events";
import type { Clock } from "../clock.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { backupSqlite, checkPostgresDump, checkSqliteFile, dumpPostgres, listPostgresDump, requirePostgresTool } from "../db/backup.ts";
import { appliedMigrations } from "../db/migrate.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { DeletionGate } from "./deletion-gate.ts";
import type { SettingsRepository } from "./settings-repository.ts";
import { silentProgress, type ProgressReport } from "./progress.ts";
import {
  BACKUP_FORMAT,
  BackupFolderError,
  backupName,
  forEachConcurrent,
  fsyncPath,
  hashFile,
  INFO_FILE,
  listBackups,
  lockFolder,
  MANIFEST_FILE,
  objectPath,
  OBJECTS_DIR,
  pruneBackups,
  readManifest,
  removePartials,
  syncFileSystem,
  type BackupInfo,
  type BackupKind,
  type ManifestEntry,
} from "./backup-folder.ts";

export const HOLD_MS = 120_000;
export const RENEW_MS = 30_000;
/** Files copied at once: enough to hide per-file latency, few enough not to starve the site. */
const COPY_CONCURRENCY = 4;

export interface BackupDeps {
  database: DatabaseHandle;
  /** The PostgreSQL URL (pg_dump needs it), or null for SQLite. */
  databaseUrl: string | null;
  store: BlobStore;
  settings: SettingsRepository;
  gate: DeletionGate;
  clock: Clock;
}

export interface BackupOptions {
  dest: string;
  kind: Exclude<BackupKind, "pre-migration">;
  /** After success, remove the oldest backups of this kind beyond this many. */
  keep?: number;
  progress?: ProgressReport;
  signal?: AbortSignal;
  /** Where pg_dump and pg_restore are looked for (default: PATH). */
  pathEnv?: string;
  /** The secret's file, for the words on what is left out. */
  dataDir: string;
  holdMs?: number;
  renewMs?: number;
  /** Runs after the database is copied and before the first file is: the moment a deletion would hurt most. */
  afterDatabase?: () => Promise<void>;
}

export interface BackupResult {
  dir: string;
  info: BackupInfo;
  pruned: string[];
}

/** Pinhole's version, from package.json. */
export function appVersion(): string {
  const file = path.join(import.meta.dirname, "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

/** What a backup never holds, and where it is instead. */
export function notIncluded(dataDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const secret = env.PINHOLE_SECRET ? "the signing secret (set in PINHOLE_SECRET)" : `the signing secret (${path.join(dataDir, "secret.key")})`;
  return [
    `${secret}: keep a copy apart from the backups; without it a restored site makes a new one, and forms open in browsers must be reloaded`,
    "the configuration (environment variables such as DATABASE_URL, PINHOLE_SMTP_URL)",
  ];
}

/**
 * An online backup of the whole site while it serves: the deletion of photo files is held
 * back, the database copied (and checked), then every file in storage copied into DEST's
 * content store. A row in the copied database always has its files: they existed when the
 * database was copied (files are written before rows) and nothing deletes them until the
 * files are copied. Files added meanwhile may be in the backup too, unreferenced: harmless.
 */
export async function runBackup(deps: BackupDeps, options: BackupOptions): Promise<BackupResult> {
  const progress = options.progress ?? silentProgress;
  const holdMs = options.holdMs ?? HOLD_MS;
  const renewMs = options.renewMs ?? RENEW_MS;
  const dest = path.resolve(options.dest);
  const filesRoot = path.resolve(deps.store.location);
  if (dest === filesRoot || dest.startsWith(filesRoot + path.sep)) {
    throw new BackupFolderError(`the backup folder ${dest} is inside the photo storage ${filesRoot}; choose a folder outside it (ideally on another disk)`);
  }
  if (deps.database.kind === "postgres") {
    requirePostgresTool("pg_dump", options.pathEnv);
    requirePostgresTool("pg_restore", options.pathEnv);
  }
  await fsp.mkdir(dest, { recursive: true, mode: 0o700 });
  const unlock = await lockFolder(dest);
  const startedAt = deps.clock.now();
  let name = backupName(startedAt);
  const holder = `backup ${os.hostname()}:${process.pid} ${name}`;
  let partial: string | null = null;
  let heldUntil = 0;
  let renewal: NodeJS.Timeout | null = null;
  // A renewal still in flight when the backup ends would put the hold back after the release.
  let renewing: Promise<unknown> = Promise.resolve();
  const stopRenewing = async () => {
    if (renewal) clearInterval(renewal);
    renewal = null;
    await renewing;
  };
  try {
    for (const stale of await removePartials(dest)) progress.note(`removed ${stale}, left by a backup that did not finish`);
    for (let bump = 1; fs.existsSync(path.join(dest, name)); bump++) name = backupName(startedAt + bump);
    partial = path.join(dest, `.partial-${name}`);
    await fsp.mkdir(partial, { mode: 0o700 });
    await makeShards(dest);

    heldUntil = await deps.gate.hold(holder, holdMs);
    renewal = setInterval(() => {
      renewing = deps.gate.hold(holder, holdMs).then(
        (until) => (heldUntil = until),
        (error: unknown) => progress.note(`could not renew the hold on file deletions: ${(error as Error).message}`),
      );
    }, renewMs);
    renewal.unref();
    const ensureHeld = () => {
      options.signal?.throwIfAborted();
      // A margin for the clock and the time a copy takes: stop well before the hold can lapse.
      if (deps.clock.now() > heldUntil - Math.min(10_000, holdMs / 4)) {
        throw new Error("the hold on file deletions could not be renewed (is the database reachable?); a backup without it could miss files, so it stops here");
      }
    };

    // 1. The database, first.
    progress.note(`backup database: copying the ${deps.database.kind === "sqlite" ? "SQLite" : "PostgreSQL"} database and checking the copy`);
    const schemaVersion = (await appliedMigrations(deps.database.db)).at(-1) ?? null;
    const storageId = await deps.settings.get("storage_id");
    const database = await copyDatabase(deps, partial, schemaVersion, options.pathEnv);
    progress.note(`backup database: done, ${database.check}`);
    ensureHeld();
    await options.afterDatabase?.();

    // 2. The files, after.
    const files = await copyFiles(deps, dest, partial, progress, ensureHeld);

    // 3. Sealed: described, flushed, renamed into place.
    const info: BackupInfo = {
      format: BACKUP_FORMAT,
      kind: options.kind,
      startedAt: new Date(startedAt).toISOString(),
      completedAt: new Date(deps.clock.now()).toISOString(),
      appVersion: appVersion(),
      schemaVersion,
      storageId,
      database,
      files,
      notIncluded: notIncluded(options.dataDir),
    };
    await fsp.writeFile(path.join(partial, INFO_FILE), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    await syncFileSystem(partial);
    const final = path.join(dest, name);
    await fsp.rename(partial, final);
    partial = null;
    await fsyncPath(dest);

    await stopRenewing();
    await deps.gate.release(holder);

    let pruned: string[] = [];
    if (options.keep !== undefined) {
      const result = await pruneBackups(dest, options.kind, options.keep);
      pruned = result.removed;
      if (result.removed.length) progress.note(`removed ${result.removed.length} older ${options.kind} backup(s) and ${result.objects} file(s) only they used`);
    }
    return { dir: final, info, pruned };
  } finally {
    await stopRenewing();
    await deps.gate.release(holder).catch(() => undefined);
    if (partial) await fsp.rm(partial, { recursive: true, force: true }).catch(() => undefined);
    await unlock();
  }
}

async function copyDatabase(deps: BackupDeps, dir: string, schemaVersion: string | null, pathEnv: string | undefined): Promise<BackupInfo["database"]> {
  if (deps.database.kind === "sqlite") {
    const file = path.join(dir, "database.sqlite");
    await backupSqlite(deps.database, file);
    const problems = checkSqliteFile(file);
    if (problems.length) throw new Error(`the copy of the database failed PRAGMA integrity_check: ${problems.slice(0, 3).join("; ")}`);
    return { kind: "sqlite", file: path.basename(file), ...(await hashFile(file)), check: "PRAGMA integrity_check: ok" };
  }
  const url = deps.databaseUrl;
  if (!url) throw new Error("a PostgreSQL backup needs the database URL");
  const file = path.join(dir, "database.pgdump");
  await dumpPostgres(url, file, pathEnv);
  const check = await checkPostgresDump(url, file, pathEnv);
  if (check.method === "test-restore" && check.schemaVersion !== schemaVersion) {
    throw new Error(`the test restore of the dump has schema ${check.schemaVersion}, not ${schemaVersion}: the dump is not the database`);
  }
  return { kind: "postgres", file: path.basename(file), ...(await hashFile(file)), check: check.detail };
}

/** Only the newest complete backup's manifest is needed to skip files already in DEST. */
async function previousManifest(dest: string): Promise<Map<string, ManifestEntry>> {
  const previous = new Map<string, ManifestEntry>();
  const newest = (await listBackups(dest)).filter((b) => b.info.files).at(-1);
  if (!newest) return previous;
  for await (const entry of readManifest(newest.dir)) previous.set(entry.key, entry);
  return previous;
}

async function copyFiles(deps: BackupDeps, dest: string, partial: string, progress: ProgressReport, ensureHeld: () => void): Promise<NonNullable<BackupInfo["files"]>> {
  const previous = await previousManifest(dest);
  let expectedItems = 0;
  let expectedBytes = 0;
  for await (const entry of deps.store.list("")) {
    expectedItems++;
    expectedBytes += entry.size;
  }
  progress.start("backup files", { items: expectedItems, bytes: expectedBytes });
  const manifest = fs.createWriteStream(path.join(partial, MANIFEST_FILE), { mode: 0o600 });
  const totals = { count: 0, bytes: 0, copied: 0, copiedBytes: 0, manifest: MANIFEST_FILE };
  /** Objects this backup has written or is writing, so equal files copied at once are stored once. */
  const stored = new Set<string>();
  try {
    await forEachConcurrent(deps.store.list(""), COPY_CONCURRENCY, async (entry) => {
      ensureHeld();
      const before = previous.get(entry.key);
      let line: ManifestEntry;
      if (before && before.size === entry.size && before.modifiedAt === entry.modifiedAt && fs.existsSync(objectPath(dest, before.sha256))) {
        // Unchanged since the last backup (same size and time, as rsync decides) and already stored.
        line = { ...before };
      } else {
        const copied = await copyToObjects(deps.store, dest, entry.key, entry.size, stored);
        if (!copied) return; // deleted since the listing: the hold only stops photo deletions
        line = { key: entry.key, size: copied.size, sha256: copied.sha256, modifiedAt: entry.modifiedAt };
        if (copied.written) {
          totals.copied++;
          totals.copiedBytes += copied.size;
        }
      }
      totals.count++;
      totals.bytes += line.size;
      if (!manifest.write(JSON.stringify(line) + "\n")) await once(manifest, "drain");
      progress.advance(1, line.size);
    });
  } finally {
    manifest.end();
    await once(manifest, "close");
  }
  progress.finish();
  return totals;
}

/** Files up to this size are read whole: for the many small derivatives, streams cost more than the copy. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;

/** The content store's 256 shard folders, made once rather than checked for every file. */
async function makeShards(dest: string): Promise<void> {
  const root = path.join(dest, OBJECTS_DIR);
  await fsp.mkdir(root, { recursive: true, mode: 0o700 });
  const present = new Set(await fsp.readdir(root));
  for (let i = 0; i < 256; i++) {
    const shard = i.toString(16).padStart(2, "0");
    if (!present.has(shard)) await fsp.mkdir(path.join(root, shard), { mode: 0o700 });
  }
}

/** Copies one stored file into the content store, hashing on the way; null when it is gone. */
async function copyToObjects(store: BlobStore, dest: string, key: string, listedSize: number, stored: Set<string>): Promise<{ sha256: string; size: number; written: boolean } | null> {
  const present = (sha256: string): boolean => {
    if (stored.has(sha256) || fs.existsSync(objectPath(dest, sha256))) return true;
    stored.add(sha256);
    return false;
  };
  const temp = path.join(dest, OBJECTS_DIR, `.tmp-${crypto.randomBytes(8).toString("hex")}`);
  try {
    let sha256: string;
    let size: number;
    if (listedSize <= WHOLE_FILE_BYTES) {
      const data = await store.get(key);
      if (!data) return null;
      sha256 = crypto.createHash("sha256").update(data).digest("hex");
      size = data.length;
      if (present(sha256)) return { sha256, size, written: false };
      await fsp.writeFile(temp, data, { mode: 0o600 });
    } else {
      const source = await store.stream(key);
      if (!source) return null;
      const hash = crypto.createHash("sha256");
      let counted = 0;
      await pipeline(
        source.body,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            counted += chunk.length;
            callback(null, chunk);
          },
        }),
        fs.createWriteStream(temp, { mode: 0o600 }),
      );
      sha256 = hash.digest("hex");
      size = counted;
      if (present(sha256)) {
        await fsp.rm(temp, { force: true });
        return { sha256, size, written: false };
      }
    }
    await fsp.rename(temp, objectPath(dest, sha256));
    return { sha256, size, written: true };
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

/**
 * The database alone, before migrations change it: into `dir` (made here), with a backup.json
 * saying what it is. Checked like any backup (integrity_check; the dump's table of contents).
 */
export async function backupDatabaseOnly(deps: { database: DatabaseHandle; databaseUrl: string | null; clock: Clock }, dir: string, options: { schemaVersion: string | null; storageId: string | null; dataDir: string; pathEnv?: string }): Promise<BackupInfo> {
  const startedAt = deps.clock.now();
  if (deps.database.kind === "postgres") requirePostgresTool("pg_dump", options.pathEnv);
  const partial = `${dir}.partial`;
  await fsp.rm(partial, { recursive: true, force: true });
  await fsp.mkdir(partial, { recursive: true, mode: 0o700 });
  try {
    let database: BackupInfo["database"];
    if (deps.database.kind === "sqlite") {
      const file = path.join(partial, "database.sqlite");
      await backupSqlite(deps.database, file);
      const problems = checkSqliteFile(file);
      if (problems.length) throw new Error(`the copy of the database failed PRAGMA integrity_check: ${problems.slice(0, 3).join("; ")}`);
      database = { kind: "sqlite", file: path.basename(file), ...(await hashFile(file)), check: "PRAGMA integrity_check: ok" };
    } else {
      if (!deps.databaseUrl) throw new Error("a PostgreSQL backup needs the database URL");
      const file = path.join(partial, "database.pgdump");
      await dumpPostgres(deps.databaseUrl, file, options.pathEnv);
      // Start-up waits for this: the table of contents, not a whole test restore.
      const entries = await listPostgresDump(file, options.pathEnv);
      database = { kind: "postgres", file: path.basename(file), ...(await hashFile(file)), check: `pg_restore --list: ${entries} entries` };
    }
    const info: BackupInfo = {
      format: BACKUP_FORMAT,
      kind: "pre-migration",
      startedAt: new Date(startedAt).toISOString(),
      completedAt: new Date(deps.clock.now()).toISOString(),
      appVersion: appVersion(),
      schemaVersion: options.schemaVersion,
      storageId: options.storageId,
      database,
      files: null,
      notIncluded: ["the photo files (they stay where they are; migrations never change them)", ...notIncluded(options.dataDir)],
    };
    await fsp.writeFile(path.join(partial, INFO_FILE), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    await syncFileSystem(partial);
    await fsp.rename(partial, dir);
    await fsyncPath(path.dirname(dir));
    return info;
  } catch (error) {
    await fsp.rm(partial, { recursive: true, force: true });
    throw error;
  }
}
