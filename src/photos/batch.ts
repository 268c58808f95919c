import type { Clock } from "../clock.ts";
import type { PhotoUpdate } from "../db/schema.ts";
import { ConflictError, InvalidError, NotFoundError, wording } from "../errors.ts";
import type { ImageCache } from "../images/image-cache.ts";
import { derivativePrefix } from "../images/keys.ts";
import type { JobQueue } from "../jobs/runner.ts";
import type { Viewer } from "../users/service.ts";
import { DELETE_FILES_JOB, type DeleteFilesPayload, type PhotoFiles } from "./files.ts";
import type { BatchTarget, PhotosRepository } from "./repository.ts";
import { parseLicense, parseLocationVisibility, parseSwitch, parseVisibility } from "./service.ts";
import { MAX_TAGS, parseTags, type Tag } from "./tags.ts";
import { isMorePrivate, type Visibility } from "./visibility.ts";

/** Flickr's Organizr let a member select a page of photos at a time; 500 covers several. */
export const MAX_BATCH_PHOTOS = 500;

/** A deletion job waits this long before the poller may take it, so it never runs before the change it follows. */
const DELETION_JOB_DELAY_MS = 60_000;

export interface BatchEdit {
  photoIds: string[];
  addTags?: string;
  removeTags?: string;
  visibility?: string;
  restricted?: boolean | string;
  license?: string;
  downloadAllowed?: boolean | string;
  /** Where the photos were taken; null forgets it. */
  location?: { latitude: number; longitude: number; visibility?: string } | null;
  /** Who may see the photos' locations, leaving the places as they are. */
  locationVisibility?: string;
  /** A hand-made album of the member's that the photos join (at its end, in the order given). */
  albumId?: string;
  delete?: boolean;
}

export interface BatchResult {
  photoIds: string[];
  deleted: boolean;
}

export interface BatchEditorDeps {
  photos: PhotosRepository;
  /** The album a batch adds photos to: whose it is, and whether it is a smart one (filled by its rule). */
  albumOf: (id: number) => Promise<{ ownerId: number; smart: boolean } | undefined>;
  files: PhotoFiles;
  jobs: JobQueue;
  imageCache: ImageCache;
  clock: Clock;
}

interface Plan {
  ids: number[];
  changes: Omit<PhotoUpdate, "tags" | "secret">;
  add: Tag[];
  remove: Set<string>;
  albumId: number | undefined;
  delete: boolean;
}

const RACED = wording("errors.batch.raced");

/**
 * Changes many of a member's photos in one request, all of them or none: tags added and
 * removed, visibility, licence, location, or deletion. Photos that become more private move to
 * new secrets first, as a single edit does, so their image URLs handed out so far stop working.
 */
export class BatchEditor {
  constructor(private readonly deps: BatchEditorDeps) {}

  async apply(viewer: Viewer, edit: BatchEdit): Promise<BatchResult> {
    const plan = this.plan(edit);
    if (plan.albumId !== undefined) {
      const album = await this.deps.albumOf(plan.albumId);
      if (!album || album.ownerId !== viewer.id) throw new NotFoundError(wording("errors.batch.albumNotYours"));
      if (album.smart) throw new ConflictError(wording("errors.batch.smartAlbum"));
    }
    const targets = await this.deps.photos.findBatchTargets(viewer.id, plan.ids);
    if (targets.length !== plan.ids.length) throw this.missing(plan.ids, targets);
    const retag = plan.add.length > 0 || plan.remove.size > 0 ? (id: number, current: Tag[]) => this.retag(id, current, plan) : undefined;
    // The same check runs again inside the transaction; here it refuses before any file is copied.
    if (retag) for (const target of targets) retag(target.id, target.tags);
    return plan.delete ? this.delete(viewer, plan, targets) : this.change(viewer, plan, targets, retag);
  }

  private plan(edit: BatchEdit): Plan {
    const ids = [...new Set(edit.photoIds.map((id) => id.trim()))].map(Number);
    if (ids.length === 0) throw new InvalidError(wording("errors.batch.choosePhotos"), { field: "photoIds" });
    if (ids.length > MAX_BATCH_PHOTOS) throw new InvalidError(wording("errors.batch.tooMany", { max: MAX_BATCH_PHOTOS }), { field: "photoIds" });
    if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw new InvalidError(wording("errors.field.ids", { field: "photoIds" }), { field: "photoIds" });
    const changes: Omit<PhotoUpdate, "tags" | "secret"> = { updated_at: this.deps.clock.now() };
    if (edit.visibility !== undefined && edit.visibility !== "") changes.visibility = parseVisibility(edit.visibility, "public");
    const restricted = parseSwitch(edit.restricted, "restricted");
    if (restricted !== undefined) changes.restricted = restricted ? 1 : 0;
    const license = parseLicense(edit.license);
    if (license !== undefined) changes.license = license;
    const downloadAllowed = parseSwitch(edit.downloadAllowed, "downloadAllowed");
    if (downloadAllowed !== undefined) changes.download_allowed = downloadAllowed ? 1 : 0;
    if (edit.location === null) Object.assign(changes, { latitude: null, longitude: null, altitude: null });
    else if (edit.location !== undefined) {
      const { latitude, longitude } = edit.location;
      if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) throw new InvalidError(wording("errors.photo.coordinates"), { field: "location" });
      Object.assign(changes, { latitude, longitude, altitude: null });
      if (edit.location.visibility !== undefined) changes.location_visibility = parseLocationVisibility(edit.location.visibility);
    }
    if (edit.locationVisibility !== undefined && edit.locationVisibility !== "") changes.location_visibility = parseLocationVisibility(edit.locationVisibility);
    const add = parseTags(edit.addTags ?? "");
    const remove = new Set(parseTags(edit.removeTags ?? "").map((t) => t.tag));
    const albumId = edit.albumId === undefined || edit.albumId === "" ? undefined : Number(edit.albumId);
    if (albumId !== undefined && !(Number.isSafeInteger(albumId) && albumId > 0)) throw new InvalidError(wording("errors.batch.albumId"), { field: "albumId" });
    const editsSomething = Object.keys(changes).length > 1 || add.length > 0 || remove.size > 0 || albumId !== undefined;
    if (edit.delete === true) {
      if (editsSomething) throw new InvalidError(wording("errors.batch.deleteAndChange"), { field: "delete" });
    } else if (!editsSomething) {
      throw new InvalidError(wording("errors.batch.nothingToChange"), { field: "photoIds" });
    }
    return { ids, changes, add, remove, albumId, delete: edit.delete === true };
  }

  private missing(ids: number[], found: BatchTarget[]): NotFoundError {
    const have = new Set(found.map((t) => t.id));
    const absent = ids.filter((id) => !have.has(id));
    const shown = absent.slice(0, 10).join(", ");
    return new NotFoundError(absent.length > 10 ? wording("errors.batch.notYoursMore", { ids: shown, more: absent.length - 10 }) : wording("errors.batch.notYours", { ids: shown }));
  }

  private retag(id: number, current: Tag[], plan: Plan): Tag[] {
    const kept = current.filter((t) => !plan.remove.has(t.tag));
    const present = new Set(kept.map((t) => t.tag));
    const next = [...kept, ...plan.add.filter((t) => !present.has(t.tag))];
    if (next.length > MAX_TAGS) throw new InvalidError(wording("errors.batch.tooManyTags", { id: String(id), max: MAX_TAGS }), { field: "addTags" });
    return next;
  }

  private async change(viewer: Viewer, plan: Plan, targets: BatchTarget[], retag: ((id: number, current: Tag[]) => Tag[]) | undefined): Promise<BatchResult> {
    const restricting = plan.changes.restricted === 1;
    const toVisibility = plan.changes.visibility as Visibility | undefined;
    const rotating = targets.filter((t) => (restricting && t.restricted === 0) || (toVisibility !== undefined && isMorePrivate(t.visibility as Visibility, toVisibility)));
    const rotations = new Map<number, { from: string; to: string }>();
    const dropOldFiles: number[] = [];
    const undo = async () => {
      await Promise.all([...rotations].map(([id, r]) => this.deps.files.removeFiles(id, r.to, null)));
      await Promise.all(dropOldFiles.map((job) => this.deps.jobs.discard(job)));
    };
    try {
      for (const target of rotating) {
        rotations.set(target.id, { from: target.secret, to: await this.deps.files.copyUnderNewSecret(target.id, target.secret) });
        const payload: DeleteFilesPayload = { photoId: target.id, secret: target.secret, originalKey: null };
        dropOldFiles.push(await this.deps.jobs.enqueue(DELETE_FILES_JOB, payload, DELETION_JOB_DELAY_MS));
      }
    } catch (error) {
      await undo();
      // A rotation that landed meanwhile deletes the old files while this copy reads them.
      const secretsRead = new Map(rotating.map((t) => [t.id, t.secret]));
      const current = await this.deps.photos.findBatchTargets(viewer.id, rotating.map((t) => t.id));
      if (current.length !== rotating.length || current.some((c) => c.secret !== secretsRead.get(c.id))) throw new ConflictError(RACED);
      throw error;
    }
    let outcome;
    try {
      outcome = await this.deps.photos.applyBatch({ ownerId: viewer.id, ids: plan.ids, changes: plan.changes, rotations, retag, albumId: plan.albumId, delete: false });
    } catch (error) {
      await undo();
      throw error;
    }
    if (outcome !== "applied") {
      await undo();
      if (outcome === "raced") throw new ConflictError(RACED);
      throw this.missing(plan.ids, await this.deps.photos.findBatchTargets(viewer.id, plan.ids));
    }
    for (const [id, rotation] of rotations) this.deps.imageCache.deletePrefix(derivativePrefix(id, rotation.from));
    for (const job of dropOldFiles) await this.deps.jobs.runNow(job);
    return { photoIds: plan.ids.map(String), deleted: false };
  }

  /** The rows go first, all together, so the photos vanish everywhere at once; then their files, by jobs recorded before. */
  private async delete(viewer: Viewer, plan: Plan, targets: BatchTarget[]): Promise<BatchResult> {
    const jobs: number[] = [];
    for (const target of targets) {
      const payload: DeleteFilesPayload = { photoId: target.id, secret: target.secret, originalKey: target.original_key };
      jobs.push(await this.deps.jobs.enqueue(DELETE_FILES_JOB, payload, DELETION_JOB_DELAY_MS));
    }
    let outcome;
    try {
      outcome = await this.deps.photos.applyBatch({ ownerId: viewer.id, ids: plan.ids, changes: plan.changes, rotations: new Map(), delete: true });
    } finally {
      if (outcome !== "applied") await Promise.all(jobs.map((job) => this.deps.jobs.discard(job)));
    }
    if (outcome !== "applied") throw this.missing(plan.ids, await this.deps.photos.findBatchTargets(viewer.id, plan.ids));
    for (const target of targets) this.deps.imageCache.deletePrefix(derivativePrefix(target.id, target.secret));
    for (const job of jobs) await this.deps.jobs.runNow(job);
    return { photoIds: plan.ids.map(String), deleted: true };
  }
}
