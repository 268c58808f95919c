import type { Readable } from "node:stream";
import type { Clock } from "../clock.ts";
import { isDatabaseUnavailable, isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, wording } from "../errors.ts";
import type { ImageCache } from "../images/image-cache.ts";
import { derivativeKey, derivativePrefix, originalKey, replacementOriginalKey } from "../images/keys.ts";
import type { JobQueue } from "../jobs/runner.ts";
import type { ImageProcessor, ProcessedImage } from "../images/processor.ts";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { NewPhotoRow, PhotoUpdate } from "../db/schema.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { translateDiskError } from "../storage/local-disk.ts";
import type { Viewer } from "../users/service.ts";
import { ABANDONED_UPLOAD_MS, DELETE_FILES_JOB, FINISH_UPLOAD_JOB, type DeleteFilesPayload, type FinishUploadPayload, type PhotoFiles } from "./files.ts";
import { newPhotoId, newPhotoSecret } from "./ids.ts";
import { presentPhoto, type PhotoView, type StoredSize } from "./presenter.ts";
import { QuotaReachedAtInsert, withTags, type PhotoPageRow, type PhotoRecord, type PhotosRepository, type SearchScope } from "./repository.ts";
import type { InsertQuota, Limits } from "./quotas.ts";
import { parseTags, uniqueTags, type Tag } from "./tags.ts";
import { whenDurable, type ReceivedUpload } from "./upload-receiver.ts";
import { DEFAULT_LICENSE, isLicenseId, LICENSE_IDS, type LicenseId } from "./licenses.ts";
import { audienceOf, isLocationVisibility, LOCATION_VISIBILITIES, type LocationVisibility, type Standing, canSeePhoto, isMorePrivate, isVisibility, NO_STANDING, VISIBILITIES, type Visibility } from "./visibility.ts";
import { removeTempFile } from "../storage/scratch.ts";

export const MAX_TITLE_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 10_000;
/** Screen readers read alt text whole: a sentence or two, as WCAG advises, not an essay. */
export const MAX_ALT_TEXT_LENGTH = 1000;
export const PAGE_SIZE_MAX = 100;
/** A date taken as stored: local time, optional fraction and offset ("2024-05-17T10:20:30.25+02:00"). */
const TAKEN_AT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?([+-]\d{2}:\d{2}|Z)?$/;

/** What an import applies to a photo it stored (see `PhotoService.applyImport`). */
export interface ImportedFacts {
  edit: PhotoEdit;
  /** `onlyIfMissing`: keep the date the file itself carries, when it carries one. */
  takenAt?: { value: string; offset: string | null; onlyIfMissing: boolean };
  /** Without `visibility`, the location keeps the audience the photo has (the member's default for a new one). */
  location?: { latitude: number; longitude: number; altitude: number | null; visibility?: string };
}

export interface PhotoEdit {
  title?: string;
  description?: string;
  /** The owner's own text alternative for people who cannot see the photo; empty clears it. */
  altText?: string;
  tags?: string;
  visibility?: string;
  /** Not for all audiences; from a form or a multipart field, "1", "true" or "on" also mean true. */
  restricted?: boolean | string;
  license?: string;
  /** Let whoever may see the photo download its original; forms send "1"/"on" as for `restricted`. */
  downloadAllowed?: boolean | string;
}

export interface PhotoDefaults {
  license: LicenseId;
  downloadAllowed: boolean;
  locationVisibility: LocationVisibility;
}

export interface PhotoPage {
  photos: PhotoView[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Everything a photo page's read answered, in order: each column but the view counter, which
 * moves with each new visitor's view and which no page shows from the row (the owner's count is
 * read on its own; with it, a popular photo's kept page would be stale every two seconds), then
 * the probes' answers. Values are compared one by one: serialising the row for every visit cost
 * 5% of a kept page's CPU.
 */
function pageVersion(row: PhotoPageRow, answers: boolean[]): unknown[] {
  const version: unknown[] = [];
  for (const [column, value] of Object.entries(row)) if (column !== "view_count") version.push(value);
  return version.concat(answers);
}

/** A photo page's one read (`PhotoService.readPage`). */
export interface PhotoPageRead {
  photoId: number;
  ownerVisiting: boolean;
  newer: string | null;
  older: string | null;
  answers: boolean[];
  /** All the read answered (`pageVersion`): equal versions make equal pages for the same viewer. */
  version: readonly unknown[];
  present(): Promise<PhotoView>;
}

export interface PhotoServiceDeps {
  photos: PhotosRepository;
  store: BlobStore;
  images: ImageProcessor;
  imageCache: ImageCache;
  files: PhotoFiles;
  jobs: JobQueue;
  clock: Clock;
  baseUrl: string;
}

/** A deletion job waits this long before the poller may take it, so it never runs before the change it follows. */
const DELETION_JOB_DELAY_MS = 60_000;

type ViewerRef = Pick<Viewer, "id" | "showsRestricted"> | null;

function cleanText(value: string, max: number): string {
  return [...value.normalize("NFC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim()].slice(0, max).join("");
}

export function parseVisibility(value: string | undefined, fallback: Visibility): Visibility {
  if (value === undefined || value === "") return fallback;
  if (!isVisibility(value)) throw new InvalidError(wording("errors.photo.visibility", { choices: VISIBILITIES.join(", ") }), { field: "visibility" });
  return value;
}

export function parseSwitch(value: boolean | string | undefined, field: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  const text = value.trim().toLowerCase();
  if (["1", "true", "on", "yes"].includes(text)) return true;
  if (["", "0", "false", "off", "no"].includes(text)) return false;
  throw new InvalidError(wording("errors.field.boolean", { field }), { field });
}

export function parseLocationVisibility(value: string): LocationVisibility {
  if (!isLocationVisibility(value)) throw new InvalidError(wording("errors.photo.locationVisibility", { choices: LOCATION_VISIBILITIES.join(", ") }), { field: "visibility" });
  return value;
}

export function parseLicense(value: string | undefined): LicenseId | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isLicenseId(value)) throw new InvalidError(wording("errors.photo.license", { choices: LICENSE_IDS.join(", ") }), { field: "license" });
  return value;
}

/** A year, month or day as "2024", "2024-05" or "2024-05-17" (a day only where `withinOnly` is false: there is nothing below a day). */
export function parseTakenPeriod(value: string, withinOnly: boolean): string {
  const match = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/.exec(value);
  if (!match || (withinOnly && match[3] !== undefined)) throw new InvalidError(wording(withinOnly ? "errors.photo.takenMonth" : "errors.photo.takenDay"), { field: "taken" });
  return value;
}

/** What a photo's columns say of its original file, and what they take from it. */
function originalFacts(key: string, upload: ReceivedUpload, processed: ProcessedImage) {
  return { original_key: key, original_format: processed.probe.format, original_bytes: upload.bytes, original_name: upload.displayName, sha256: upload.sha256, ...fileFacts(processed) };
}

/** What a photo's columns take from its file: dimensions, sizes, dominant colour, date taken, camera and exposure. */
function fileFacts(processed: ProcessedImage) {
  const { metadata, probe } = processed;
  const sizes: StoredSize[] = processed.derivatives.map((d) => ({ size: d.size, format: d.format, width: d.width, height: d.height }));
  return {
    width: probe.width,
    height: probe.height,
    sizes: JSON.stringify(sizes),
    dominant_color: processed.dominantColor,
    taken_at: metadata.takenAt,
    taken_at_offset: metadata.takenAtOffset,
    taken_at_utc: utcMillis(metadata.takenAt, metadata.takenAtOffset),
    camera_make: metadata.camera?.make ?? null,
    camera_model: metadata.camera?.model ?? null,
    lens: metadata.camera?.lens ?? null,
    exposure_time: metadata.exposure?.time ?? null,
    exposure_seconds: metadata.exposure?.timeSeconds ?? null,
    f_number: metadata.exposure?.fNumber ?? null,
    iso: metadata.exposure?.iso ?? null,
    focal_length: metadata.exposure?.focalLength ?? null,
    focal_length_35mm: metadata.exposure?.focalLength35mm ?? null,
  };
}

function utcMillis(takenAt: string | null, offset: string | null): number | null {
  if (!takenAt || !offset) return null;
  const ms = Date.parse(takenAt);
  return Number.isFinite(ms) ? ms : null;
}

/** The albums holding a photo that a viewer may see; the albums domain answers it (set in app.ts). */
export type AlbumsOfPhoto = (photoId: number, viewer: ViewerRef) => Promise<Array<{ id: number; title: string }>>;

export class PhotoService {
  private albumsOf: AlbumsOfPhoto | null = null;

  constructor(private readonly deps: PhotoServiceDeps) {}

  /** Single-photo answers then name the albums holding the photo. */
  setAlbumsOf(lookup: AlbumsOfPhoto): void {
    this.albumsOf = lookup;
  }

  /**
   * Stores an uploaded photo. Files go first (derivatives, then the original once its fsync is done),
   * the row last, so a crash leaves at worst unreferenced files, never a row without its files.
   * The same bytes uploaded again by the same member return the existing photo, with the
   * title, description, tags or visibility sent this time applied to it.
   */
  /**
   * Stores an upload as a new photo (or answers the member's photo with the same bytes). `quota`
   * (from `QuotaHold.confirm`) is checked once more by the insert, against the counters every
   * server shares.
   */
  async upload(viewer: Viewer, upload: ReceivedUpload, quota: InsertQuota | null = null): Promise<{ photo: PhotoView; created: boolean }> {
    try {
      const edit = this.validateEdit(upload.fields);
      const existing = await this.deps.photos.findIdByOwnerAndHash(viewer.id, upload.sha256);
      if (existing !== undefined) return { photo: await this.applyToExisting(existing, viewer, upload.fields), created: false };
      const probe = await this.deps.images.probe(upload.tempPath);
      const processed = await this.deps.images.process(upload.tempPath, probe);
      // Two uploads in the same millisecond draw the same id once in 4096 times: draw again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.store(viewer, upload, processed, edit, quota);
        } catch (error) {
          if (!(error instanceof IdCollision) || attempt === 3) throw error;
        }
      }
    } finally {
      await removeTempFile(upload.tempPath);
    }
  }

  private async applyToExisting(id: number, viewer: Viewer, fields: PhotoEdit): Promise<PhotoView> {
    const { title, description, altText, tags, visibility, restricted, license, downloadAllowed } = fields;
    const edit = { title, description, altText, tags, visibility, restricted, license, downloadAllowed };
    const anything = Object.values(edit).some((value) => value !== undefined);
    return anything ? this.update(id, viewer, edit) : this.get(id, viewer);
  }

  private async store(viewer: Viewer, upload: ReceivedUpload, processed: ProcessedImage, edit: ValidEdit, quota: InsertQuota | null): Promise<{ photo: PhotoView; created: boolean }> {
    const now = this.deps.clock.now();
    const id = newPhotoId(now);
    const secret = newPhotoSecret();
    const { metadata, probe } = processed;
    const keyOfOriginal = originalKey(id, probe.format);
    const defaults = edit.license === undefined || edit.downloadAllowed === undefined ? await this.defaults(viewer) : null;
    const row: NewPhotoRow = {
      id,
      owner_id: viewer.id,
      title: edit.title ?? cleanText(metadata.title ?? upload.displayName.replace(/\.[^.]{1,5}$/, ""), MAX_TITLE_LENGTH),
      description: edit.description ?? cleanText(metadata.description ?? "", MAX_DESCRIPTION_LENGTH),
      alt_text: edit.altText ?? "",
      visibility: edit.visibility ?? "public",
      restricted: edit.restricted === true ? 1 : 0,
      license: edit.license ?? defaults?.license ?? DEFAULT_LICENSE,
      download_allowed: (edit.downloadAllowed ?? defaults?.downloadAllowed ?? false) ? 1 : 0,
      location_visibility: (defaults ?? (await this.defaults(viewer))).locationVisibility,
      secret,
      ...originalFacts(keyOfOriginal, upload, processed),
      uploaded_at: now,
      updated_at: now,
      latitude: metadata.location?.latitude ?? null,
      longitude: metadata.location?.longitude ?? null,
      altitude: metadata.location?.altitude ?? null,
    };
    const tags = uniqueTags([...(edit.tags ?? []).map((t) => t.raw), ...metadata.keywords]);
    // Recorded before any file is written: if we die from here on, the job either finishes
    // the photo (its row exists) or removes the files (it never will).
    const finish: FinishUploadPayload = { photoId: id, secret, originalKey: keyOfOriginal, sha256: upload.sha256 };
    const finishJob = await this.deps.jobs.enqueue(FINISH_UPLOAD_JOB, finish, ABANDONED_UPLOAD_MS);
    let originalStored = false;
    let inserting = false;
    try {
      await this.storeDerivatives(id, secret, processed);
      // The original was fsynced while it was decoded; it is kept only once that is done.
      await whenDurable(upload);
      // putFile refuses an existing key: an id collision must never replace another photo's original.
      await this.deps.store.putFile(keyOfOriginal, upload.tempPath);
      originalStored = true;
      inserting = true;
      await this.deps.photos.insert(row, tags, quota?.limits ?? null);
    } catch (error) {
      if (inserting && isDatabaseUnavailable(error)) {
        // The insert may have committed although no answer came back: the files stay, and the
        // job keeps the photo or removes them once the database answers again.
        throw error;
      }
      // Already failing: what cannot be removed now is left to the job, never a visible photo.
      await this.deps.files
        .removeFiles(id, secret, originalStored ? keyOfOriginal : null)
        .then(() => this.deps.jobs.discard(finishJob))
        .catch(() => undefined);
      if (isUniqueViolation(error)) {
        // The same bytes arrived twice at once; the other upload won.
        const winner = await this.deps.photos.findIdByOwnerAndHash(viewer.id, upload.sha256);
        if (winner !== undefined) return { photo: await this.get(winner, viewer), created: false };
        throw new IdCollision();
      }
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new IdCollision();
      if (error instanceof QuotaReachedAtInsert && quota) throw await quota.refusal();
      throw translateDiskError(error);
    }
    // Derivatives are made durable after the answer; the original already is.
    this.deps.jobs.runSoon(finishJob);
    return { photo: await this.get(id, viewer), created: true };
  }

  /**
   * Replaces a photo's file (Flickr's replace): the new original and its sizes are stored under a
   * new secret, fsynced, before the row points at them; then the old files go. Title,
   * description, tags, visibility, licence, comments, faves and albums stay; what the file tells
   * (size, camera, exposure, date taken) follows the new file, and so does the location unless
   * the photo already has one. The image URLs change, as they do when a photo becomes more
   * private: the old ones named the old picture. The same file again changes nothing.
   * `bytesDelta` of the answer is what the member's storage grew by (for the quota check first).
   */
  async replaceFile(id: number, viewer: Viewer, upload: ReceivedUpload, admit: (bytesDelta: number) => Promise<Limits | null> = async () => null): Promise<PhotoView> {
    try {
      const photo = await this.ownedRecord(id, viewer);
      if (photo.sha256 === upload.sha256) return this.get(id, viewer);
      const twin = await this.deps.photos.findIdByOwnerAndHash(viewer.id, upload.sha256);
      if (twin !== undefined) throw new ConflictError(wording("errors.photo.alreadyYours", { id: String(twin) }));
      const limits = await admit(upload.bytes - photo.original_bytes);
      const probe = await this.deps.images.probe(upload.tempPath);
      const processed = await this.deps.images.process(upload.tempPath, probe);
      const now = this.deps.clock.now();
      const secret = newPhotoSecret();
      const keyOfOriginal = replacementOriginalKey(id, secret, probe.format);
      const { metadata } = processed;
      const keepsLocation = photo.latitude !== null && photo.longitude !== null;
      const changes: PhotoUpdate = {
        secret,
        ...originalFacts(keyOfOriginal, upload, processed),
        ...(keepsLocation || !metadata.location ? {} : { latitude: metadata.location.latitude, longitude: metadata.location.longitude, altitude: metadata.location.altitude ?? null }),
        updated_at: now,
      };
      // As for an upload, recorded before any file is written: if we die from here on, the job
      // finishes the photo (the row took the new file) or removes the new files (it never will).
      const finish: FinishUploadPayload = { photoId: id, secret, originalKey: keyOfOriginal, sha256: upload.sha256, replacingSince: now };
      const finishJob = await this.deps.jobs.enqueue(FINISH_UPLOAD_JOB, finish, ABANDONED_UPLOAD_MS);
      const dropOld: DeleteFilesPayload = { photoId: id, secret: photo.secret, originalKey: photo.original_key };
      let dropOldJob: number | null = null;
      let originalStored = false;
      try {
        await this.storeDerivatives(id, secret, processed);
        await whenDurable(upload);
        await this.deps.store.putFile(keyOfOriginal, upload.tempPath);
        originalStored = true;
        dropOldJob = await this.deps.jobs.enqueue(DELETE_FILES_JOB, dropOld, DELETION_JOB_DELAY_MS);
        const replaced = await this.deps.photos.replaceFile(id, photo.secret, changes, upload.bytes - photo.original_bytes, limits?.bytes ?? null);
        if (!replaced) throw new ConflictError(wording("errors.photo.raced"));
      } catch (error) {
        if (originalStored && isDatabaseUnavailable(error)) throw error; // the jobs settle it once the database answers
        await this.deps.files
          .removeFiles(id, secret, originalStored ? keyOfOriginal : null)
          .then(async () => {
            await this.deps.jobs.discard(finishJob);
            if (dropOldJob !== null) await this.deps.jobs.discard(dropOldJob);
          })
          .catch(() => undefined);
        if (isUniqueViolation(error)) throw new ConflictError(wording("errors.photo.alreadyOneOfYours"));
        if (error instanceof QuotaReachedAtInsert) {
          await admit(upload.bytes - photo.original_bytes); // says which limit, from the counters as they are now
          throw new ConflictError(wording("errors.photo.raced"));
        }
        throw translateDiskError(error);
      }
      // The old URLs stop working now, in every process, even if the files outlive this call.
      this.deps.imageCache.deletePrefix(derivativePrefix(id, photo.secret));
      this.deps.jobs.runSoon(finishJob);
      await this.deps.jobs.runNow(dropOldJob);
      return this.get(id, viewer);
    } finally {
      await removeTempFile(upload.tempPath);
    }
  }

  /** Every write settles before any cleanup, so none can recreate what the cleanup removed. */
  private async storeDerivatives(id: number, secret: string, processed: ProcessedImage): Promise<void> {
    const writes = await Promise.allSettled(processed.derivatives.map((d) => this.deps.store.put(derivativeKey(id, secret, d.size, d.format), d.data)));
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Throws NotFound for photos the viewer may not see, so their existence is not revealed. */
  private async visibleRecord(id: number, viewer: ViewerRef): Promise<PhotoRecord> {
    const photo = await this.deps.photos.findById(id);
    if (!photo || !(await this.canSee(photo, viewer))) {
      throw new NotFoundError(wording("errors.photoNotFound"));
    }
    return photo;
  }

  /** Public photos need no lookup; the others ask how the viewer stands to the owner. */
  private async canSee(photo: Pick<PhotoRecord, "owner_id" | "visibility" | "restricted" | "hidden_at">, viewer: ViewerRef): Promise<boolean> {
    const access = { ownerId: photo.owner_id, visibility: photo.visibility as Visibility, restricted: photo.restricted === 1, hidden: photo.hidden_at !== null };
    const audience = audienceOf(viewer);
    const needsStanding = viewer !== null && viewer.id !== photo.owner_id && access.visibility !== "public";
    const standing = needsStanding ? await this.deps.photos.standing(photo.owner_id, (viewer as { id: number }).id) : NO_STANDING;
    return canSeePhoto(access, audience, standing);
  }

  /** Whether the viewer may see the photo, for other domains (faves, comments, groups) to check before acting. */
  async isVisible(id: number, viewer: ViewerRef): Promise<boolean> {
    const photo = await this.deps.photos.findById(id);
    return photo !== undefined && (await this.canSee(photo, viewer));
  }

  private async ownedRecord(id: number, viewer: Viewer): Promise<PhotoRecord> {
    const photo = await this.visibleRecord(id, viewer);
    if (photo.owner_id !== viewer.id) throw new ForbiddenError(wording("errors.photo.ownerOnly"));
    return photo;
  }

  async get(id: number, viewer: ViewerRef): Promise<PhotoView> {
    const record = await this.visibleRecord(id, viewer);
    const [standing, albums] = await Promise.all([this.locationStanding(record, viewer), this.albumsOf?.(record.id, viewer)]);
    const view = presentPhoto(record, viewer?.id ?? null, this.deps.baseUrl, standing);
    if (albums) view.albums = albums;
    return view;
  }

  /** How the viewer stands to the owner, looked up only when the location's audience depends on it. */
  private async locationStanding(photo: PhotoRecord, viewer: ViewerRef): Promise<Standing> {
    const depends = viewer !== null && viewer.id !== photo.owner_id && photo.latitude !== null && (photo.location_visibility === "contacts" || photo.location_visibility === "friends_and_family");
    return depends ? this.deps.photos.standing(photo.owner_id, (viewer as { id: number }).id) : NO_STANDING;
  }

  /** Sets or moves where the photo was taken (by hand, from a map), and optionally who may see it. */
  async setLocation(id: number, viewer: Viewer, input: { latitude: number; longitude: number; visibility?: string }): Promise<PhotoView> {
    await this.ownedRecord(id, viewer);
    const { latitude, longitude } = input;
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) throw new InvalidError(wording("errors.photo.coordinates"), { field: "latitude" });
    const changes: PhotoUpdate = { latitude, longitude, altitude: null, updated_at: this.deps.clock.now() };
    if (input.visibility !== undefined) changes.location_visibility = parseLocationVisibility(input.visibility);
    await this.deps.photos.update(id, changes);
    return this.get(id, viewer);
  }

  /** Forgets where the photo was taken (the original file keeps what the camera wrote; derivatives never carry it). */
  async removeLocation(id: number, viewer: Viewer): Promise<void> {
    await this.ownedRecord(id, viewer);
    await this.deps.photos.update(id, { latitude: null, longitude: null, altitude: null, updated_at: this.deps.clock.now() });
  }

  /**
   * What a photo page shows, read in one query: the photo, the ones before and after it in its
   * owner's photostream, and the answers to the page's probes (`PhotoPageSections.probe`).
   * `version` is everything that query answered, so a page made from it may be shown again
   * while a later read answers the same (`PhotoPageCache`); `present` makes the photo's view.
   */
  async readPage(username: string, id: number, viewer: ViewerRef, probes: readonly PhotoProbe[] = []): Promise<PhotoPageRead> {
    const found = await this.deps.photos.findWithNeighbours(id, audienceOf(viewer), probes);
    if (!found || !(await this.canSee(found.row, viewer)) || found.row.owner_username.toLowerCase() !== username.toLowerCase()) {
      throw new NotFoundError(wording("errors.photo.notInStream"));
    }
    const { row, answers } = found;
    return {
      photoId: Number(row.id),
      ownerVisiting: viewer !== null && viewer.id === row.owner_id,
      newer: row.newer === null ? null : String(row.newer),
      older: row.older === null ? null : String(row.older),
      answers,
      version: pageVersion(row, answers),
      present: async () => {
        const record = withTags(row);
        return presentPhoto(record, viewer?.id ?? null, this.deps.baseUrl, await this.locationStanding(record, viewer));
      },
    };
  }

  private validateEdit(input: PhotoEdit): ValidEdit {
    return {
      title: input.title === undefined ? undefined : cleanText(input.title, MAX_TITLE_LENGTH),
      description: input.description === undefined ? undefined : cleanText(input.description, MAX_DESCRIPTION_LENGTH),
      altText: input.altText === undefined ? undefined : cleanText(input.altText, MAX_ALT_TEXT_LENGTH),
      tags: input.tags === undefined ? undefined : parseTags(input.tags),
      visibility: input.visibility === undefined ? undefined : parseVisibility(input.visibility, "public"),
      restricted: parseSwitch(input.restricted, "restricted"),
      license: parseLicense(input.license),
      downloadAllowed: parseSwitch(input.downloadAllowed, "downloadAllowed"),
    };
  }

  async update(id: number, viewer: Viewer, input: PhotoEdit): Promise<PhotoView> {
    const photo = await this.ownedRecord(id, viewer);
    const { changes, tags, rotate } = this.editChanges(photo, this.validateEdit(input));
    await this.change(id, photo.secret, changes, tags, rotate);
    return this.get(id, viewer);
  }

  /**
   * What an import knows of a photo beyond its file, applied in one change: the same edit as
   * `update`, and the date taken and location the source recorded (only the owner's own photos).
   */
  async applyImport(id: number, viewer: Viewer, facts: ImportedFacts): Promise<PhotoView> {
    const photo = await this.ownedRecord(id, viewer);
    const { changes, tags, rotate } = this.editChanges(photo, this.validateEdit(facts.edit));
    const taken = facts.takenAt;
    if (taken && !(taken.onlyIfMissing && photo.taken_at !== null)) {
      if (!TAKEN_AT.test(taken.value)) throw new InvalidError(wording("errors.photo.takenAt"), { field: "takenAt" });
      const offset = taken.offset !== null && /^[+-]\d{2}:\d{2}$/.test(taken.offset) ? taken.offset : null;
      changes.taken_at = taken.value;
      changes.taken_at_offset = offset;
      changes.taken_at_utc = utcMillis(taken.value, offset);
    }
    const place = facts.location;
    if (place) {
      if (!(Math.abs(place.latitude) <= 90 && Math.abs(place.longitude) <= 180)) throw new InvalidError(wording("errors.photo.coordinates"), { field: "latitude" });
      changes.latitude = place.latitude;
      changes.longitude = place.longitude;
      changes.altitude = place.altitude !== null && Number.isFinite(place.altitude) ? place.altitude : null;
      if (place.visibility !== undefined) changes.location_visibility = parseLocationVisibility(place.visibility);
    }
    await this.change(id, photo.secret, changes, tags, rotate);
    return this.get(id, viewer);
  }

  /** The row changes of an edit, and whether it makes the photo more private (a new secret). */
  private editChanges(photo: PhotoRecord, edit: ValidEdit): { changes: PhotoUpdate; tags: Tag[] | undefined; rotate: boolean } {
    const changes: PhotoUpdate = { updated_at: this.deps.clock.now() };
    if (edit.title !== undefined) changes.title = edit.title;
    if (edit.description !== undefined) changes.description = edit.description;
    if (edit.altText !== undefined) changes.alt_text = edit.altText;
    if (edit.visibility !== undefined) changes.visibility = edit.visibility;
    if (edit.restricted !== undefined) changes.restricted = edit.restricted ? 1 : 0;
    if (edit.license !== undefined) changes.license = edit.license;
    if (edit.downloadAllowed !== undefined) changes.download_allowed = edit.downloadAllowed ? 1 : 0;
    // Restricting a photo closes it to visitors and to members who did not opt in: as a move
    // to a more private visibility, its image URLs handed out so far must stop working.
    const restricting = edit.restricted === true && photo.restricted === 0;
    const rotate = restricting || (edit.visibility !== undefined && isMorePrivate(photo.visibility as Visibility, edit.visibility));
    return { changes, tags: edit.tags, rotate };
  }

  /**
   * Writes a change to a photo; with `rotate`, under a new secret, so image URLs handed out
   * before stop working. The files are copied under the new secret, durably, before the row
   * points at it; then the old ones go.
   */
  private async change(id: number, oldSecret: string, changes: PhotoUpdate, tags: Tag[] | undefined, rotate: boolean): Promise<void> {
    let dropOldFiles: number | null = null;
    if (rotate) {
      try {
        changes.secret = await this.deps.files.copyUnderNewSecret(id, oldSecret);
      } catch (error) {
        // A change that rotated first deletes the old files as soon as it lands, possibly while
        // this copy still reads them: that is the same lost race as below, not a failure.
        const current = await this.deps.photos.findFiles(id);
        if (current && current.secret !== oldSecret) throw new ConflictError(wording("errors.photo.raced"));
        throw error;
      }
      const payload: DeleteFilesPayload = { photoId: id, secret: oldSecret, originalKey: null };
      dropOldFiles = await this.deps.jobs.enqueue(DELETE_FILES_JOB, payload, DELETION_JOB_DELAY_MS);
    }
    const changed = await this.deps.photos.update(id, changes, tags, rotate ? oldSecret : undefined);
    if (!changed && changes.secret !== undefined) {
      // Another change rotated the secret first: ours never took effect, so its copies go.
      await this.deps.files.removeFiles(id, changes.secret, null);
      if (dropOldFiles !== null) await this.deps.jobs.discard(dropOldFiles);
      throw new ConflictError(wording("errors.photo.raced"));
    }
    if (dropOldFiles !== null) {
      // The old URLs stop working now, in every process, even if the files outlive this call.
      this.deps.imageCache.deletePrefix(derivativePrefix(id, oldSecret));
      await this.deps.jobs.runNow(dropOldFiles);
    }
  }

  /**
   * A moderator hides a photo: gone for everyone but its owner, and under a new secret, so
   * none of its image URLs handed out so far keeps working. Answers false if there is no such
   * photo. Works on a suspended member's photos too.
   */
  async hideByModerator(id: number): Promise<boolean> {
    const files = await this.deps.photos.findFiles(id);
    if (!files) return false;
    if (files.hidden_at !== null) return true;
    const now = this.deps.clock.now();
    await this.change(id, files.secret, { hidden_at: now, updated_at: now }, undefined, true);
    return true;
  }

  /** The row goes first, so the photo vanishes everywhere at once; then its files, by a job that survives a crash or a running backup. */
  async delete(id: number, viewer: Viewer): Promise<void> {
    const photo = await this.ownedRecord(id, viewer);
    const payload: DeleteFilesPayload = { photoId: id, secret: photo.secret, originalKey: photo.original_key };
    const job = await this.deps.jobs.enqueue(DELETE_FILES_JOB, payload, DELETION_JOB_DELAY_MS);
    await this.deps.photos.delete(id);
    this.deps.imageCache.deletePrefix(derivativePrefix(id, photo.secret));
    await this.deps.jobs.runNow(job);
  }

  async original(id: number, viewer: ViewerRef): Promise<{ body: Readable; size: number; format: string; name: string }> {
    const photo = await this.visibleRecord(id, viewer);
    if (viewer?.id !== photo.owner_id && photo.download_allowed !== 1) throw new ForbiddenError(wording("errors.photo.noDownload"));
    const file = await this.deps.store.stream(photo.original_key);
    if (!file) throw new NotFoundError(wording("errors.photo.originalMissing"));
    return { ...file, format: photo.original_format, name: photo.original_name };
  }

  /** The licence and download choice a member's new uploads get. */
  async defaults(viewer: Pick<Viewer, "id">): Promise<PhotoDefaults> {
    const row = await this.deps.photos.ownerDefaults(viewer.id);
    return {
      license: row && isLicenseId(row.license) ? row.license : DEFAULT_LICENSE,
      downloadAllowed: row?.downloadAllowed ?? false,
      locationVisibility: row && isLocationVisibility(row.locationVisibility) ? row.locationVisibility : "private",
    };
  }

  async setDefaults(viewer: Pick<Viewer, "id">, input: { license: string; downloadAllowed: boolean | string | undefined; locationVisibility?: string }): Promise<PhotoDefaults> {
    const license = parseLicense(input.license);
    if (license === undefined) throw new InvalidError(wording("errors.photo.chooseLicense"), { field: "license" });
    const locationVisibility = input.locationVisibility === undefined ? (await this.defaults(viewer)).locationVisibility : parseLocationVisibility(input.locationVisibility);
    const defaults = { license, downloadAllowed: parseSwitch(input.downloadAllowed, "downloadAllowed") ?? false, locationVisibility };
    await this.deps.photos.setOwnerDefaults(viewer.id, defaults);
    return defaults;
  }

  /**
   * A member's archive as this viewer may see it: photo counts per year, per month of a year
   * ("2024") or per day of a month ("2024-05"), by date taken.
   */
  async archive(ownerId: number, viewer: ViewerRef, within: string | null): Promise<{ periods: Array<{ period: string; count: number }>; undated: number }> {
    if (within !== null) parseTakenPeriod(within, true);
    return this.deps.photos.takenCounts(ownerId, audienceOf(viewer), within);
  }

  async list(scope: { viewer: ViewerRef; ownerId?: number; tag?: string; takenIn?: string; undated?: boolean; cameraModel?: string; before?: string; limit: number }): Promise<PhotoPage> {
    if (scope.takenIn !== undefined) parseTakenPeriod(scope.takenIn, false);
    const limit = Math.min(Math.max(scope.limit, 1), PAGE_SIZE_MAX);
    const before = scope.before === undefined ? undefined : Number(scope.before);
    if (before !== undefined && !Number.isSafeInteger(before)) throw new InvalidError(wording("errors.cursor"));
    const { ownerId, tag, takenIn, undated, cameraModel } = scope;
    const records = await this.deps.photos.list({ audience: audienceOf(scope.viewer), ownerId, tag, takenIn, undated, cameraModel, before, limit: limit + 1 });
    const photos = records.slice(0, limit).map((r) => presentPhoto(r, scope.viewer?.id ?? null, this.deps.baseUrl));
    return { photos, nextCursor: records.length > limit ? (photos[photos.length - 1]?.id ?? null) : null };
  }

  /**
   * Photos the viewer may see that match the filters, one page of them and how many match in
   * all (the Flickr API's searches). Locations show as in any list: only those for everyone,
   * and the viewer's own.
   */
  async search(viewer: ViewerRef, scope: Omit<SearchScope, "audience">): Promise<{ photos: PhotoView[]; total: number }> {
    const limit = Math.min(Math.max(scope.limit, 0), 500);
    const { records, total } = await this.deps.photos.search({ ...scope, limit, audience: audienceOf(viewer) });
    return { photos: records.map((r) => presentPhoto(r, viewer?.id ?? null, this.deps.baseUrl)), total };
  }
}

/** A new photo's id was already taken; nothing of the other photo was touched. */
class IdCollision extends Error {}

interface ValidEdit {
  title: string | undefined;
  description: string | undefined;
  altText: string | undefined;
  tags: Tag[] | undefined;
  visibility: Visibility | undefined;
  restricted: boolean | undefined;
  license: LicenseId | undefined;
  downloadAllowed: boolean | undefined;
}
