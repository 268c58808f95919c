import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Clock } from "../clock.ts";
import type { ImageCache } from "../images/image-cache.ts";
import { derivativeKey, derivativePrefix } from "../images/keys.ts";
import type { ImageProcessor } from "../images/processor.ts";
import type { JobHandler, JobResult } from "../jobs/runner.ts";
import type { DeletionGate } from "../ops/deletion-gate.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { newPhotoSecret, photoIdTime } from "./ids.ts";
import type { StoredSize } from "./presenter.ts";
import type { PhotosRepository } from "./repository.ts";
import { scratchName } from "../storage/scratch.ts";

export const FINISH_UPLOAD_JOB = "photo.finish-upload";
export const DELETE_FILES_JOB = "photo.delete-files";

/** Recorded before an upload writes any file; finished once its row exists. */
export interface FinishUploadPayload {
  photoId: number;
  secret: string;
  originalKey: string;
  sha256: string;
  /** Set when the files replace an existing photo's: the row exists before they do. */
  replacingSince?: number;
}

/** Recorded before a photo's row is deleted or its secret changes. */
export interface DeleteFilesPayload {
  photoId: number;
  secret: string;
  /** When the whole photo goes, or its file was replaced; a secret rotation keeps the original. */
  originalKey: string | null;
}

export interface PhotoFilesDeps {
  photos: PhotosRepository;
  store: BlobStore;
  images: ImageProcessor;
  imageCache: ImageCache;
  clock: Clock;
  deletionGate: DeletionGate;
}

/** The original key to remove with a photo's files: only one no row points at (a replaced one, or the row is gone). */
function notTheRowsOriginal(photo: { original_key: string } | undefined, key: string | null): string | null {
  return photo?.original_key === key ? null : key;
}

/** An upload whose row is still missing after this long has died; its files are removed. */
export const ABANDONED_UPLOAD_MS = 10 * 60_000;
const DELETION_RETRY_MS = 60_000;

/**
 * The files of a photo beyond the upload request: derivatives made durable after the 201 (or
 * made again from the original when a crash lost them), files of dead uploads and deleted
 * photos removed. Each step runs as a job recorded before the work it finishes, so a crash
 * at any point leaves a job that completes it after the restart.
 */
export class PhotoFiles {
  constructor(private readonly deps: PhotoFilesDeps) {}

  readonly finishUpload: JobHandler = {
    run: async (raw): Promise<JobResult> => {
      const job = raw as FinishUploadPayload;
      const photo = await this.deps.photos.findFiles(job.photoId);
      if (photo && photo.sha256 === job.sha256) {
        await this.makeDerivativesDurable(job.photoId);
        return { status: "done" };
      }
      const replacing = job.replacingSince !== undefined;
      const age = this.deps.clock.now() - (job.replacingSince ?? photoIdTime(job.photoId));
      if ((!photo || replacing) && age < ABANDONED_UPLOAD_MS) {
        return { status: "later", at: this.deps.clock.now() + ABANDONED_UPLOAD_MS - age, reason: "the upload may still be running" };
      }
      // The upload died before its row was written (or before the row took the replacement),
      // or lost an id collision: its files are unreferenced. The original key is only ours when
      // no row points at it.
      return this.removeWhenAllowed(job.photoId, job.secret, notTheRowsOriginal(photo, job.originalKey));
    },
  };

  readonly deleteFiles: JobHandler = {
    run: async (raw): Promise<JobResult> => {
      const job = raw as DeleteFilesPayload;
      const photo = await this.deps.photos.findFiles(job.photoId);
      // The row still uses these files: the deletion, rotation or replacement never happened.
      if (photo && photo.secret === job.secret) return { status: "done" };
      return this.removeWhenAllowed(job.photoId, job.secret, notTheRowsOriginal(photo, job.originalKey));
    },
  };

  private async removeWhenAllowed(photoId: number, secret: string, originalKey: string | null): Promise<JobResult> {
    const heldUntil = await this.deps.deletionGate.heldUntil();
    if (heldUntil !== null) return { status: "later", at: Math.min(heldUntil, this.deps.clock.now() + DELETION_RETRY_MS), reason: "a backup is running" };
    await this.removeFiles(photoId, secret, originalKey);
    return { status: "done" };
  }

  /**
   * Copies a photo's derivatives under a new secret and fsyncs them, before any row points at
   * it; answers the new secret. When the copy fails, nothing of it is left behind.
   */
  async copyUnderNewSecret(photoId: number, oldSecret: string): Promise<string> {
    const newSecret = newPhotoSecret();
    try {
      await this.deps.store.copyPrefix(derivativePrefix(photoId, oldSecret), derivativePrefix(photoId, newSecret));
      await this.deps.store.syncPrefix(derivativePrefix(photoId, newSecret));
    } catch (error) {
      await this.removeFiles(photoId, newSecret, null);
      throw error;
    }
    return newSecret;
  }

  /** Cache first, so nothing stale is served even if a file deletion fails; failures are thrown. */
  async removeFiles(photoId: number, secret: string, originalKey: string | null): Promise<void> {
    this.deps.imageCache.deletePrefix(derivativePrefix(photoId, secret));
    const results = await Promise.allSettled([
      this.deps.store.deletePrefix(derivativePrefix(photoId, secret)),
      originalKey ? this.deps.store.delete(originalKey) : Promise.resolve(),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** fsyncs every derivative the row lists; makes them all again if any is missing. */
  async makeDerivativesDurable(photoId: number): Promise<"durable" | "regenerated" | "gone"> {
    const photo = await this.deps.photos.findFiles(photoId);
    if (!photo) return "gone";
    const sizes = JSON.parse(photo.sizes) as StoredSize[];
    const present = await Promise.all(sizes.map((s) => this.deps.store.exists(derivativeKey(photoId, photo.secret, s.size, s.format))));
    if (present.every(Boolean)) {
      await this.deps.store.syncPrefix(derivativePrefix(photoId, photo.secret));
      return "durable";
    }
    await this.regenerate(photoId);
    return "regenerated";
  }

  /**
   * Makes every derivative again from the original and stores it durably. Throws when the
   * original is missing: nothing can repair that but a backup.
   */
  async regenerate(photoId: number): Promise<void> {
    const photo = await this.deps.photos.findFiles(photoId);
    if (!photo) return;
    const original = await this.deps.store.stream(photo.original_key);
    if (!original) throw new Error(`the original of photo ${photoId} (${photo.original_key}) is missing`);
    const local = path.join(this.deps.store.scratchDir, scratchName("regenerate", `${photoId}-${crypto.randomBytes(4).toString("hex")}`));
    try {
      await pipeline(original.body, fs.createWriteStream(local));
      const processed = await this.deps.images.process(local, await this.deps.images.probe(local));
      for (const d of processed.derivatives) await this.deps.store.put(derivativeKey(photoId, photo.secret, d.size, d.format), d.data);
      await this.deps.store.syncPrefix(derivativePrefix(photoId, photo.secret));
      this.deps.imageCache.deletePrefix(derivativePrefix(photoId, photo.secret));
    } finally {
      await fsp.rm(local, { force: true });
    }
  }
}
