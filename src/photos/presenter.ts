import { derivativePath, type DerivativeFormat } from "../images/keys.ts";
import type { PhotoRecord } from "./repository.ts";
import { licenseOf, type License } from "./licenses.ts";
import { canSeeLocation, isLocationVisibility, NO_STANDING, type LocationVisibility, type Standing, type Visibility } from "./visibility.ts";

export interface StoredSize {
  size: string;
  format: DerivativeFormat;
  width: number;
  height: number;
}

export interface PhotoSize {
  name: string;
  width: number;
  height: number;
  format: DerivativeFormat;
  url: string;
}

/** What API clients and pages get to know about a photo; an allowlist of fields, never a row. */
export interface PhotoView {
  id: string;
  owner: { username: string };
  title: string;
  description: string;
  tags: string[];
  /** Tags as in URLs (/photos/tags/{tag}), in the same order as `tags`. */
  tagKeys: string[];
  visibility: Visibility;
  /** Not for all audiences: only members who opted in see it (and its owner). */
  restricted: boolean;
  /** Hidden by a moderator; only its owner still sees it, with a notice. */
  hidden: boolean;
  takenAt: string | null;
  uploadedAt: string;
  width: number;
  height: number;
  camera: { make: string | null; model: string | null; lens: string | null } | null;
  exposure: { time: string | null; fNumber: number | null; iso: number | null; focalLength: number | null } | null;
  /** Only for viewers the owner lets see it (`location_visibility`); null otherwise, as if there were none. */
  location: { latitude: number; longitude: number; altitude: number | null; visibility: LocationVisibility } | null;
  sizes: PhotoSize[];
  pageUrl: string;
  license: License;
  /** Whether whoever may see the photo may download its original (the owner always may). */
  downloadAllowed: boolean;
  /** Only for those allowed to download the original: its owner, and everyone who sees it when downloads are allowed. */
  originalUrl: string | null;
  originalName: string | null;
  dominantColor: string | null;
  /** The owner's own text alternative; empty when none was written (see `altTextOf`). */
  altText: string;
  canEdit: boolean;
  /** The albums holding it that the viewer may see; filled in on single-photo answers only (see PhotoService.get). */
  albums?: Array<{ id: number; title: string }>;
}

export function parseSizes(json: string): StoredSize[] {
  return JSON.parse(json) as StoredSize[];
}

/**
 * `standing` is how the viewer stands to the owner; lists pass none, and then a location shown
 * only to contacts or friends stays hidden there — it shows on the photo's own page and JSON.
 */
export function presentPhoto(photo: PhotoRecord, viewerId: number | null, baseUrl: string, standing: Standing = NO_STANDING): PhotoView {
  const isOwner = viewerId === photo.owner_id;
  const pagePath = `/photos/${photo.owner_username}/${photo.id}`;
  const hasCamera = photo.camera_make || photo.camera_model || photo.lens;
  const hasExposure = photo.exposure_time || photo.f_number || photo.iso || photo.focal_length;
  return {
    id: String(photo.id),
    owner: { username: photo.owner_username },
    title: photo.title,
    description: photo.description,
    tags: photo.tags.map((t) => t.raw),
    tagKeys: photo.tags.map((t) => t.tag),
    visibility: photo.visibility as Visibility,
    restricted: photo.restricted === 1,
    hidden: photo.hidden_at !== null,
    takenAt: photo.taken_at,
    uploadedAt: new Date(photo.uploaded_at).toISOString(),
    width: photo.width,
    height: photo.height,
    camera: hasCamera ? { make: photo.camera_make, model: photo.camera_model, lens: photo.lens } : null,
    exposure: hasExposure
      ? { time: photo.exposure_time, fNumber: photo.f_number, iso: photo.iso, focalLength: photo.focal_length }
      : null,
    location: photo.latitude !== null && photo.longitude !== null && canSeeLocation(photo.location_visibility, viewerId, photo.owner_id, standing)
      ? { latitude: photo.latitude, longitude: photo.longitude, altitude: photo.altitude, visibility: isLocationVisibility(photo.location_visibility) ? photo.location_visibility : "private" }
      : null,
    sizes: parseSizes(photo.sizes).map((s) => ({
      name: s.size,
      width: s.width,
      height: s.height,
      format: s.format,
      url: baseUrl + derivativePath(photo.id, photo.secret, s.size, s.format),
    })),
    pageUrl: baseUrl + pagePath,
    license: licenseOf(photo.license),
    downloadAllowed: photo.download_allowed === 1,
    originalUrl: isOwner || photo.download_allowed === 1 ? `${baseUrl}${pagePath}/original` : null,
    originalName: isOwner ? photo.original_name : null,
    dominantColor: photo.dominant_color,
    altText: photo.alt_text,
    canEdit: isOwner,
  };
}

/** What a page says in place of the photo: the owner's own words, else its title, else its description. */
export function altTextOf(photo: Pick<PhotoView, "altText" | "title" | "description" | "owner">): string {
  return photo.altText || photo.title || [...photo.description].slice(0, 200).join("") || `Photo by ${photo.owner.username}`;
}
