import type { PhotoView } from "../photos/presenter.ts";
import type { LicenseId } from "../photos/licenses.ts";
import type { Visibility } from "../photos/visibility.ts";
import { node, textNode, type FlickrNode } from "./views.ts";

/**
 * Members as Flickr names them: an NSID is the member's Pinhole id followed by "@N00"
 * ("42@N00"). Stable for as long as the account exists, and never reused.
 */
export function nsidOf(userId: number): string {
  return `${userId}@N00`;
}

export function userIdOfNsid(nsid: string): number | null {
  const match = /^([1-9][0-9]{0,15})@N00$/.exec(nsid.trim());
  return match ? Number(match[1]) : null;
}

/**
 * Flickr's numeric licence ids (flickr.photos.licenses.getInfo) and the Pinhole licence each
 * stands for; Flickr's 2.0 licences, "no known copyright restrictions" and "United States
 * Government Work" have no Pinhole counterpart, so no photo carries them.
 */
export const FLICKR_LICENSES: Array<{ id: number; name: string; url: string; pinhole: LicenseId | null }> = [
  { id: 0, name: "All Rights Reserved", url: "", pinhole: "all-rights-reserved" },
  { id: 1, name: "Attribution-NonCommercial-ShareAlike License", url: "https://creativecommons.org/licenses/by-nc-sa/2.0/", pinhole: null },
  { id: 2, name: "Attribution-NonCommercial License", url: "https://creativecommons.org/licenses/by-nc/2.0/", pinhole: null },
  { id: 3, name: "Attribution-NonCommercial-NoDerivs License", url: "https://creativecommons.org/licenses/by-nc-nd/2.0/", pinhole: null },
  { id: 4, name: "Attribution License", url: "https://creativecommons.org/licenses/by/2.0/", pinhole: null },
  { id: 5, name: "Attribution-ShareAlike License", url: "https://creativecommons.org/licenses/by-sa/2.0/", pinhole: null },
  { id: 6, name: "Attribution-NoDerivs License", url: "https://creativecommons.org/licenses/by-nd/2.0/", pinhole: null },
  { id: 7, name: "No known copyright restrictions", url: "https://www.flickr.com/commons/usage/", pinhole: null },
  { id: 8, name: "United States Government Work", url: "http://www.usa.gov/copyright.shtml", pinhole: null },
  { id: 9, name: "Public Domain Dedication (CC0)", url: "https://creativecommons.org/publicdomain/zero/1.0/", pinhole: "cc0-1.0" },
  { id: 10, name: "Public Domain Mark", url: "https://creativecommons.org/publicdomain/mark/1.0/", pinhole: "pdm-1.0" },
  { id: 11, name: "CC BY 4.0", url: "https://creativecommons.org/licenses/by/4.0/", pinhole: "cc-by-4.0" },
  { id: 12, name: "CC BY-SA 4.0", url: "https://creativecommons.org/licenses/by-sa/4.0/", pinhole: "cc-by-sa-4.0" },
  { id: 13, name: "CC BY-ND 4.0", url: "https://creativecommons.org/licenses/by-nd/4.0/", pinhole: "cc-by-nd-4.0" },
  { id: 14, name: "CC BY-NC 4.0", url: "https://creativecommons.org/licenses/by-nc/4.0/", pinhole: "cc-by-nc-4.0" },
  { id: 15, name: "CC BY-NC-SA 4.0", url: "https://creativecommons.org/licenses/by-nc-sa/4.0/", pinhole: "cc-by-nc-sa-4.0" },
  { id: 16, name: "CC BY-NC-ND 4.0", url: "https://creativecommons.org/licenses/by-nc-nd/4.0/", pinhole: "cc-by-nc-nd-4.0" },
];

export function flickrLicenseId(license: LicenseId): number {
  return FLICKR_LICENSES.find((l) => l.pinhole === license)?.id ?? 0;
}

export function pinholeLicense(flickrId: number): LicenseId | null {
  return FLICKR_LICENSES.find((l) => l.id === flickrId)?.pinhole ?? null;
}

/** Pinhole's sizes under Flickr's labels and URL suffixes (url_sq … url_k), smallest first. */
export const SIZE_LABELS: Array<{ size: string; label: string; suffix: string }> = [
  { size: "sq75", label: "Square", suffix: "sq" },
  { size: "sq150", label: "Large Square", suffix: "q" },
  { size: "100", label: "Thumbnail", suffix: "t" },
  { size: "240", label: "Small", suffix: "s" },
  { size: "320", label: "Small 320", suffix: "n" },
  { size: "500", label: "Medium", suffix: "m" },
  { size: "640", label: "Medium 640", suffix: "z" },
  { size: "800", label: "Medium 800", suffix: "c" },
  { size: "1024", label: "Large", suffix: "l" },
  { size: "1600", label: "Large 1600", suffix: "h" },
  { size: "2048", label: "Large 2048", suffix: "k" },
];

export function visibilityFlags(visibility: Visibility): { ispublic: number; isfriend: number; isfamily: number } {
  return {
    ispublic: visibility === "public" ? 1 : 0,
    isfriend: visibility === "friends" || visibility === "friends_and_family" ? 1 : 0,
    isfamily: visibility === "family" || visibility === "friends_and_family" ? 1 : 0,
  };
}

/** Flickr's three switches as a Pinhole visibility: public wins; else friends, family, both or only the owner. */
export function visibilityOf(flags: { isPublic: boolean; isFriend: boolean; isFamily: boolean }): Visibility {
  if (flags.isPublic) return "public";
  if (flags.isFriend && flags.isFamily) return "friends_and_family";
  if (flags.isFriend) return "friends";
  if (flags.isFamily) return "family";
  return "private";
}

/** The photo's secret, as in its image URLs (which the caller already may see). */
export function secretOf(photo: PhotoView): string {
  const url = photo.sizes[0]?.url ?? "";
  return /\/img\/[0-9]+\/([0-9a-f]+)\//.exec(url)?.[1] ?? "";
}

export function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Flickr's date taken: "YYYY-MM-DD HH:MM:SS" on the camera's clock. */
export function flickrTaken(takenAt: string | null): string | null {
  if (!takenAt) return null;
  return takenAt.slice(0, 19).replace("T", " ");
}

export interface SizeEntry {
  label: string;
  suffix: string;
  width: number;
  height: number;
  url: string;
}

/** The JPEG sizes the photo has under Flickr's labels, and the original when the caller may download it. */
export function flickrSizes(photo: PhotoView): SizeEntry[] {
  const out: SizeEntry[] = [];
  for (const label of SIZE_LABELS) {
    const size = photo.sizes.find((s) => s.name === label.size && s.format === "jpeg");
    if (size) out.push({ label: label.label, suffix: label.suffix, width: size.width, height: size.height, url: size.url });
  }
  if (photo.originalUrl) out.push({ label: "Original", suffix: "o", width: photo.width, height: photo.height, url: photo.originalUrl });
  return out;
}

/** One photo in a list (search, photostream, faves, pools), with the extras asked for. */
export function listedPhoto(photo: PhotoView, ownerNsid: string, extras: Set<string>, more: Record<string, string | number> = {}): FlickrNode {
  const attrs: Record<string, string | number | null> = {
    id: photo.id,
    owner: ownerNsid,
    secret: secretOf(photo),
    server: "0",
    farm: 0,
    title: photo.title,
    ...visibilityFlags(photo.visibility),
    ...more,
  };
  const children: FlickrNode[] = [];
  if (extras.has("description")) children.push(textNode("description", photo.description));
  if (extras.has("license")) attrs.license = String(flickrLicenseId(photo.license.id));
  if (extras.has("date_upload")) attrs.dateupload = String(unixSeconds(photo.uploadedAt));
  if (extras.has("date_taken")) {
    attrs.datetaken = flickrTaken(photo.takenAt) ?? flickrTaken(photo.uploadedAt);
    attrs.datetakengranularity = 0;
    attrs.datetakenunknown = photo.takenAt ? "0" : "1";
  }
  if (extras.has("last_update")) attrs.lastupdate = String(unixSeconds(photo.uploadedAt));
  if (extras.has("owner_name")) attrs.ownername = photo.owner.username;
  if (extras.has("path_alias")) attrs.pathalias = photo.owner.username;
  if (extras.has("tags")) attrs.tags = photo.tagKeys.join(" ");
  if (extras.has("machine_tags")) attrs.machine_tags = "";
  if (extras.has("media")) {
    attrs.media = "photo";
    attrs.media_status = "ready";
  }
  if (extras.has("o_dims") && photo.originalUrl) {
    attrs.o_width = String(photo.width);
    attrs.o_height = String(photo.height);
  }
  if (extras.has("geo")) {
    attrs.latitude = photo.location?.latitude ?? 0;
    attrs.longitude = photo.location?.longitude ?? 0;
    attrs.accuracy = photo.location ? 16 : 0;
    attrs.context = 0;
  }
  for (const size of flickrSizes(photo)) {
    if (!extras.has(`url_${size.suffix}`)) continue;
    attrs[`url_${size.suffix}`] = size.url;
    attrs[`height_${size.suffix}`] = size.height;
    attrs[`width_${size.suffix}`] = size.width;
  }
  return { name: "photo", attrs, children };
}

export function photoPage(name: string, photos: FlickrNode[], page: { page: number; perPage: number; total: number }, attrs: Record<string, string | number> = {}): FlickrNode {
  return node(name, { ...attrs, page: page.page, pages: Math.max(1, Math.ceil(page.total / Math.max(page.perPage, 1))), perpage: page.perPage, total: page.total }, photos, ["photo"]);
}
