import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { isDatabaseUnavailable } from "../db/errors.ts";
import { AppError, ForbiddenError, InvalidError, NotFoundError, UnsupportedMediaError, wording } from "../errors.ts";
import type { JobHandler, JobQueue, JobResult } from "../jobs/runner.ts";
import { NOTE_PERMISSIONS, type NotePermission } from "../notes/rules.ts";
import { MAX_COMMENT_LENGTH } from "../social/comment-text.ts";
import { MAX_NOTE_LENGTH } from "../notes/rules.ts";
import type { UploadQuotas } from "../photos/quotas.ts";
import type { PhotoService } from "../photos/service.ts";
import { ALREADY_SYNCED, sanitizeFileName, whenDurable, writeHashed, type ReceivedUpload } from "../photos/upload-receiver.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { scratchName, removeTempFile } from "../storage/scratch.ts";
import type { Viewer } from "../users/service.ts";
import type { AlbumSink } from "./albums.ts";
import { FLICKR_SOURCE, flickrAlbums, flickrPhoto, flickrPhotoFileId, flickrPhotoJsonId, isFlickrAlbums } from "./flickr.ts";
import { EXPORT_FORMAT, type AccountFile, type AlbumsFile, type ContactsFile, type FavesFile, type PhotoFile } from "./format.ts";
import type { AccountRow, EntryKind, EntryOutcome, ImportEntryRow, ImportRow, TransferRepository } from "./repository.ts";
import { importMessage, importTextOf, readImportText, storeImportText, type ImportText } from "./import-text.ts";
import { tagLine, type SourcePhoto } from "./source-photo.ts";

export const IMPORT_JOB = "transfer.import";

/** Contacts and faves of a Pinhole export, and account settings: what an import needs of other domains. */
export interface ImportPeople {
  setContact(member: Viewer, username: string, flags: { friend: boolean; family: boolean }): Promise<unknown>;
  fave(member: Viewer, photoId: number): Promise<unknown>;
  setNotePermission(member: Viewer, permission: NotePermission): Promise<unknown>;
}

export interface ImportServiceDeps {
  transfer: TransferRepository;
  photos: PhotoService;
  quotas: UploadQuotas;
  people: ImportPeople;
  /** Albums (`albumsForTransfer`); null keeps them with the import, made when a sink is given. */
  albums: AlbumSink | null;
  jobs: JobQueue;
  clock: Clock;
  log: Logger;
  /**
   * Where uploaded zips wait for their job: the shared store (under `imports/`), so whichever
   * server of a cluster claims the job finds the zip.
   */
  store: BlobStore;
  /** This server's local copies of those zips, read while it runs the job (under the data dir). */
  directory: string;
  scratchDir: string;
  baseUrl: string;
  /** The largest photo file an import takes out of a zip: the same limit as an upload. */
  maxPhotoBytes: number;
  /** How long one run of the job works before handing back (it resumes at once, from where it stopped). */
  sliceMs?: number;
}

export interface ImportView {
  id: string;
  status: ImportRow["status"];
  format: string | null;
  fileName: string;
  fileBytes: number;
  /** Photo files in the zip. */
  total: number;
  done: number;
  /** Already here: the same file, imported before or uploaded. */
  skipped: number;
  failed: number;
  /** Why the whole import failed. */
  error: ImportText | null;
  createdAt: string;
  finishedAt: string | null;
  pageUrl: string;
  /** What did not simply work, and what else was imported (albums, contacts, faves, settings). */
  entries: Array<{ entry: string; kind: EntryKind; outcome: EntryOutcome; reason: ImportText | null }>;
  notices: ImportNotice[];
}

/**
 * What the member should know about how the source's data was mapped, by name: pages say it in
 * the reader's language, the JSON API in English (`transfer.notice*` in i18n/messages/transfer.ts).
 */
export type ImportNotice = "flickrLicences" | "flickrLocations" | "albumsKept";

interface Payload {
  importId: number;
}

const MAX_JSON_BYTES = 16 * 1024 * 1024;
const ENTRY_LIST_LIMIT = 500;

/** A member as the import acts for them: their own photos, contacts and faves. */
function memberViewer(account: AccountRow): Viewer {
  return { id: account.id, username: account.username, isAdmin: false, emailConfirmed: true, showsRestricted: account.shows_restricted === 1, via: "bearer", tokenHash: "" };
}

/** What an entry's work answers: its outcome and why, and the photo it made or found. */
interface EntryResult {
  outcome: EntryOutcome;
  reason: ImportText | null;
  photoId: number | null;
}

/** One zip read: its entries by name, opened as needed. */
class ZipReader {
  private constructor(
    private readonly zip: ZipFile,
    readonly entries: Entry[],
  ) {}

  static async open(file: string): Promise<ZipReader> {
    const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
    const entries: Entry[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on("entry", (entry: Entry) => {
          if (!entry.fileName.endsWith("/")) entries.push(entry);
          zip.readEntry();
        });
        zip.once("end", () => resolve());
        zip.once("error", reject);
        zip.readEntry();
      });
    } catch (error) {
      zip.close();
      throw error;
    }
    return new ZipReader(zip, entries);
  }

  async json(entry: Entry): Promise<unknown> {
    if (entry.uncompressedSize > MAX_JSON_BYTES) throw new InvalidError(wording("transfer.reason.jsonTooLarge", { file: entry.fileName, mb: MAX_JSON_BYTES / 1024 / 1024 }));
    const stream = await this.zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    } catch {
      throw new InvalidError(wording("transfer.reason.notJson", { file: entry.fileName }));
    }
  }

  async stream(entry: Entry): Promise<Readable> {
    return this.zip.openReadStreamPromise(entry);
  }

  close(): void {
    this.zip.close();
  }
}

/**
 * Imports a zip of photos — a Flickr data export (any of its zips, in any order) or Pinhole's
 * own export — as a job that survives restarts. Each entry's outcome is recorded as it is done,
 * so a resumed job skips those. Every photo goes through the same ingest as an upload (probe,
 * derivatives, quotas, the same bytes never stored twice for a member); then what the source
 * says of it is applied through the photo service. A source photo's metadata and its file may
 * arrive in different zips: whichever comes first waits in `import_items` for the other.
 */
export class ImportService {
  private readonly sliceMs: number;

  constructor(private readonly deps: ImportServiceDeps) {
    this.sliceMs = deps.sliceMs ?? 60_000;
  }

  /** Takes an uploaded zip and queues its import. */
  async start(viewer: Viewer, upload: Pick<ReceivedUpload, "tempPath" | "bytes" | "displayName" | "synced">): Promise<ImportView> {
    const { transfer, clock } = this.deps;
    try {
      if (!(await isZip(upload.tempPath))) throw new UnsupportedMediaError(wording("errors.import.notZip"), { field: "file" });
      const stored = `${crypto.randomBytes(12).toString("hex")}.zip`;
      // Once the upload is fsynced, the store keeps it durably, for any server's job to read.
      await whenDurable(upload);
      await this.deps.store.putFile(importKey(stored), upload.tempPath);
      const id = await transfer.createImport({ memberId: viewer.id, fileName: sanitizeFileName(upload.displayName), fileBytes: upload.bytes, storedPath: stored, now: clock.now() });
      const job = await this.deps.jobs.enqueue(IMPORT_JOB, { importId: id } satisfies Payload);
      this.deps.jobs.runSoon(job);
      return this.get(viewer, id);
    } finally {
      await removeTempFile(upload.tempPath);
    }
  }

  /** An import as its member (or an admin) sees it; anyone else gets a 404. */
  async get(viewer: Viewer, id: number): Promise<ImportView> {
    const row = await this.deps.transfer.findImport(id);
    if (!row || (row.member_id !== viewer.id && !viewer.isAdmin)) throw new NotFoundError(wording("errors.import.notFound"));
    const counts = row.status === "done" || row.status === "failed" ? { done: row.done, skipped: row.skipped, failed: row.failed } : await this.deps.transfer.photoCounts(id);
    const entries = await this.deps.transfer.notableEntries(id, ENTRY_LIST_LIMIT);
    return this.present(row, counts, entries);
  }

  async list(viewer: Viewer): Promise<ImportView[]> {
    const rows = await this.deps.transfer.importsOf(viewer.id, 20);
    return rows.map((row) => this.present(row, row, []));
  }

  private present(row: ImportRow, counts: { done: number; skipped: number; failed: number }, entries: ImportEntryRow[]): ImportView {
    const notices: ImportNotice[] = row.format === "flickr" ? ["flickrLicences", "flickrLocations"] : [];
    if (!this.deps.albums && entries.some((e) => e.kind === "album")) notices.push("albumsKept");
    return {
      id: String(row.id),
      status: row.status,
      format: row.format,
      fileName: row.file_name,
      fileBytes: Number(row.file_bytes),
      total: row.total,
      done: Number(counts.done),
      skipped: Number(counts.skipped),
      failed: Number(counts.failed),
      error: readImportText(row.error),
      createdAt: new Date(Number(row.created_at)).toISOString(),
      finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)).toISOString(),
      pageUrl: `${this.deps.baseUrl}/imports/${row.id}`,
      entries: entries.map((e) => ({ entry: e.entry, kind: e.kind, outcome: e.outcome, reason: readImportText(e.reason) })),
      notices,
    };
  }

  readonly job: JobHandler = {
    run: async (raw): Promise<JobResult> => {
      const { importId } = raw as Payload;
      const { transfer, clock } = this.deps;
      const row = await transfer.findImport(importId);
      if (!row || row.status === "done" || row.status === "failed") return { status: "done" };
      const account = await transfer.accountById(row.member_id);
      await this.pruneLocalCopies(row.stored_path);
      if (!account) {
        await this.removeZip(row.stored_path);
        return { status: "done" };
      }
      // A store that cannot be read now throws here, and the job is tried again later.
      const file = await this.localCopy(row.stored_path);
      if (file === null) {
        await this.finish(row, "failed", importMessage("transfer.failure.zipGone"));
        return { status: "done" };
      }
      let zip: ZipReader;
      try {
        zip = await ZipReader.open(file);
      } catch (error) {
        const reason = importTextOf(error);
        await this.finish(row, "failed", importMessage("transfer.failure.notAZip", { reason }));
        return { status: "done" };
      }
      try {
        const run = new ImportRun(this.deps, row, account, zip, clock.now() + this.sliceMs);
        const outcome = await run.go();
        if (outcome === "later") return { status: "later", at: clock.now(), reason: "continues where it stopped" };
        if (outcome === "unknown") {
          await this.finish(row, "failed", importMessage("transfer.failure.unknownFormat", { metadata: "photo_<id>.json", photo: "<name>_<id>_o.<ext>", account: "account.json" }));
          return { status: "done" };
        }
        await this.finish(row, "done", null);
        return { status: "done" };
      } finally {
        zip.close();
      }
    },
  };

  private async finish(row: ImportRow, status: "done" | "failed", error: ImportText | null): Promise<void> {
    const counts = await this.deps.transfer.photoCounts(row.id);
    const now = this.deps.clock.now();
    await this.deps.transfer.updateImport(row.id, { status, error: storeImportText(error), ...counts, finished_at: now }, now);
    await this.removeZip(row.stored_path);
  }

  /**
   * The zip as a file of this server, which the zip reader needs (it reads the central directory
   * at the end first, then entries anywhere): kept between the job's time slices, fetched from
   * the store when this server has none (another server took the upload or the earlier slices).
   * Zips from before the store kept them are only in the local folder, and read from there.
   */
  private async localCopy(stored: string): Promise<string | null> {
    const file = path.join(this.deps.directory, stored);
    if (fs.existsSync(file)) return file;
    const found = await this.deps.store.stream(importKey(stored));
    if (!found) return null;
    await fsp.mkdir(this.deps.directory, { recursive: true });
    const partial = `${file}.${crypto.randomBytes(6).toString("hex")}.part`;
    try {
      await pipeline(found.body, fs.createWriteStream(partial, { flags: "wx" }));
      await fsp.rename(partial, file);
    } catch (error) {
      await fsp.rm(partial, { force: true });
      throw error;
    }
    return file;
  }

  private async removeZip(stored: string): Promise<void> {
    await fsp.rm(path.join(this.deps.directory, stored), { force: true });
    await this.deps.store.delete(importKey(stored));
  }

  /**
   * Local copies of zips whose import another server finished: the server that ran the last
   * slice removes only its own copy, so each server drops the others it still has when it
   * next runs an import.
   */
  private async pruneLocalCopies(current: string): Promise<void> {
    const names = await fsp.readdir(this.deps.directory).catch(() => [] as string[]);
    for (const name of names) {
      if (name === current || !name.endsWith(".zip")) continue;
      const row = await this.deps.transfer.findImportByStoredPath(name);
      if (!row || row.status === "done" || row.status === "failed") await fsp.rm(path.join(this.deps.directory, name), { force: true });
    }
  }
}

/** One run of the job over one zip, until it is done or its time slice is used up. */
class ImportRun {
  private readonly member: Viewer;
  private recorded = new Set<string>();

  constructor(
    private readonly deps: ImportServiceDeps,
    private readonly row: ImportRow,
    private readonly account: AccountRow,
    private readonly zip: ZipReader,
    private readonly deadline: number,
  ) {
    this.member = memberViewer(account);
  }

  async go(): Promise<"done" | "later" | "unknown"> {
    const { transfer, clock } = this.deps;
    this.recorded = await transfer.recordedEntries(this.row.id);
    const byName = new Map(this.zip.entries.map((e) => [e.fileName, e]));
    const accountEntry = [...byName.keys()].find((name) => /(?:^|\/)account\.json$/.test(name));
    const pinholeAccount = accountEntry ? await this.readPinholeAccount(byName.get(accountEntry) as Entry) : null;
    const format = pinholeAccount ? "pinhole" : this.zip.entries.some((e) => flickrPhotoJsonId(e.fileName) || flickrPhotoFileId(e.fileName) || isFlickrAlbums(e.fileName)) ? "flickr" : null;
    if (!format) return "unknown";
    const prefix = pinholeAccount && accountEntry ? accountEntry.slice(0, accountEntry.length - "account.json".length) : "";
    const source = pinholeAccount ? `pinhole:${pinholeAccount.instance}` : FLICKR_SOURCE;
    const photoFiles = this.zip.entries.filter((e) => (pinholeAccount ? e.fileName.startsWith(`${prefix}originals/`) : flickrPhotoFileId(e.fileName) !== null));
    if (this.row.status === "queued" || this.row.format !== format) {
      await transfer.updateImport(this.row.id, { status: "running", format, total: photoFiles.length }, clock.now());
    }
    if (pinholeAccount && accountEntry) await this.once(accountEntry, "account", () => this.applyAccount(pinholeAccount));

    // 1. What the source says of each photo, kept (and applied to photos already here).
    for (const entry of this.zip.entries) {
      if (this.recorded.has(entry.fileName)) continue;
      const sourceId = pinholeAccount ? pinholePhotoJsonId(entry.fileName, prefix) : flickrPhotoJsonId(entry.fileName);
      if (sourceId === null) continue;
      await this.once(entry.fileName, "metadata", async () => {
        const json = await this.zip.json(entry);
        const photo = pinholeAccount ? pinholePhoto(json as PhotoFile, pinholeAccount.username) : flickrPhoto(json, clock.now());
        const changed = await transfer.saveMetadata(this.account.id, source, sourceId, JSON.stringify(photo), clock.now());
        const item = await transfer.findItem(this.account.id, source, sourceId);
        if (!changed && item?.applied_at != null) return { outcome: "skipped", reason: importMessage("transfer.reason.unchanged"), photoId: item.photo_id };
        if (item?.photo_id != null) return this.apply(source, sourceId, Number(item.photo_id), photo);
        return { outcome: "done", reason: importMessage("transfer.reason.waitingForFile"), photoId: null };
      });
      if (clock.now() > this.deadline) return "later";
    }

    // 2. Photo files, through the same ingest as an upload.
    for (const entry of photoFiles) {
      if (this.recorded.has(entry.fileName)) continue;
      const sourceId = pinholeAccount ? (/([^/.]+)\.[^/.]+$/.exec(entry.fileName)?.[1] ?? entry.fileName) : (flickrPhotoFileId(entry.fileName) as string);
      await this.once(entry.fileName, "photo", () => this.importFile(entry, source, sourceId));
      if (clock.now() > this.deadline) return "later";
    }

    // 3. Albums, contacts, faves.
    for (const entry of this.zip.entries) {
      const name = entry.fileName;
      if (pinholeAccount ? name === `${prefix}albums.json` : isFlickrAlbums(name)) await this.readAlbums(entry, source, pinholeAccount !== null);
      if (pinholeAccount && name === `${prefix}contacts.json`) await this.readContacts(entry);
      if (pinholeAccount && name === `${prefix}faves.json`) await this.readFaves(entry, pinholeAccount.instance);
    }
    // Two zips of one export imported at once may each have missed the other's half of a photo.
    for (const item of await transfer.unappliedItems(this.account.id, source, 10_000)) {
      const applied = await this.apply(source, item.source_id, item.photo_id, JSON.parse(item.metadata) as SourcePhoto).then(
        () => true,
        (error: unknown) => {
          // Details the photo service refuses stay unapplied (the entry said why); never retried in a loop.
          if (error instanceof AppError) return false;
          throw error;
        },
      );
      if (applied && clock.now() > this.deadline) return "later";
    }
    await this.syncAlbums(source);
    return "done";
  }

  /** Runs one entry's work unless an earlier run recorded it; a failure is recorded with its reason. */
  private async once(entry: string, kind: EntryKind, work: () => Promise<EntryResult>): Promise<void> {
    if (this.recorded.has(entry)) return;
    let result: EntryResult;
    try {
      result = await work();
    } catch (error) {
      // The server's own trouble (database, disk) is retried by the job; the entry's is recorded.
      if (!(error instanceof AppError) && isInfrastructure(error)) throw error;
      result = { outcome: "failed", reason: importTextOf(error), photoId: null };
    }
    await this.deps.transfer.recordEntry({ importId: this.row.id, entry, kind, ...result, reason: storeImportText(result.reason), now: this.deps.clock.now() });
    this.recorded.add(entry);
  }

  private async readPinholeAccount(entry: Entry): Promise<AccountFile | null> {
    try {
      const json = (await this.zip.json(entry)) as Partial<AccountFile>;
      return json && json.format === EXPORT_FORMAT && typeof json.instance === "string" && typeof json.username === "string" ? (json as AccountFile) : null;
    } catch {
      return null;
    }
  }

  private async applyAccount(account: AccountFile): Promise<EntryResult> {
    const defaults = account.photoDefaults;
    if (defaults) await this.deps.photos.setDefaults(this.member, { license: defaults.license, downloadAllowed: defaults.downloadAllowed, locationVisibility: defaults.locationVisibility });
    if ((NOTE_PERMISSIONS as readonly string[]).includes(account.notePermission)) await this.deps.people.setNotePermission(this.member, account.notePermission as NotePermission);
    return { outcome: "done", reason: importMessage("transfer.reason.account", { username: account.username, instance: account.instance }), photoId: null };
  }

  private async importFile(entry: Entry, source: string, sourceId: string): Promise<EntryResult> {
    const { transfer, photos, quotas, clock } = this.deps;
    const item = await transfer.findItem(this.account.id, source, sourceId);
    const metadata = item?.metadata ? (JSON.parse(item.metadata) as SourcePhoto) : null;
    if (entry.uncompressedSize > this.deps.maxPhotoBytes) {
      return { outcome: "failed", reason: importMessage("transfer.reason.photoTooLarge", { mb: Math.round(this.deps.maxPhotoBytes / 1024 / 1024) }), photoId: null };
    }
    const hold = await quotas.admit(this.account.id, entry.uncompressedSize);
    let created: boolean;
    let photoId: number;
    try {
      const upload = await this.extract(entry, metadata?.originalName ?? entry.fileName);
      const quota = await hold.confirm(upload.bytes).catch(async (error: unknown) => {
        await removeTempFile(upload.tempPath);
        throw error;
      });
      const stored = await photos.upload(this.member, upload, quota);
      created = stored.created;
      photoId = Number(stored.photo.id);
    } finally {
      hold.release();
    }
    await transfer.savePhoto(this.account.id, source, sourceId, photoId, clock.now());
    if (metadata && (created || item?.applied_at == null)) {
      try {
        await this.apply(source, sourceId, photoId, metadata);
      } catch (error) {
        // The photo is here; what the source said of it could not all be used.
        if (!(error instanceof AppError)) throw error;
        return { outcome: created ? "done" : "skipped", reason: importMessage("transfer.reason.detailsNotApplied", { reason: importTextOf(error) }), photoId };
      }
    }
    return created ? { outcome: "done", reason: null, photoId } : { outcome: "skipped", reason: importMessage("transfer.reason.alreadyHere"), photoId };
  }

  private async apply(source: string, sourceId: string, photoId: number, photo: SourcePhoto): Promise<EntryResult & { photoId: number }> {
    const { photos, transfer, clock } = this.deps;
    const edit = {
      title: photo.title,
      description: photo.description,
      tags: photo.tags ? tagLine(photo.tags) : undefined,
      visibility: photo.visibility,
      restricted: photo.restricted,
      license: photo.license,
      downloadAllowed: photo.downloadAllowed,
    };
    await photos.applyImport(photoId, this.member, { edit, takenAt: photo.takenAt, location: photo.location });
    const comments = photo.comments.map((c) => ({ author: c.author, text: [...c.text].slice(0, MAX_COMMENT_LENGTH).join(""), createdAt: c.createdAt }));
    const notes = photo.notes.map((n) => ({ ...n, text: [...n.text].slice(0, MAX_NOTE_LENGTH).join("") }));
    await transfer.markApplied(this.account.id, source, sourceId, photoId, { comments, notes }, clock.now());
    return { outcome: "done", reason: null, photoId };
  }

  private async extract(entry: Entry, name: string): Promise<ReceivedUpload> {
    const tempPath = path.join(this.deps.scratchDir, scratchName("import", `${crypto.randomBytes(12).toString("hex")}.part`));
    try {
      const written = await writeHashed(await this.zip.stream(entry), tempPath);
      return { tempPath, ...written, synced: ALREADY_SYNCED, displayName: sanitizeFileName(name), fields: {} };
    } catch (error) {
      await removeTempFile(tempPath);
      throw error;
    }
  }

  /** Album definitions are kept (like photo metadata) and synced once their photos are here. */
  private async readAlbums(entry: Entry, source: string, pinhole: boolean): Promise<void> {
    const json = await this.zip.json(entry).catch(() => null);
    const albums = pinhole ? ((json as AlbumsFile | null)?.albums ?? []).map((a) => ({ id: a.id, title: a.title, description: a.description, photoIds: a.photoIds, coverPhotoId: a.coverPhotoId })) : flickrAlbums(json);
    for (const album of albums) {
      await this.once(`${entry.fileName}#${album.id}`, "album", async () => {
        await this.deps.transfer.saveMetadata(this.account.id, `${source}#album`, album.id, JSON.stringify(album), this.deps.clock.now());
        const described = { title: album.title, count: album.photoIds.length };
        return this.deps.albums
          ? { outcome: "done", reason: importMessage("transfer.reason.album", described), photoId: null }
          : { outcome: "skipped", reason: importMessage("transfer.reason.albumKept", described), photoId: null };
      });
    }
  }

  /** Every album of this source known so far, with the photos imported so far (idempotent: see AlbumSink). */
  private async syncAlbums(source: string): Promise<void> {
    const sink = this.deps.albums;
    if (!sink) return;
    for (const item of await this.deps.transfer.itemsOf(this.account.id, `${source}#album`)) {
      if (!item.metadata) continue;
      const album = JSON.parse(item.metadata) as { id: string; title: string; description: string; photoIds: string[]; coverPhotoId: string | null };
      const mapped = await this.deps.transfer.photosOfSources(this.account.id, source, album.photoIds);
      const photoIds = album.photoIds.map((id) => mapped.get(id)).filter((id): id is number => id !== undefined);
      const cover = album.coverPhotoId === null ? null : (mapped.get(album.coverPhotoId) ?? null);
      await sink.syncAlbum(this.member, { source, sourceId: album.id, title: album.title, description: album.description, photoIds, coverPhotoId: cover });
    }
  }

  private async readContacts(entry: Entry): Promise<void> {
    const json = (await this.zip.json(entry).catch(() => null)) as ContactsFile | null;
    for (const contact of json?.contacts ?? []) {
      await this.once(`${entry.fileName}#${contact.username}`, "contact", async () => {
        try {
          await this.deps.people.setContact(this.member, contact.username, { friend: contact.friend === true, family: contact.family === true });
          return { outcome: "done", reason: contact.username, photoId: null };
        } catch (error) {
          if (error instanceof NotFoundError) return { outcome: "skipped", reason: importMessage("transfer.reason.noSuchMember", { username: contact.username }), photoId: null };
          if (error instanceof AppError) return { outcome: "skipped", reason: importMessage("transfer.reason.about", { subject: contact.username, reason: importTextOf(error) }), photoId: null };
          throw error;
        }
      });
    }
  }

  private async readFaves(entry: Entry, instance: string): Promise<void> {
    const json = (await this.zip.json(entry).catch(() => null)) as FavesFile | null;
    for (const fave of json?.faves ?? []) {
      await this.once(`${entry.fileName}#${fave.photoId}`, "fave", async () => {
        const here = await this.deps.transfer.photoFromSource(`pinhole:${instance}`, String(fave.photoId));
        if (!here) return { outcome: "skipped", reason: importMessage("transfer.reason.faveElsewhere", { owner: fave.owner, url: fave.pageUrl }), photoId: null };
        try {
          await this.deps.people.fave(this.member, here.photo_id);
          return { outcome: "done", reason: importMessage("transfer.reason.faveOf", { owner: here.owner }), photoId: here.photo_id };
        } catch (error) {
          if (error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof InvalidError) return { outcome: "skipped", reason: importMessage("transfer.reason.about", { subject: fave.pageUrl, reason: importTextOf(error) }), photoId: null };
          throw error;
        }
      });
    }
  }
}

/** Errors of the server itself (database, disk): the job retries them rather than recording the entry as failed. */
function isInfrastructure(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return isDatabaseUnavailable(error) || ["ENOSPC", "EIO", "EROFS", "SQLITE_BUSY", "SQLITE_FULL", "SQLITE_IOERR"].includes(code);
}

function pinholePhotoJsonId(entry: string, prefix: string): string | null {
  const match = /^photos\/([^/]+)\.json$/.exec(entry.slice(prefix.length));
  return entry.startsWith(prefix) && match ? (match[1] as string) : null;
}

/** A photo of a Pinhole export; comments and notes by the exporting member stay theirs. */
function pinholePhoto(file: PhotoFile, exporter: string): SourcePhoto {
  const time = (value: string) => {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : Date.now();
  };
  const author = (r: { author: string; imported: boolean }) => (!r.imported && r.author === exporter ? null : r.author);
  return {
    title: file.title,
    description: file.description,
    tags: Array.isArray(file.tags) ? file.tags.map(String) : [],
    visibility: file.visibility,
    restricted: file.restricted === true,
    license: file.license,
    downloadAllowed: file.downloadAllowed === true,
    takenAt: file.takenAt ? { value: file.takenAt, offset: file.takenAtOffset ?? null, onlyIfMissing: false } : undefined,
    location: file.location ? { latitude: file.location.latitude, longitude: file.location.longitude, altitude: file.location.altitude ?? null, visibility: file.location.visibility } : undefined,
    originalName: file.originalName,
    comments: (file.comments ?? []).filter((c) => !c.hidden).map((c) => ({ author: author(c), text: c.text, createdAt: time(c.createdAt) })),
    notes: (file.notes ?? []).map((n) => ({ author: author(n), text: n.text, createdAt: time(n.createdAt), x: n.x, y: n.y, width: n.width, height: n.height })),
  };
}

/** The key of an uploaded zip in the store until its import is finished. */
function importKey(stored: string): string {
  return `imports/${stored}`;
}

async function isZip(file: string): Promise<boolean> {
  const handle = await fsp.open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

