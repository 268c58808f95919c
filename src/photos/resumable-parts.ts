import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileStore } from "@tus/file-store";
import { DataStore, ERRORS, Upload } from "@tus/server";
import type { BlobStore } from "../storage/blob-store.ts";
import { scratchName, removeTempFile } from "../storage/scratch.ts";
import { fsyncFile, writeHashed } from "./upload-receiver.ts";

/** A finished upload as one local file, fsynced: what the ingest takes (and removes). */
export interface WholeFile {
  tempPath: string;
  sha256: string;
  bytes: number;
}

/** Where the parts of unfinished tus uploads wait: tus's DataStore, plus what the last step needs. */
export interface ResumablePartsStore extends DataStore {
  /** The upload's bytes as one local file in `scratchDir`, fsynced. */
  wholeFile(upload: Upload, scratchDir: string): Promise<WholeFile>;
  /** Removes whatever is left of an upload (after its ingest, whether it made a photo or not). */
  discard(uploadId: string): Promise<void>;
}

/**
 * One machine: tus's own file store in the data dir (`data/resumable-uploads`), one growing file
 * per upload; several processes of the machine share the folder. The finished file is used
 * where it is: fsynced in place and handed to the ingest under a second name.
 */
export class LocalPartsStore extends FileStore implements ResumablePartsStore {
  constructor(
    private readonly folder: string,
    expiryMs: number,
  ) {
    fs.mkdirSync(folder, { recursive: true });
    super({ directory: folder, expirationPeriodInMilliseconds: expiryMs });
  }

  /**
   * A second name for the file in the scratch dir (same disk: a hard link, no copy), which the
   * ingest removes; the upload's own name stays until `discard`, for tus to read it meanwhile.
   */
  async wholeFile(upload: Upload, scratchDir: string): Promise<WholeFile> {
    const file = path.join(this.folder, upload.id);
    await fsyncFile(file);
    const tempPath = path.join(scratchDir, scratchName("upload", `${upload.id}.part`));
    await fsp.link(file, tempPath).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EXDEV") throw error;
      await fsp.copyFile(file, tempPath);
      await fsyncFile(tempPath);
    });
    const hash = crypto.createHash("sha256");
    await pipeline(fs.createReadStream(tempPath), hash);
    return { tempPath, sha256: hash.digest("hex"), bytes: (await fsp.stat(tempPath)).size };
  }

  async discard(uploadId: string): Promise<void> {
    const file = path.join(this.folder, uploadId);
    await fsp.rm(file, { force: true });
    await fsp.rm(`${file}.json`, { force: true });
  }
}

/** Every key of the shared parts store is under this folder of the site's store (its prefix first, on S3). */
export const SHARED_PARTS_FOLDER = "resumable-uploads/";
/** tus's ids are 32 hex digits; anything else in a URL is no upload of ours (and no storage key). */
const UPLOAD_ID = /^[a-z0-9]{1,64}$/;
const INFO = "info.json";
const PART = /^part-(\d{15})-[0-9a-f]{8}$/;
/** A PATCH's bytes are stored in pieces of at most this size: a server that dies mid-request loses at most one. */
const PIECE_BYTES = 8 * 1024 * 1024;

interface UploadInfo {
  size?: number;
  metadata?: Record<string, string | null>;
  creation_date?: string;
}

interface Piece {
  file: string;
  handle: fsp.FileHandle;
  bytes: number;
}

interface Part {
  key: string;
  start: number;
  size: number;
}

/** How many bytes from the start the parts hold without a gap. */
function coveredLength(parts: Part[]): number {
  let end = 0;
  for (const part of parts) {
    if (part.start > end) break;
    end = Math.max(end, part.start + part.size);
  }
  return end;
}

/**
 * Several machines: the parts in the site's own store (the S3 bucket, under the site's prefix
 * and `resumable-uploads/<id>/`), so whichever server receives the next PATCH, or the last one,
 * finds every byte before it.
 *
 * Each PATCH's bytes become objects of their own, named by the offset they start at
 * (`part-<offset>-<random>`), and an upload's `info.json` holds its length and metadata (the
 * owner among them). The offset is how far the parts reach from 0 without a gap; the last step
 * reads them in order into one local file.
 *
 * Why not S3's multipart uploads (@tus/s3-store): every part but the last must be at least
 * 5 MiB there (Ceph RGW's `rgw_multipart_min_part_size` as AWS), while clients send smaller
 * chunks (the web uploader 2 MiB, tus-js-client whatever it is given); s3-store keeps a short
 * PATCH as an extra object and, at each following PATCH, downloads and uploads it again until
 * 5 MiB have gathered (3× the traffic at 2 MiB chunks, 5× at 512 KB). It also has no key
 * prefix (keys at the bucket's root, beside another site's), its expiry aborts every multipart
 * upload in the bucket, this site's large originals in flight included, and it caches uploads'
 * records in each process, which goes stale across servers. Objects named by their offset need
 * none of that, work the same over any BlobStore, and are safe even if two writers overlapped:
 * both hold the same bytes of the same file at the same place.
 */
export class SharedPartsStore extends DataStore implements ResumablePartsStore {
  constructor(
    private readonly store: BlobStore,
    private readonly expiryMs: number,
    private readonly now: () => number = Date.now,
    private readonly pieceBytes = PIECE_BYTES,
  ) {
    super();
    this.extensions = ["creation", "creation-with-upload", "creation-defer-length", "termination", "expiration"];
  }

  private folderOf(id: string): string {
    // An id tus took from a URL that is no id of ours is an upload that does not exist.
    if (!UPLOAD_ID.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return `${SHARED_PARTS_FOLDER}${id}/`;
  }

  private async readInfo(id: string): Promise<UploadInfo> {
    const data = await this.store.get(this.folderOf(id) + INFO);
    if (!data) throw ERRORS.FILE_NOT_FOUND;
    return JSON.parse(data.toString("utf8")) as UploadInfo;
  }

  private async writeInfo(id: string, info: UploadInfo): Promise<void> {
    await this.store.put(this.folderOf(id) + INFO, Buffer.from(JSON.stringify(info)));
  }

  private async parts(id: string): Promise<Part[]> {
    const folder = this.folderOf(id);
    const parts: Part[] = [];
    for await (const entry of this.store.list(folder)) {
      const match = PART.exec(entry.key.slice(folder.length));
      if (match) parts.push({ key: entry.key, start: Number(match[1]), size: entry.size });
    }
    return parts.sort((a, b) => a.start - b.start || b.size - a.size);
  }

  override async create(upload: Upload): Promise<Upload> {
    await this.writeInfo(upload.id, { size: upload.size, metadata: upload.metadata, creation_date: upload.creation_date });
    upload.storage = { type: "blob-store", path: this.folderOf(upload.id) };
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const info = await this.readInfo(id);
    const offset = coveredLength(await this.parts(id));
    return new Upload({ id, size: info.size, offset, metadata: info.metadata, creation_date: info.creation_date, storage: { type: "blob-store", path: this.folderOf(id) } });
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    await this.writeInfo(id, { ...(await this.readInfo(id)), size: length });
  }

  /**
   * Stores the request's bytes from `offset` on, a piece at a time; a request that ends early
   * (the client went away, or tus stopped it for another request) keeps what it sent. Answers
   * the new offset.
   */
  override async write(source: Readable, id: string, offset: number): Promise<number> {
    const folder = this.folderOf(id);
    let stored = offset;
    let piece: Piece | null = null;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        let rest = chunk;
        while (rest.length > 0) {
          piece ??= await this.startPiece();
          const take = rest.subarray(0, this.pieceBytes - piece.bytes);
          await piece.handle.write(take);
          piece.bytes += take.length;
          rest = rest.subarray(take.length);
          if (piece.bytes === this.pieceBytes) {
            stored = await this.storePiece(folder, stored, piece);
            piece = null;
          }
        }
      }
      if (piece) {
        stored = await this.storePiece(folder, stored, piece);
        piece = null;
      }
    } finally {
      // Bytes of a request that failed before its piece was stored are not kept: the client sends them again.
      if (piece) {
        await piece.handle.close().catch(() => undefined);
        await fsp.rm(piece.file, { force: true });
      }
    }
    return stored;
  }

  private async startPiece(): Promise<Piece> {
    const file = path.join(this.store.scratchDir, scratchName("resumable", `${crypto.randomBytes(8).toString("hex")}.part`));
    return { file, handle: await fsp.open(file, "wx"), bytes: 0 };
  }

  /** The piece as the part starting at `start`, durable (putFile wants the file fsynced); answers where the next begins. */
  private async storePiece(folder: string, start: number, piece: Piece): Promise<number> {
    await piece.handle.sync();
    await piece.handle.close();
    await this.store.putFile(`${folder}part-${String(start).padStart(15, "0")}-${crypto.randomBytes(4).toString("hex")}`, piece.file);
    return start + piece.bytes;
  }

  /** Termination: the record goes first, so a removal cut short leaves nothing that looks like an upload. */
  override async remove(id: string): Promise<void> {
    await this.readInfo(id);
    await this.discard(id);
  }

  async discard(uploadId: string): Promise<void> {
    const folder = this.folderOf(uploadId);
    await this.store.delete(folder + INFO);
    await this.store.deletePrefix(folder);
  }

  async wholeFile(upload: Upload, scratchDir: string): Promise<WholeFile> {
    const size = upload.size ?? 0;
    const parts = await this.parts(upload.id);
    if (coveredLength(parts) < size) throw new Error(`resumable upload ${upload.id}: its parts hold ${coveredLength(parts)} of ${size} bytes`);
    const tempPath = path.join(scratchDir, scratchName("upload", `${upload.id}.part`));
    try {
      const written = await writeHashed(Readable.from(this.bytesInOrder(parts, size)), tempPath);
      return { tempPath, ...written };
    } catch (error) {
      await removeTempFile(tempPath);
      throw error;
    }
  }

  /** The parts' bytes from 0 to `size`, each byte once (where parts overlap, the next is read from where the previous one ended). */
  private async *bytesInOrder(parts: Part[], size: number): AsyncGenerator<Buffer> {
    let at = 0;
    for (const part of parts) {
      if (at >= size) break;
      if (part.start + part.size <= at) continue;
      const found = await this.store.stream(part.key);
      if (!found) throw new Error(`resumable upload part ${part.key} is gone`);
      let position = part.start;
      for await (const chunk of found.body as AsyncIterable<Buffer>) {
        const end = position + chunk.length;
        const from = Math.max(at, position);
        const to = Math.min(end, size);
        if (to > from) {
          yield chunk.subarray(from - position, to - position);
          at = to;
        }
        position = end;
        if (at >= size) break;
      }
    }
    if (at < size) throw new Error(`resumable upload: its parts end at ${at} of ${size} bytes`);
  }

  override getExpiration(): number {
    return this.expiryMs;
  }

  /**
   * Removes uploads created longer than the expiry ago, and folders with no record at all (a
   * creation or a removal cut short) once nothing in them changed for as long; answers how many.
   */
  override async deleteExpired(): Promise<number> {
    const now = this.now();
    const folders = new Map<string, { hasInfo: boolean; newest: number }>();
    for await (const entry of this.store.list(SHARED_PARTS_FOLDER)) {
      const [id, name] = entry.key.slice(SHARED_PARTS_FOLDER.length).split("/");
      if (!id || !name) continue;
      const folder = folders.get(id) ?? { hasInfo: false, newest: 0 };
      folder.hasInfo ||= name === INFO;
      folder.newest = Math.max(folder.newest, entry.modifiedAt);
      folders.set(id, folder);
    }
    let removed = 0;
    for (const [id, folder] of folders) {
      if (!UPLOAD_ID.test(id)) continue;
      const info = folder.hasInfo ? await this.readInfo(id).catch(() => null) : null;
      const since = info?.creation_date ? Date.parse(info.creation_date) : folder.newest;
      if (now > since + this.expiryMs) {
        await this.discard(id);
        removed++;
      }
    }
    return removed;
  }
}
