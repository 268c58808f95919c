import { parseExifDateTime } from "../images/metadata.ts";
import type { LicenseId } from "../photos/licenses.ts";
import type { Visibility } from "../photos/visibility.ts";
import type { SourcePhoto } from "./source-photo.ts";

/*
 * Flickr's data export ("Your Flickr Data" → "Request my Flickr data"), as read here. Sources: the
 * "Technical Documentation for Flickr Data Export" write-up, open-source tools that parse these
 * exports, and exports seen in the wild; the reader is lenient where they disagree.
 *
 * Zips: one or more "<number>_<hex>_part<N>.zip" with the JSON files, and "data-download-<N>.zip"
 * with the photo files; a member may upload them in any order, one at a time.
 *
 * photo_<id>.json, one per photo:
 *   id            "12345678901" (a string of digits)
 *   name          the title
 *   description   the description (may hold Flickr's HTML: kept as text)
 *   date_taken    "YYYY-MM-DD HH:MM:SS", the camera's local time, no offset; Flickr writes
 *                 "0000-00-00 00:00:00" or the upload time when it knows none
 *   date_imported "YYYY-MM-DD HH:MM:SS", when it was uploaded to Flickr (Pinhole keeps its own upload time)
 *   tags          [{ "tag": "lake district", "user": …, "date_create": … }] (some exports: plain strings)
 *   geo           [{ "latitude": "54580012", "longitude": "-3138641", "accuracy": "16" }]: an array
 *                 (some: one object), the coordinates in millionths of a degree as integer
 *                 strings; some tools write decimal degrees ("54.580012"). Rule here: a value with a
 *                 decimal point is degrees; an integer beyond ±180 in either coordinate means
 *                 millionths; 0,0 means no location. No per-photo audience for the location is
 *                 exported, so an imported location gets the member's default location audience
 *                 (which is "only me" unless they changed it at /settings/photos).
 *   privacy       "public" | "friends" | "family" | "friends & family" | "private"
 *   safety        "safe" | "moderate" | "restricted": moderate and restricted become Pinhole's "restricted"
 *   license       text: "All Rights Reserved", "Attribution License", "Attribution-NonCommercial-
 *                 ShareAlike License", "Attribution-NoDerivs License", "No known copyright
 *                 restrictions", "Public Domain Dedication (CC0)", "Public Domain Mark", …
 *   albums        [{ "id": …, "title": … }] (the album list itself is albums.json)
 *   comments      [{ "id": …, "date": "YYYY-MM-DD HH:MM:SS", "user": "https://www.flickr.com/people/<name>/",
 *                   "comment": "text" }] (the write-up names them user / message / date_create: both read)
 *   notes, people, groups, count_*: not imported (notes carry no usable rectangle)
 *
 * albums.json: { "albums": [{ "id", "title", "description", "photos": ["<id>", …],
 *                "cover_photo": "https://www.flickr.com/photos/<name>/<id>/" or an id }] }
 * account_profile.json, contacts_part*.json, faves_part*.json …: Flickr accounts and people, not
 * members here; not imported.
 *
 * Photo files: "<slugged title>_<id>_o.<ext>" (the id is the run of digits before "_o"), or
 * "<id>_<secret>_o.<ext>" in older exports (read when the secret has a letter in it, as hex
 * secrets almost always do); videos are reported as failed.
 *
 * Licences: Flickr's Creative Commons licences are version 2.0 (4.0 since 2024); Pinhole offers
 * the 4.0 licences only, so each maps to the 4.0 licence of the same terms (BY, BY-SA, BY-ND,
 * BY-NC, BY-NC-SA, BY-NC-ND) — the member who imports is the licensor choosing it; the import
 * page says so. CC0 and the Public Domain Mark map to themselves. Anything else ("No known
 * copyright restrictions", "United States Government Work", unknown text) becomes all rights
 * reserved: never more permissive than the source.
 */

export const FLICKR_SOURCE = "flickr";

const PHOTO_JSON = /(?:^|\/)photo_(\d+)\.json$/;
const PHOTO_FILE = /(?:^|\/|_)(\d+)_o\.[a-z0-9]{2,5}$/i;
/** The older "<id>_<secret>_o.<ext>": a hex secret (with a letter in it) after the id. */
const OLD_PHOTO_FILE = /(?:^|\/)(\d+)_[0-9a-f]*[a-f][0-9a-f]*_o\.[a-z0-9]{2,5}$/i;
const ALBUMS_JSON = /(?:^|\/)albums\.json$/;

export function flickrPhotoJsonId(entry: string): string | null {
  return PHOTO_JSON.exec(entry)?.[1] ?? null;
}

export function flickrPhotoFileId(entry: string): string | null {
  return PHOTO_FILE.exec(entry)?.[1] ?? OLD_PHOTO_FILE.exec(entry)?.[1] ?? null;
}

export function isFlickrAlbums(entry: string): boolean {
  return ALBUMS_JSON.test(entry);
}

export function flickrLicense(text: unknown): LicenseId {
  if (typeof text !== "string") return "all-rights-reserved";
  const t = text.toLowerCase();
  if (t.includes("cc0") || t.includes("public domain dedication")) return "cc0-1.0";
  if (t.includes("public domain mark")) return "pdm-1.0";
  if (!t.includes("attribution")) return "all-rights-reserved";
  const nc = /non-?commercial/.test(t);
  const nd = /no-?deriv/.test(t);
  const sa = /share-?alike/.test(t);
  if (nd && sa) return "all-rights-reserved";
  const id = `cc-by${nc ? "-nc" : ""}${nd ? "-nd" : ""}${sa ? "-sa" : ""}-4.0`;
  return id as LicenseId;
}

export function flickrVisibility(privacy: unknown): Visibility {
  const p = typeof privacy === "string" ? privacy.toLowerCase().replace(/\s+/g, " ").trim() : "";
  if (p === "public") return "public";
  if (p === "friends" || p === "friends only") return "friends";
  if (p === "family" || p === "family only") return "family";
  if (/^friends? (&|and) family$/.test(p)) return "friends_and_family";
  // "private", "only you", anything unknown: the most private, never less than the source.
  return "private";
}

function coordinate(value: unknown): { raw: number; decimal: boolean } | null {
  if (typeof value === "number" && Number.isFinite(value)) return { raw: value, decimal: !Number.isInteger(value) };
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return { raw: Number(value), decimal: value.includes(".") };
  return null;
}

export function flickrLocation(geo: unknown): { latitude: number; longitude: number } | null {
  const first = Array.isArray(geo) ? geo[0] : geo;
  if (!first || typeof first !== "object") return null;
  const { latitude, longitude } = first as { latitude?: unknown; longitude?: unknown };
  const lat = coordinate(latitude);
  const lon = coordinate(longitude);
  if (!lat || !lon || (lat.raw === 0 && lon.raw === 0)) return null;
  const scaled = !lat.decimal && !lon.decimal && (Math.abs(lat.raw) > 180 || Math.abs(lon.raw) > 180);
  const result = scaled ? { latitude: lat.raw / 1_000_000, longitude: lon.raw / 1_000_000 } : { latitude: lat.raw, longitude: lon.raw };
  return Math.abs(result.latitude) <= 90 && Math.abs(result.longitude) <= 180 ? result : null;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC on Flickr's side) or seconds since 1970, as epoch ms. */
export function flickrTime(value: unknown, fallback: number): number {
  if (typeof value === "number" || (typeof value === "string" && /^\d{9,11}$/.test(value))) return Number(value) * 1000;
  if (typeof value === "string") {
    const ms = Date.parse(`${value.trim().replace(" ", "T")}Z`);
    if (Number.isFinite(ms)) return ms;
  }
  return fallback;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The name in a Flickr people URL ("https://www.flickr.com/people/alice/" → "alice"), or the text given. */
function personName(value: unknown): string {
  const s = typeof value === "string" ? value.trim() : "";
  const match = /\/(?:people|photos)\/([^/]+)\/?$/.exec(s);
  return (match?.[1] ?? s) || "someone on Flickr";
}

function tagsOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (!Array.isArray(value)) return [];
  return value.map((t) => (typeof t === "string" ? t : typeof t === "object" && t && typeof (t as { tag?: unknown }).tag === "string" ? (t as { tag: string }).tag : "")).filter(Boolean);
}

/** One photo_<id>.json, as a SourcePhoto. */
export function flickrPhoto(json: unknown, now: number): SourcePhoto {
  const photo = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const taken = parseExifDateTime(photo.date_taken);
  const location = flickrLocation(photo.geo);
  const safety = typeof photo.safety === "string" ? photo.safety.toLowerCase() : "";
  const comments = Array.isArray(photo.comments) ? photo.comments : [];
  return {
    title: text(photo.name) ?? text(photo.title),
    description: text(photo.description),
    tags: tagsOf(photo.tags),
    visibility: flickrVisibility(photo.privacy),
    restricted: safety === "moderate" || safety === "restricted",
    license: flickrLicense(photo.license),
    takenAt: taken && !taken.startsWith("0000") ? { value: taken, offset: null, onlyIfMissing: true } : undefined,
    location: location ? { ...location, altitude: null } : undefined,
    comments: comments
      .filter((c): c is Record<string, unknown> => !!c && typeof c === "object")
      .map((c) => ({ author: personName(c.user), text: text(c.comment) ?? text(c.message) ?? "", createdAt: flickrTime(c.date ?? c.date_create, now) }))
      .filter((c) => c.text.trim() !== ""),
    notes: [],
  };
}

export interface FlickrAlbum {
  id: string;
  title: string;
  description: string;
  photoIds: string[];
  coverPhotoId: string | null;
}

export function flickrAlbums(json: unknown): FlickrAlbum[] {
  const list = json && typeof json === "object" ? (json as { albums?: unknown }).albums : null;
  if (!Array.isArray(list)) return [];
  return list
    .filter((a): a is Record<string, unknown> => !!a && typeof a === "object" && (typeof a.id === "string" || typeof a.id === "number"))
    .map((a) => {
      const cover = typeof a.cover_photo === "string" || typeof a.cover_photo === "number" ? /(\d+)\/?$/.exec(String(a.cover_photo))?.[1] ?? null : null;
      return {
        id: String(a.id),
        title: text(a.title) ?? "",
        description: text(a.description) ?? "",
        photoIds: Array.isArray(a.photos) ? a.photos.map(String).filter((p) => /^\d+$/.test(p)) : [],
        coverPhotoId: cover,
      };
    });
}
