import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { promisify } from "node:util";
import { processAlive } from "../processes.ts";

/**
 * The layout of a backup folder (DEST):
 *
 *   DEST/objects/ab/ab12…ef         every file ever backed up, named by its sha256, stored once
 *   DEST/20260131T030000.123Z/      one complete backup
 *     backup.json                   what it is: versions, database, counts, what is left out
 *     database.sqlite | .pgdump     the database, copied first
 *     manifest.jsonl                one line per photo file: key, size, sha256, modifiedAt
 *   DEST/.partial-<name>/           a backup being written; renamed when complete
 *   DEST/.lock                      one backup at a time writes here
 *
 * Backups share the content store, so a file already in DEST is never copied again, a file
 * under two keys is stored once, and a backup is deleted by deleting its folder and then
 * the objects no remaining manifest mentions.
 */

export const BACKUP_FORMAT = 1;
export const INFO_FILE = "backup.json";
export const MANIFEST_FILE = "manifest.jsonl";
export const OBJECTS_DIR = "objects";
const NAME = /^\d{8}T\d{6}\.\d{3}Z$/;
const SHA256 = /^[0-9a-f]{64}$/;

export type BackupKind = "manual" | "scheduled" | "pre-migration";

export interface BackupInfo {
  format: typeof BACKUP_FORMAT;
  kind: BackupKind;
  startedAt: string;
  completedAt: string;
  /** Pinhole's version (package.json) that made the backup. */
  appVersion: string;
  /** The newest migration applied to the database copied. */
  schemaVersion: string | null;
  /** The storage marker id the database expects (the `storage_id` setting). */
  storageId: string | null;
  database: { kind: "sqlite" | "postgres"; file: string; bytes: number; sha256: string; check: string };
  /** Null for a backup of the database alone (before a migration). */
  files: { count: number; bytes: number; copied: number; copiedBytes: number; manifest: string } | null;
  /** What a restore will not bring back, in words for the operator. */
  notIncluded: string[];
}

export interface ManifestEntry {
  key: string;
  size: number;
  sha256: string;
  modifiedAt: number;
}

export interface BackupEntry {
  name: string;
  dir: string;
  info: BackupInfo;
}

export class BackupFolderError extends Error {}

/** A sortable, filename-safe timestamp: 20260131T030000.123Z. */
export function backupName(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, "");
}

export function objectPath(dest: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new BackupFolderError(`not a sha256: ${JSON.stringify(sha256)}`);
  return path.join(dest, OBJECTS_DIR, sha256.slice(0, 2), sha256);
}

export function readInfo(dir: string): BackupInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, INFO_FILE), "utf8")) as BackupInfo;
    return info.format === BACKUP_FORMAT && info.database ? info : null;
  } catch {
    return null;
  }
}

/** Complete backups in DEST, oldest first. */
export async function listBackups(dest: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const backups: BackupEntry[] = [];
  for (const name of names.filter((n) => NAME.test(n)).sort()) {
    const dir = path.join(dest, name);
    const info = readInfo(dir);
    if (info) backups.push({ name, dir, info });
  }
  return backups;
}

/** SOURCE is one backup (it has a backup.json) or a folder of them, meaning its newest complete one. */
export async function resolveBackup(source: string): Promise<{ dir: string; info: BackupInfo }> {
  const dir = path.resolve(source);
  if (!fs.existsSync(dir)) throw new BackupFolderError(`${dir} does not exist`);
  if (fs.existsSync(path.join(dir, INFO_FILE))) {
    const info = readInfo(dir);
    if (!info) throw new BackupFolderError(`${path.join(dir, INFO_FILE)} is not a backup description this version of Pinhole reads`);
    return { dir, info };
  }
  const newest = (await listBackups(dir)).at(-1);
  if (!newest) throw new BackupFolderError(`no complete backup in ${dir} (a backup is a folder with a ${INFO_FILE})`);
  return newest;
}

/** The folder holding the content store for a backup: its parent (a pre-migration backup has none). */
export function storeOf(backupDir: string): string {
  return path.dirname(backupDir);
}

export async function* readManifest(dir: string): AsyncIterable<ManifestEntry> {
  const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, MANIFEST_FILE)), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === "") continue;
    let entry: ManifestEntry;
    try {
      entry = JSON.parse(line) as ManifestEntry;
    } catch {
      throw new BackupFolderError(`${path.join(dir, MANIFEST_FILE)} line ${number} is not JSON: the manifest is damaged`);
    }
    if (typeof entry.key !== "string" || typeof entry.size !== "number" || typeof entry.sha256 !== "string" || !SHA256.test(entry.sha256)) {
      throw new BackupFolderError(`${path.join(dir, MANIFEST_FILE)} line ${number} is not a manifest entry: the manifest is damaged`);
    }
    yield entry;
  }
}

/**
 * Takes DEST's lock (a file made with O_EXCL); a lock left by a dead process on this host is
 * taken over. Answers the function that lets it go.
 */
export async function lockFolder(dest: string): Promise<() => Promise<void>> {
  const file = path.join(dest, ".lock");
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token: crypto.randomBytes(6).toString("hex") });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fsp.writeFile(file, mine, { flag: "wx", mode: 0o600 });
      return async () => {
        const current = await fsp.readFile(file, "utf8").catch(() => null);
        if (current === mine) await fsp.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: { pid?: number; host?: string; since?: string } = {};
    try {
      holder = JSON.parse(await fsp.readFile(file, "utf8")) as typeof holder;
    } catch {
      /* half written or gone: try again */
      continue;
    }
    if (holder.host === os.hostname() && typeof holder.pid === "number" && !processAlive(holder.pid)) {
      await fsp.rm(file, { force: true });
      continue;
    }
    throw new BackupFolderError(`another backup is writing to ${dest} (pid ${holder.pid} on ${holder.host}, since ${holder.since}); if none is, delete ${file}`);
  }
  throw new BackupFolderError(`could not take the lock ${file}`);
}

/** Removes backups a dead process left half written (call with the lock held). */
export async function removePartials(dest: string): Promise<string[]> {
  const names = (await fsp.readdir(dest)).filter((n) => n.startsWith(".partial-"));
  for (const name of names) await fsp.rm(path.join(dest, name), { recursive: true, force: true });
  return names;
}

/** Removes the oldest backups of one kind beyond `keep`, then the objects nothing refers to any more. */
export async function pruneBackups(dest: string, kind: BackupKind, keep: number): Promise<{ removed: string[]; objects: number; bytes: number }> {
  const ofKind = (await listBackups(dest)).filter((b) => b.info.kind === kind);
  const doomed = ofKind.slice(0, Math.max(0, ofKind.length - keep));
  for (const backup of doomed) {
    // Renamed first, so a crash half-way leaves a partial (cleaned next time), never a damaged backup.
    const trash = path.join(dest, `.partial-pruned-${backup.name}`);
    await fsp.rename(backup.dir, trash);
    await fsp.rm(trash, { recursive: true, force: true });
  }
  const garbage = await collectGarbage(dest);
  return { removed: doomed.map((b) => b.name), ...garbage };
}

/**
 * Deletes objects no backup's manifest mentions (call with the lock held). Every folder that
 * looks like a backup and has a manifest counts, even one whose backup.json is unreadable.
 */
export async function collectGarbage(dest: string): Promise<{ objects: number; bytes: number }> {
  const referenced = new Set<string>();
  for (const name of (await fsp.readdir(dest)).filter((n) => NAME.test(n))) {
    const dir = path.join(dest, name);
    if (!fs.existsSync(path.join(dir, MANIFEST_FILE))) continue;
    for await (const entry of readManifest(dir)) referenced.add(entry.sha256);
  }
  const root = path.join(dest, OBJECTS_DIR);
  let objects = 0;
  let bytes = 0;
  let shards: fs.Dirent[];
  try {
    shards = await fsp.readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { objects, bytes };
    throw error;
  }
  for (const shard of shards) {
    const full = path.join(root, shard.name);
    if (!shard.isDirectory()) {
      // Temp files of a copy that died.
      if (shard.name.startsWith(".tmp-")) await fsp.rm(full, { force: true });
      continue;
    }
    for (const name of await fsp.readdir(full)) {
      if (referenced.has(name)) continue;
      const file = path.join(full, name);
      bytes += (await fsp.stat(file)).size;
      await fsp.rm(file, { force: true });
      objects++;
    }
  }
  return { objects, bytes };
}

/**
 * Flushes everything written to the filesystem holding `dir` in one call (syncfs through
 * coreutils' `sync -f`): one flush at the end of thousands of files instead of one each.
 */
export async function syncFileSystem(dir: string): Promise<void> {
  const run = promisify(execFile);
  try {
    await run("sync", ["-f", dir]);
  } catch {
    await run("sync", []);
  }
}

export async function fsyncPath(target: string): Promise<void> {
  const handle = await fsp.open(target, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Runs `work` on every item with at most `limit` at once; the first failure stops the rest and is thrown. */
export async function forEachConcurrent<T>(items: AsyncIterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  for await (const item of items) {
    if (failure) break;
    const task: Promise<void> = work(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw (failure as { error: unknown }).error;
}
