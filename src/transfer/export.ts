import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { PhotoRow } from "../db/schema.ts";
import { NotFoundError, wording } from "../errors.ts";
import type { Tag } from "../photos/tags.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { AlbumSource } from "./albums.ts";
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, EXTENSIONS, readme, type AccountFile, type AlbumsFile, type ContactsFile, type FavesFile, type PhotoFile } from "./format.ts";
import type { AccountRow, ExportComment, ExportNote, TransferRepository } from "./repository.ts";

export interface ExportServiceDeps {
  transfer: TransferRepository;
  store: BlobStore;
  /** Albums (`albumsForTransfer`); null exports none. */
  albums: AlbumSource | null;
  clock: Clock;
  baseUrl: string;
  log: Logger;
}

/** Photos read from the database at a time: what the zip holds in memory besides one original's buffers. */
const PAGE = 100;

const iso = (ms: number) => new Date(ms).toISOString();
const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

/**
 * A member's whole account as one zip (the layout is in format.ts), written while it is sent:
 * no temporary file, and in memory only one page of photos' JSON and the original being copied.
 * The next page is read only when the zip has reached the last original of the one before, so
 * a slow client slows the reading down instead of filling memory.
 */
export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  async account(username: string): Promise<AccountRow> {
    const account = await this.deps.transfer.account(username);
    if (!account) throw new NotFoundError(wording("errors.memberNotFound"));
    return account;
  }

  fileName(account: AccountRow): string {
    return `pinhole-${account.username}-${iso(this.deps.clock.now()).slice(0, 10)}.zip`;
  }

  /**
   * The zip as a stream. Abort `signal` when the client goes away: the originals being read are
   * closed and nothing more is read.
   */
  stream(account: AccountRow, signal: AbortSignal): Readable {
    const zip = new ZipFile();
    const output = zip.outputStream as Readable;
    let current: Readable | null = null;
    const stop = () => {
      current?.destroy();
      current = null;
      if (!output.destroyed) output.destroy();
    };
    signal.addEventListener("abort", stop, { once: true });
    zip.on("error", (error: Error) => {
      this.deps.log.warn({ err: error, member: account.username }, "export stopped");
      current?.destroy();
      output.destroy(error);
    });
    this.fill(zip, account, signal, (stream) => (current = stream)).catch((error: unknown) => {
      if (!signal.aborted) this.deps.log.error({ err: error, member: account.username }, "export failed");
      current?.destroy();
      if (!output.destroyed) output.destroy(error as Error);
    });
    return output;
  }

  private async fill(zip: ZipFile, account: AccountRow, signal: AbortSignal, reading: (stream: Readable | null) => void): Promise<void> {
    const { transfer, store, baseUrl } = this.deps;
    const now = this.deps.clock.now();
    const mtime = new Date(now);
    const exportedAt = iso(now);
    const accountFile: AccountFile = {
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      instance: baseUrl,
      exportedAt,
      username: account.username,
      email: account.email,
      createdAt: iso(account.created_at),
      isPro: account.is_pro === 1,
      showsRestricted: account.shows_restricted === 1,
      notePermission: account.note_permission,
      webmentionPolicy: account.webmention_policy,
      photoDefaults: { license: account.default_license, downloadAllowed: account.default_download_allowed === 1, locationVisibility: account.default_location_visibility },
    };
    zip.addBuffer(Buffer.from(readme({ username: account.username, instance: baseUrl, exportedAt })), "README.txt", { mtime });
    zip.addBuffer(json(accountFile), "account.json", { mtime });
    let after = 0;
    for (;;) {
      if (signal.aborted) return;
      const photos = await transfer.photosPage(account.id, after, PAGE);
      if (photos.length === 0) break;
      const ids = photos.map((p) => p.id);
      const [comments, notes] = await Promise.all([transfer.commentsOn(ids), transfer.notesOn(ids)]);
      let pageRead!: () => void;
      const pageDone = new Promise<void>((resolve) => (pageRead = resolve));
      photos.forEach((photo, index) => {
        const originalPath = `originals/${photo.id}.${EXTENSIONS[photo.original_format] ?? photo.original_format}`;
        const file = this.photoFile(photo, account.username, originalPath, comments.filter((c) => c.photo_id === photo.id), notes.filter((n) => n.photo_id === photo.id));
        zip.addBuffer(json(file), `photos/${photo.id}.json`, { mtime: new Date(photo.updated_at) });
        const last = index === photos.length - 1;
        zip.addReadStreamLazy(originalPath, { compress: false, mtime: new Date(photo.uploaded_at) }, (callback) => {
          if (last) pageRead();
          if (signal.aborted) return callback(new Error("the client went away"), undefined as unknown as Readable);
          store.stream(photo.original_key).then(
            (stored) => {
              if (signal.aborted) {
                stored?.body.destroy();
                return;
              }
              if (!stored) this.deps.log.warn({ photo: photo.id }, "export: original missing, written empty");
              const body = stored?.body ?? Readable.from([]);
              reading(body);
              body.once("close", () => reading(null));
              callback(null, body);
            },
            (error: unknown) => callback(error as Error, undefined as unknown as Readable),
          );
        });
      });
      after = ids[ids.length - 1] as number;
      await Promise.race([pageDone, new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))]);
    }
    if (signal.aborted) return;
    const contacts: ContactsFile = { contacts: (await transfer.contactsOf(account.id)).map((c) => ({ username: c.username, friend: c.is_friend === 1, family: c.is_family === 1, since: iso(c.created_at) })) };
    zip.addBuffer(json(contacts), "contacts.json", { mtime });
    const faves: FavesFile = {
      faves: (await transfer.favesOf(account.id)).map((f) => ({ photoId: String(f.photo_id), owner: f.owner, pageUrl: `${baseUrl}/photos/${f.owner}/${f.photo_id}`, favedAt: iso(f.created_at) })),
    };
    zip.addBuffer(json(faves), "faves.json", { mtime });
    const albums: AlbumsFile = {
      albums: ((await this.deps.albums?.albumsOf(account.id)) ?? []).map((a) => ({ id: a.id, title: a.title, description: a.description, coverPhotoId: a.coverPhotoId === null ? null : String(a.coverPhotoId), photoIds: a.photoIds.map(String) })),
    };
    zip.addBuffer(json(albums), "albums.json", { mtime });
    zip.end();
  }

  private photoFile(photo: PhotoRow, owner: string, originalPath: string, comments: ExportComment[], notes: ExportNote[]): PhotoFile {
    const tags = JSON.parse(photo.tags) as Tag[];
    return {
      formatVersion: EXPORT_FORMAT_VERSION,
      id: String(photo.id),
      pageUrl: `${this.deps.baseUrl}/photos/${encodeURIComponent(owner)}/${photo.id}`,
      title: photo.title,
      description: photo.description,
      tags: tags.map((t) => t.raw),
      visibility: photo.visibility,
      restricted: photo.restricted === 1,
      hidden: photo.hidden_at !== null,
      license: photo.license,
      downloadAllowed: photo.download_allowed === 1,
      takenAt: photo.taken_at,
      takenAtOffset: photo.taken_at_offset,
      uploadedAt: iso(photo.uploaded_at),
      camera: { make: photo.camera_make, model: photo.camera_model, lens: photo.lens },
      exposure: { time: photo.exposure_time, seconds: photo.exposure_seconds, fNumber: photo.f_number, iso: photo.iso, focalLength: photo.focal_length, focalLength35mm: photo.focal_length_35mm },
      location: photo.latitude !== null && photo.longitude !== null ? { latitude: photo.latitude, longitude: photo.longitude, altitude: photo.altitude, visibility: photo.location_visibility } : null,
      width: photo.width,
      height: photo.height,
      originalName: photo.original_name,
      originalFormat: photo.original_format,
      originalBytes: photo.original_bytes,
      sha256: photo.sha256,
      original: originalPath,
      comments: comments.map((c) => ({ author: c.imported_author ?? c.author, imported: c.imported_author !== null, text: c.body, createdAt: iso(c.created_at), hidden: c.hidden_at !== null })),
      notes: notes.map((n) => ({ author: n.imported_author ?? n.author, imported: n.imported_author !== null, text: n.body, createdAt: iso(n.created_at), x: n.x, y: n.y, width: n.width, height: n.height })),
    };
  }
}
