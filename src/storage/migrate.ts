import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Clock } from "../clock.ts";
import { silentProgress, type ProgressReport } from "../ops/progress.ts";
import type { BlobStore } from "./blob-store.ts";
import { MARKER_KEY, readMarker } from "./marker.ts";
import { scratchName } from "./scratch.ts";

/** A file the site wrote less than this long ago may belong to an upload or a secret rotation whose row is not written yet. */
export const STALE_AFTER_MS = 10 * 60_000;
const ORIGINAL = /^originals\/\d{3}\/(\d+)\.[a-z0-9]+$/;
const DERIVATIVE = /^derivatives\/\d{3}\/(\d+)\/([0-9a-f]{20})\/[a-z0-9]+\.[a-z0-9]+$/;

export interface MigrationDeps {
  /** Where the files are (PINHOLE_STORAGE_FALLBACK while migrating). */
  from: BlobStore;
  /** Where they go: the store the servers already write to (PINHOLE_STORAGE). */
  to: BlobStore;
  /** The storage id in this site's database: both stores must be this site's. */
  storageId: string;
  /** The row that uses a photo file: null when no photo has this id. */
  photoFiles(photoId: number): Promise<{ secret: string; original_key: string } | undefined>;
  /** When a backup holds file deletions (see ops/deletion-gate.ts), until when; null when none does. */
  deletionsHeldUntil(): Promise<number | null>;
  clock: Clock;
}

export interface MigrationOptions {
  /** Where the journal of verified copies is kept between runs (under the data dir). */
  journalDir: string;
  progress?: ProgressReport;
  signal?: AbortSignal;
  concurrency?: number;
  /** Passes at most; each one after the first takes what appeared in `from` during the one before. */
  maxPasses?: number;
}

export interface MigrationResult {
  passes: number;
  /** Files in `from` at the last pass, each now in `to` and verified. */
  files: number;
  bytes: number;
  copied: number;
  copiedBytes: number;
  /** Copied and verified by an earlier run (its journal), and still the same size in both stores. */
  skipped: number;
  /** Already in `to` from an earlier run, or written there by the site itself, and checked equal. */
  alreadyThere: number;
  /** Deleted from `from` while being copied; their copies removed again. */
  vanished: number;
  /** Files in `to` that no photo uses any more (deleted, or its secret changed), removed. */
  staleRemoved: number;
  /** Files in `from` (at the last pass) that no photo uses (a photo deleted after the servers stopped deleting from `from`), not copied. */
  leftBehind: number;
  /** One line each, from the last pass (each pass tries again what failed before); the command fails while any is left. */
  problems: string[];
  /** A pass still found files to copy when the passes ran out (a server still writing to `from`?). */
  unfinished: boolean;
}

export class MigrationRefused extends Error {}

interface JournalEntry {
  key: string;
  /** The source file as listed when it was copied: a file rewritten since has a new size or time. */
  size: number;
  modifiedAt: number;
  sha256: string;
}

/**
 * The folders files are spread over (keys.ts: the last three digits of the photo id), worked
 * through one at a time so memory holds one folder's listing and journal, a thousandth of a
 * site, however large the site is.
 */
const TOPS = ["originals/", "derivatives/"];
const CHUNK = /^((?:originals|derivatives)\/\d{3}\/)/;

/**
 * Copies every file of one store into the other while the site keeps serving, as the second
 * step of moving storage (README, "Moving photos between local disk and S3"): the servers
 * already write new files to `to`, read from `to` and fall back to `from`, and delete from
 * both, `from` first (FallbackStore). Each file is streamed into a local temp file while
 * hashed, stored in `to` whole (S3 objects and renamed files appear complete or not at all),
 * read back and hashed again: only equal hashes count, and only then is it written to the
 * journal that lets a later run skip it. A re-run (after a crash, a kill, a network failure)
 * skips what the journal and `to` agree on, and re-checks by content what `to` holds without
 * a journal line. After each copy `from` is asked again whether it still has the file; if a
 * deletion took it meanwhile, the copy is removed, so nothing deleted comes back.
 *
 * A file in `from` that no photo uses is not copied (once old enough to be no upload in
 * flight): run again after the servers stopped deleting from `from`, the command must not bring
 * back what they deleted since. The storage marker goes last: a new `to` has none until every
 * file is there, so a server started on `to` alone too early refuses to run instead of serving
 * a site with holes; the servers meanwhile read `from`'s through the fallback.
 */
export async function migrateStorage(deps: MigrationDeps, options: MigrationOptions): Promise<MigrationResult> {
  const progress = options.progress ?? silentProgress;
  const concurrency = options.concurrency ?? 4;
  const maxPasses = options.maxPasses ?? 5;
  await checkMarkers(deps);
  const journals = path.join(options.journalDir, crypto.createHash("sha256").update(`${deps.from.location}\n${deps.to.location}`).digest("hex").slice(0, 16));
  const result: MigrationResult = { passes: 0, files: 0, bytes: 0, copied: 0, copiedBytes: 0, skipped: 0, alreadyThere: 0, vanished: 0, staleRemoved: 0, leftBehind: 0, problems: [], unfinished: false };
  for (;;) {
    result.passes++;
    const copied = await runPass(deps, journals, progress, concurrency, options.signal, result);
    if (copied === 0) break;
    if (result.passes >= maxPasses) {
      result.unfinished = true;
      break;
    }
  }
  if (result.problems.length === 0 && !result.unfinished && (await readMarker(deps.to)) !== deps.storageId) {
    const marker = await deps.from.get(MARKER_KEY);
    if (!marker) throw new MigrationRefused(`${MARKER_KEY} vanished from ${deps.from.location} during the move`);
    await deps.to.put(MARKER_KEY, marker);
    if (!(await deps.to.sync(MARKER_KEY))) throw new Error(`${MARKER_KEY} could not be written to ${deps.to.location}`);
  }
  return result;
}

/** Both stores must be this site's: `to` may be new (no marker yet), never another site's. */
async function checkMarkers(deps: MigrationDeps): Promise<void> {
  const fromMarker = await readMarker(deps.from);
  if (fromMarker !== deps.storageId) {
    throw new MigrationRefused(
      fromMarker === null
        ? `${deps.from.location} has no ${MARKER_KEY}: it is not where this site's files are (wrong folder, bucket or prefix?)`
        : `${deps.from.location} belongs to another site (${fromMarker}); this site's database expects ${deps.storageId}`,
    );
  }
  const toMarker = await readMarker(deps.to);
  if (toMarker !== null && toMarker !== deps.storageId) {
    throw new MigrationRefused(`${deps.to.location} belongs to another site (${toMarker}); give this site a bucket or prefix of its own`);
  }
}

type Listed = { key: string; size: number; modifiedAt: number };

/** One pass over every folder either store has files in; answers how many files it copied. */
async function runPass(deps: MigrationDeps, journals: string, progress: ProgressReport, concurrency: number, signal: AbortSignal | undefined, result: MigrationResult): Promise<number> {
  // Listings stream, holding nothing but the folder names: what there is to do, for the bar.
  const totals = { items: 0, bytes: 0 };
  const chunks = new Set<string>();
  for (const [store, counted] of [[deps.from, true], [deps.to, false]] as const) {
    for (const top of TOPS) {
      for await (const entry of store.list(top)) {
        const chunk = CHUNK.exec(entry.key)?.[1];
        if (!chunk) continue;
        chunks.add(chunk);
        if (counted) {
          totals.items++;
          totals.bytes += entry.size;
        }
      }
    }
  }
  result.files = 0;
  result.bytes = 0;
  // What failed in an earlier pass was tried again in this one: only this pass's failures stand.
  result.problems = [];
  result.leftBehind = 0;
  let copied = 0;
  progress.start(`migrate files (pass ${result.passes})`, totals);
  try {
    for (const chunk of [...chunks].sort()) {
      signal?.throwIfAborted();
      copied += await runChunk(deps, journals, chunk, progress, concurrency, signal, result);
    }
  } finally {
    progress.finish();
  }
  return copied;
}

async function runChunk(deps: MigrationDeps, journals: string, chunk: string, progress: ProgressReport, concurrency: number, signal: AbortSignal | undefined, result: MigrationResult): Promise<number> {
  const inTarget = new Map<string, Listed>();
  for await (const entry of deps.to.list(chunk)) inTarget.set(entry.key, entry);
  const sources: Listed[] = [];
  for await (const entry of deps.from.list(chunk)) sources.push(entry);
  if (sources.length === 0 && inTarget.size === 0) return 0;
  const journal = await Journal.open(journals, chunk);
  // The sizes of a photo share its row: asked once per photo and folder.
  const rows = new Map<number, Promise<{ secret: string; original_key: string } | undefined>>();
  const chunkDeps: MigrationDeps = {
    ...deps,
    photoFiles: (id) => {
      let row = rows.get(id);
      if (!row) rows.set(id, (row = deps.photoFiles(id)));
      return row;
    },
  };
  let copied = 0;
  try {
    const queue = sources.values();
    let stopped = false;
    const worker = async () => {
      for (let next = queue.next(); !next.done; next = queue.next()) {
        if (signal?.aborted || stopped) throw signal?.reason ?? new Error("stopped");
        const source = next.value;
        const outcome = await moveOne(chunkDeps, journal, source, inTarget.get(source.key) ?? null);
        if (outcome.kind === "copied") {
          copied++;
          result.copied++;
          result.copiedBytes += source.size;
        } else if (outcome.kind === "skipped") {
          if (result.passes === 1) result.skipped++;
        } else if (outcome.kind === "there") {
          result.alreadyThere++;
        } else if (outcome.kind === "vanished") {
          result.vanished++;
        } else if (outcome.kind === "unused") {
          result.leftBehind++;
        } else if (outcome.kind === "problem") {
          result.problems.push(outcome.message);
        }
        if (outcome.kind !== "vanished" && outcome.kind !== "unused") {
          result.files++;
          result.bytes += source.size;
        }
        progress.advance(1, source.size);
      }
    };
    const guarded = async () => {
      try {
        await worker();
      } catch (error) {
        stopped = true;
        throw error;
      }
    };
    // Every worker stops before the journal may close: a stop (Ctrl-C) or a failure ends them all.
    const settled = await Promise.allSettled(Array.from({ length: concurrency }, guarded));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
  } finally {
    await journal.close();
  }
  result.staleRemoved += await removeUnused(chunkDeps, inTarget, new Set(sources.map((s) => s.key)), progress);
  return copied;
}

/**
 * What `to` holds and `from` does not: new files of the site (kept), and copies of files deleted
 * since an earlier run or an earlier move the other way (removed: else a deleted photo, or a
 * secret given up, would be served again from the new store).
 */
async function removeUnused(deps: MigrationDeps, inTarget: Map<string, Listed>, listed: Set<string>, progress: ProgressReport): Promise<number> {
  const unused: string[] = [];
  for (const [key, entry] of inTarget) {
    if (!listed.has(key) && deps.clock.now() - entry.modifiedAt >= STALE_AFTER_MS && !(await inUse(deps, key))) unused.push(key);
  }
  if (unused.length === 0) return 0;
  if ((await deps.deletionsHeldUntil()) !== null) {
    progress.note(`${unused.length} file(s) in ${deps.to.location} that no photo uses were left: a backup holds file deletions; run this again after it`);
    return 0;
  }
  for (const key of unused) await deps.to.delete(key);
  return unused.length;
}

/** Whether a photo row uses the key; anything that is not a photo file counts as used (never removed here). */
async function inUse(deps: MigrationDeps, key: string): Promise<boolean> {
  const original = ORIGINAL.exec(key);
  if (original) return (await deps.photoFiles(Number(original[1])))?.original_key === key;
  const derivative = DERIVATIVE.exec(key);
  if (derivative) return (await deps.photoFiles(Number(derivative[1])))?.secret === derivative[2];
  return true;
}

type Outcome = { kind: "copied" } | { kind: "there" } | { kind: "skipped" } | { kind: "vanished" } | { kind: "unused" } | { kind: "problem"; message: string };

async function moveOne(deps: MigrationDeps, journal: Journal, source: { key: string; size: number; modifiedAt: number }, target: { size: number } | null): Promise<Outcome> {
  const known = journal.get(source.key);
  if (known && target && known.size === source.size && known.modifiedAt === source.modifiedAt && target.size === source.size) return { kind: "skipped" };
  if (target) return compareInPlace(deps, journal, source);
  if (deps.clock.now() - source.modifiedAt >= STALE_AFTER_MS && !(await inUse(deps, source.key))) return { kind: "unused" };
  const temp = path.join(deps.to.scratchDir, scratchName("migrate", crypto.randomBytes(6).toString("hex")));
  try {
    const read = await deps.from.stream(source.key);
    if (!read) return { kind: "vanished" };
    const sha256 = await writeHashed(read.body, temp);
    try {
      await deps.to.putFile(source.key, temp);
    } catch (error) {
      // Written there meanwhile (the site regenerated it, or another run): check it by content.
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return compareInPlace(deps, journal, source);
      throw error;
    }
    const back = await hashOf(deps.to, source.key);
    if (back !== sha256) {
      await deps.to.delete(source.key);
      return { kind: "problem", message: `${source.key}: the copy in ${deps.to.location} read back differently (sha256 ${back ?? "missing"}, not ${sha256}); removed it, run this again` };
    }
    // A deletion may have taken the file from `from` after it was read: it takes `to`'s copy
    // after `from`'s, so if `from` still has it now, any later deletion removes the copy too.
    if (!(await deps.from.exists(source.key))) {
      await deps.to.delete(source.key);
      return { kind: "vanished" };
    }
    await journal.add({ key: source.key, size: source.size, modifiedAt: source.modifiedAt, sha256 });
    return { kind: "copied" };
  } finally {
    await fsp.rm(temp, { force: true });
  }
}

/** `to` already has the key: equal content is as good as a copy; a different derivative is the site's own newer rendering. */
async function compareInPlace(deps: MigrationDeps, journal: Journal, source: { key: string; size: number; modifiedAt: number }): Promise<Outcome> {
  const [there, here] = await Promise.all([hashOf(deps.to, source.key), hashOf(deps.from, source.key)]);
  if (here === null) return { kind: "vanished" };
  if (there === null) return { kind: "problem", message: `${source.key}: listed in ${deps.to.location} but gone when read; run this again` };
  if (there !== here && ORIGINAL.test(source.key)) {
    return { kind: "problem", message: `${source.key}: the original in ${deps.to.location} differs from the one in ${deps.from.location} (sha256 ${there} and ${here}); left both as they are: pinhole verify tells which one the database recorded` };
  }
  await journal.add({ key: source.key, size: source.size, modifiedAt: source.modifiedAt, sha256: there });
  return { kind: "there" };
}

async function writeHashed(body: Readable, file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  const handle = await fsp.open(file, "wx", 0o600);
  try {
    for await (const chunk of body) {
      hash.update(chunk as Buffer);
      await handle.write(chunk as Buffer);
    }
    // putFile wants a durable file: on local disk it is linked into place as it is.
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

async function hashOf(store: BlobStore, key: string): Promise<string | null> {
  const read = await store.stream(key);
  if (!read) return null;
  const hash = crypto.createHash("sha256");
  for await (const chunk of read.body) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The copies already verified, one JSON line each, appended as they are made: a line cut by a
 * crash is ignored (its file is checked by content next time). One folder of journals per pair
 * of stores, named by their locations, so a journal never vouches for a copy in another bucket;
 * one journal per folder of files, read only while that folder is worked on.
 */
class Journal {
  private readonly entries = new Map<string, JournalEntry>();
  private unsynced = 0;

  private constructor(private readonly handle: fsp.FileHandle) {}

  static async open(dir: string, chunk: string): Promise<Journal> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${chunk.slice(0, -1).replace("/", "-")}.jsonl`);
    const journal = new Journal(await fsp.open(file, "a+", 0o600));
    for (const line of (await fsp.readFile(file, "utf8")).split("\n")) {
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (typeof entry.key === "string" && typeof entry.sha256 === "string") journal.entries.set(entry.key, entry);
      } catch {
        /* an empty line, or the last one cut short */
      }
    }
    // A line cut short must not run into the next one.
    await journal.handle.write("\n");
    return journal;
  }

  get(key: string): JournalEntry | undefined {
    return this.entries.get(key);
  }

  async add(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.key, entry);
    await this.handle.write(JSON.stringify(entry) + "\n");
    if (++this.unsynced >= 100) {
      this.unsynced = 0;
      await this.handle.sync();
    }
  }

  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
  }
}
