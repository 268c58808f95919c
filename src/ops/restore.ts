import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Clock } from "../clock.ts";
import { checkSqliteFile, dropPostgresTables, postgresTables, requirePostgresTool, restorePostgres, sqliteFileHasTables } from "../db/backup.ts";
import { openDatabase, sqliteFilePath } from "../db/database.ts";
import { hasTable, MIGRATIONS } from "../db/migrate.ts";
import { assertKey, type BlobStore } from "../storage/blob-store.ts";
import { LocalDiskStore } from "../storage/local-disk.ts";
import { MARKER_KEY, readMarker, writeStorageMarker } from "../storage/marker.ts";
import { forEachConcurrent, fsyncPath, hashFile, objectPath, readManifest, resolveBackup, storeOf, syncFileSystem, type BackupInfo } from "./backup-folder.ts";
import { silentProgress, type ProgressReport } from "./progress.ts";
import { SettingsRepository } from "./settings-repository.ts";
import { scratchName } from "../storage/scratch.ts";

const COPY_CONCURRENCY = 4;

export class RestoreRefusedError extends Error {}

export interface RestoreOptions {
  /** One backup, or a folder of backups (its newest complete one). */
  source: string;
  dataDir: string;
  databaseUrl: string | null;
  /** Replace a site already in the data dir or database. */
  force: boolean;
  /** Where the files go when they do not go to local disk (`$dataDir/files`): the configured S3 bucket. */
  store?: BlobStore | null;
  clock: Clock;
  progress?: ProgressReport;
  pathEnv?: string;
}

export interface RestoreResult {
  dir: string;
  info: BackupInfo;
  files: number;
  bytes: number;
  /** One line per file that could not be restored as backed up; empty when all went well. */
  problems: string[];
  storageId: string | null;
}

/**
 * Puts a backup back into an empty data dir (and an empty PostgreSQL database): the files
 * first, each checked against its sha256 in the manifest as it is copied, then the database,
 * so a data dir with a database is always a whole restore. Afterwards the storage marker and
 * the database's storage id agree, so the server starts on it.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const progress = options.progress ?? silentProgress;
  const { dir, info } = await resolveBackup(options.source);
  const target = options.databaseUrl ? "postgres" : "sqlite";
  if (info.database.kind !== target) {
    throw new RestoreRefusedError(
      info.database.kind === "postgres"
        ? "this backup holds a PostgreSQL database: set DATABASE_URL to the (empty) database to restore it into"
        : `this backup holds a SQLite database: unset DATABASE_URL to restore it into ${sqliteFilePath(options.dataDir)}`,
    );
  }
  if (info.schemaVersion !== null && !(info.schemaVersion in MIGRATIONS)) {
    throw new RestoreRefusedError(`this backup's schema (${info.schemaVersion}) is newer than this version of Pinhole knows; restore it with Pinhole ${info.appVersion} or later`);
  }
  if (target === "postgres") requirePostgresTool("pg_restore", options.pathEnv);
  const databaseFile = path.join(dir, path.basename(info.database.file));
  if (!fs.existsSync(databaseFile)) throw new RestoreRefusedError(`the backup has no ${info.database.file}: it is incomplete`);

  const filesDir = path.join(options.dataDir, "files");
  const scratchDir = path.join(options.dataDir, "tmp");
  const sqliteFile = sqliteFilePath(options.dataDir);
  const store = options.store ?? null;
  const occupied: string[] = [];
  if (info.files && (store ? await storeHoldsAnyFile(store) : await holdsAnyFile(filesDir))) occupied.push(`photo files in ${store ? store.location : filesDir}`);
  if (target === "sqlite" ? sqliteFileHasTables(sqliteFile) : (await postgresTables(options.databaseUrl as string)).length > 0) {
    occupied.push(target === "sqlite" ? `a database at ${sqliteFile}` : "tables in the database at DATABASE_URL");
  }
  if (occupied.length > 0 && !options.force) {
    throw new RestoreRefusedError(`not restoring over an existing site: found ${occupied.join(" and ")}; restore into an empty data dir and database, or pass --force to replace them`);
  }
  if (occupied.length > 0) progress.note(`--force: replacing ${occupied.join(" and ")}`);
  if (info.files && store) {
    for (const top of ["originals/", "derivatives/", "health/"]) await store.deletePrefix(top);
    await store.delete(MARKER_KEY);
  } else if (info.files) {
    await fsp.rm(filesDir, { recursive: true, force: true });
  }
  if (target === "postgres") await dropPostgresTables(options.databaseUrl as string);
  // A stale -wal beside a restored database would be replayed into it: they all go.
  for (const suffix of ["", "-wal", "-shm", "-journal"]) await fsp.rm(sqliteFile + suffix, { force: true });
  await fsp.mkdir(filesDir, { recursive: true });
  await fsp.mkdir(scratchDir, { recursive: true });

  const problems: string[] = [];
  let files = 0;
  let bytes = 0;
  if (info.files) {
    const objects = storeOf(dir);
    progress.start("restore files", { items: info.files.count, bytes: info.files.bytes });
    const made = new Set<string>();
    await forEachConcurrent(readManifest(dir), COPY_CONCURRENCY, async (entry) => {
      const problem = await restoreFile(objects, entry, store ?? filesDir, scratchDir, made);
      if (problem) {
        problems.push(problem);
      } else {
        files++;
        bytes += entry.size;
      }
      progress.advance(1, entry.size);
    });
    progress.finish();
    if (!store) await syncFileSystem(filesDir);
  } else {
    progress.note(`this backup holds the database only; the photo files in ${store ? store.location : filesDir} are left as they are`);
  }

  progress.note(`restore database: ${info.database.file}, checking its sha256`);
  const copied = await hashFile(databaseFile);
  if (copied.sha256 !== info.database.sha256) {
    throw new Error(`${databaseFile} does not match its sha256 in backup.json: the backup's database is damaged; restore an older backup`);
  }
  if (target === "sqlite") {
    const temp = `${sqliteFile}.restoring`;
    const written = await copyVerified(databaseFile, temp);
    if (written !== info.database.sha256) {
      await fsp.rm(temp, { force: true });
      throw new Error(`the copy of the database at ${temp} does not match the backup's sha256: is the disk failing?`);
    }
    const damage = checkSqliteFile(temp);
    if (damage.length) throw new Error(`the restored database fails PRAGMA integrity_check: ${damage.slice(0, 3).join("; ")}`);
    await fsync(temp);
    await fsp.rename(temp, sqliteFile);
    await fsyncPath(options.dataDir);
  } else {
    await restorePostgres(options.databaseUrl as string, databaseFile, options.pathEnv);
  }
  progress.note("restore database: done");

  const storageId = await settle(options, info);
  return { dir, info, files, bytes, problems, storageId };
}

/** Whether a store holds any file (readiness probes aside). */
async function storeHoldsAnyFile(store: BlobStore): Promise<boolean> {
  for await (const entry of store.list("")) if (!entry.key.startsWith("health/")) return true;
  return false;
}

/** Whether a folder holds at least one file anywhere below it. */
async function holdsAnyFile(dir: string): Promise<boolean> {
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) pending.push(path.join(current, entry.name));
      else return true;
    }
  }
  return false;
}

/** Files up to this size are read whole: for the many small derivatives, streams cost more than the copy. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;

/** Copies one file out of the content store (into a folder, or a bucket's store); answers the problem in one line, or null. */
async function restoreFile(objects: string, entry: { key: string; size: number; sha256: string }, into: string | BlobStore, scratchDir: string, made: Set<string>): Promise<string | null> {
  try {
    assertKey(entry.key);
  } catch {
    return `${JSON.stringify(entry.key)}: not a storage key; skipped`;
  }
  const source = objectPath(objects, entry.sha256);
  if (!fs.existsSync(source)) return `${entry.key}: missing from the backup (no ${source})`;
  const temp = path.join(scratchDir, scratchName("restore", crypto.randomBytes(8).toString("hex")));
  let sha256: string;
  let size: number;
  if (entry.size <= WHOLE_FILE_BYTES) {
    const data = await fsp.readFile(source);
    sha256 = crypto.createHash("sha256").update(data).digest("hex");
    size = data.length;
    if (sha256 === entry.sha256 && size === entry.size) await fsp.writeFile(temp, data);
  } else {
    sha256 = await copyVerified(source, temp);
    size = (await fsp.stat(temp)).size;
  }
  if (sha256 !== entry.sha256 || size !== entry.size) {
    await fsp.rm(temp, { force: true });
    return `${entry.key}: the copy in the backup (${source}) does not match its sha256; not restored`;
  }
  if (typeof into !== "string") {
    // An S3 PUT is whole and durable once answered; putFile removes the temp file.
    await into.putFile(entry.key, temp);
    return null;
  }
  const target = path.join(into, ...entry.key.split("/"));
  const parent = path.dirname(target);
  if (!made.has(parent)) {
    await fsp.mkdir(parent, { recursive: true });
    made.add(parent);
  }
  await fsp.rename(temp, target);
  return null;
}

/** Copies a file, hashing the bytes as they are written; answers their sha256. */
async function copyVerified(from: string, to: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  await pipeline(
    fs.createReadStream(from),
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    }),
    fs.createWriteStream(to),
  );
  return hash.digest("hex");
}

async function fsync(file: string): Promise<void> {
  const handle = await fsp.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * After the copy: the backup's own hold on file deletions (copied with the database) is
 * dropped, and the storage marker made to match the database's storage id.
 */
async function settle(options: RestoreOptions, info: BackupInfo): Promise<string | null> {
  const database = openDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, poolSize: 1 });
  try {
    // A database backed up before the migration that made the settings table has none of this.
    if (!(await hasTable(database.db, "settings"))) return null;
    const settings = new SettingsRepository(database.db);
    await settings.delete("file_deletions_held");
    const storageId = await settings.get("storage_id");
    if (storageId !== null && info.files) {
      const store = options.store ?? new LocalDiskStore(path.join(options.dataDir, "files"), path.join(options.dataDir, "tmp"));
      if ((await readMarker(store)) !== storageId) await writeStorageMarker(store, storageId, options.clock.now());
    }
    return storageId;
  } finally {
    await database.close();
  }
}
