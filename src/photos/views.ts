import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { feedDiscovery, feedLink } from "../web/feed-links.ts";
import { assetUrl } from "../web/assets.ts";
import { aspectClass, aspectRatio } from "../web/grid.ts";
import type { Viewer } from "../users/service.ts";
import type { PhotoPageSection, PhotostreamSection } from "./page-sections.ts";
import { altTextOf, type PhotoView, type PhotoSize } from "./presenter.ts";
import type { PhotoPage } from "./service.ts";
import { LOCATION_VISIBILITIES, VISIBILITIES, type LocationVisibility } from "./visibility.ts";
import { formatTags } from "./tags.ts";
import { formatMegabytes, type QuotaUsage } from "./quotas.ts";
import { LICENSES, type License, type LicenseId } from "./licenses.ts";
import type { PhotoDefaults } from "./service.ts";
import { english, type Messages, type MessageKey } from "../i18n/messages.ts";
import { isLocale, LOCALE_INFO } from "../i18n/locales.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language; pages that take it are translated (see i18n/). */
  messages?: Messages;
}

const LOCATION_LABELS: Record<LocationVisibility, string> = {
  everyone: "Everyone who sees the photo",
  contacts: "Your contacts",
  friends_and_family: "Your friends and family",
  private: "Only you",
};

function locationVisibilitySelect(id: string, chosen: LocationVisibility): Html {
  return html`<select id="${id}" name="${id === "locationVisibility" ? "locationVisibility" : "visibility"}">${LOCATION_VISIBILITIES.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : null}>${LOCATION_LABELS[v]}</option>`)}</select>`;
}

function locationForm(photo: PhotoView, csrfToken: string): Html {
  const action = `/photos/${photo.owner.username}/${photo.id}/location`;
  return html`<form method="post" action="${action}" class="stack" id="location-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
<fieldset><legend>Where it was taken</legend>
<label for="latitude">Latitude</label><input id="latitude" name="latitude" inputmode="decimal" value="${photo.location ? String(photo.location.latitude) : ""}">
<label for="longitude">Longitude</label><input id="longitude" name="longitude" inputmode="decimal" value="${photo.location ? String(photo.location.longitude) : ""}">
<label for="location-visibility">Who can see the location</label>${locationVisibilitySelect("location-visibility", photo.location?.visibility ?? "private")}
<small>Leave both empty to remove the location.</small></fieldset>
<button type="submit">Save location</button>
</form>`;
}

const VISIBILITY_KEYS: Record<string, MessageKey> = {
  public: "visibility.public",
  friends_and_family: "visibility.friendsAndFamily",
  friends: "visibility.friends",
  family: "visibility.family",
  private: "visibility.private",
};


const VISIBILITY_LABELS: Record<string, string> = {
  public: "Public: anyone",
  friends_and_family: "Your friends and family",
  friends: "Your friends",
  family: "Your family",
  private: "Only you",
};

/** The longest-edge sizes of one format, smallest first (squares are crops, never offered). */
function sizesOf(sizes: PhotoSize[], format: "jpeg" | "webp", maxWidth = Infinity): PhotoSize[] {
  return sizes.filter((s) => s.format === format && !s.name.startsWith("sq") && s.width <= maxWidth);
}

function srcset(sizes: PhotoSize[]): string {
  return sizes.map((s) => `${s.url} ${s.width}w`).join(", ");
}

/**
 * What a browser that takes WebP is offered: each size in WebP where it was made (derivatives
 * makes WebP for the 1024 px size only, the most viewed bytes) and in JPEG otherwise. `type` on
 * <source> only says the browser must know WebP; its candidates may mix formats. Null when no
 * size has a WebP, so the page sends no <source> at all.
 */
function modernSrcset(sizes: PhotoSize[], maxWidth = Infinity): string | null {
  const webp = sizesOf(sizes, "webp", maxWidth);
  if (webp.length === 0) return null;
  const webpNames = new Set(webp.map((s) => s.name));
  const mixed = [...webp, ...sizesOf(sizes, "jpeg", maxWidth).filter((s) => !webpNames.has(s.name))].sort((a, b) => a.width - b.width);
  return srcset(mixed);
}

function pick(sizes: PhotoSize[], minLongest: number): PhotoSize | undefined {
  const candidates = sizes.filter((s) => s.format === "jpeg" && !s.name.startsWith("sq"));
  return candidates.find((s) => Math.max(s.width, s.height) >= minLongest) ?? candidates[candidates.length - 1];
}

const altText = altTextOf;

/**
 * How wide a grid tile is drawn at each breakpoint of site.css's --row-height (130, 200, 240
 * and 300 px rows), with room for a row stretched to fill the width: the browser picks the
 * smallest size that is sharp at its pixel density, so a phone gets 320-640 px files.
 */
function tileSizes(photo: PhotoView): string {
  const ratio = aspectRatio(photo.width, photo.height);
  const at = (rowHeight: number) => Math.round(rowHeight * ratio * 1.3);
  return `(max-width: 600px) ${Math.min(at(130), 600)}px, (max-width: 1200px) ${at(200)}px, (max-width: 1800px) ${at(240)}px, ${at(300)}px`;
}

/**
 * A grid tile's placeholder: the photo's dominant colour (computed at upload) fills the tile
 * until the image arrives. An SVG fill, not a style attribute, because the Content-Security-Policy
 * allows no inline styles.
 */
function placeholder(photo: PhotoView): Html {
  return photo.dominantColor && /^#[0-9a-f]{6}$/i.test(photo.dominantColor) ? html`<svg class="ph" aria-hidden="true" focusable="false" fill="${photo.dominantColor}"><rect width="100%" height="100%"/></svg>` : html``;
}

/** One photo in a justified grid: its aspect class, placeholder, responsive image and caption. */
function gridTile(photo: PhotoView, controls?: (photo: PhotoView) => Html): Html {
  const fallback = pick(photo.sizes, 320);
  const modern = modernSrcset(photo.sizes, 1024);
  const sizes = tileSizes(photo);
  const caption = photo.title ? html`<span class="tile-caption" aria-hidden="true">${photo.title}</span>` : null;
  return html`<li class="${aspectClass(photo.width, photo.height)}"${controls ? html` data-photo-id="${photo.id}"` : null}>
<a href="/photos/${photo.owner.username}/${photo.id}">${placeholder(photo)}<picture>${modern ? html`<source type="image/webp" srcset="${modern}" sizes="${sizes}">` : null}<img src="${fallback?.url ?? ""}" srcset="${srcset(sizesOf(photo.sizes, "jpeg", 1024))}" sizes="${sizes}" width="${fallback?.width ?? photo.width}" height="${fallback?.height ?? photo.height}" alt="${altText(photo)}" loading="lazy" decoding="async"></picture>${caption}</a>${controls ? controls(photo) : null}</li>`;
}

/**
 * Another domain's part of a page, marked with its language when that is not the page's (its
 * views not translated yet); `display: contents` (site.css) keeps the layout as if unwrapped.
 */
function inLanguage(part: Html, lang: string, m: Messages): Html {
  if (lang === m.locale) return part;
  const dir = isLocale(lang) ? LOCALE_INFO[lang].dir : "ltr";
  return html`<div class="lang-other" lang="${lang}"${dir !== m.dir ? html` dir="${dir}"` : null}>${part}</div>`;
}

/** A justified grid: rows of equal height filling the width (see web/grid.ts). */
export function photoGrid(photos: PhotoView[], options: { id?: string; controls?: (photo: PhotoView) => Html; messages?: Messages } = {}): Html {
  if (photos.length === 0) return html`<p class="empty">${(options.messages ?? english()).t("grid.empty")}</p>`;
  return html`<ul class="jg"${options.id ? html` id="${options.id}"` : null}>${photos.map((photo) => gridTile(photo, options.controls))}</ul>`;
}

/** One photo as a small image (an album's cover), sized like a grid tile. */
export function photoThumb(photo: PhotoView): Html {
  const fallback = pick(photo.sizes, 320);
  return html`<img src="${fallback?.url ?? ""}" srcset="${srcset(sizesOf(photo.sizes, "jpeg", 640))}" sizes="(max-width: 600px) 50vw, 240px" width="${fallback?.width ?? photo.width}" height="${fallback?.height ?? photo.height}" alt="${altText(photo)}" loading="lazy" decoding="async">`;
}

function pager(list: PhotoPage, basePath: string, m: Messages = english()): Html {
  return list.nextCursor ? html`<nav class="pager" aria-label="${m.t("pager.label")}"><a href="${basePath}?before=${list.nextCursor}" rel="next">${m.t("pager.older")}</a></nav>` : html``;
}

export function homePage(view: Shell & { list: PhotoPage }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("home.title"),
    body: html`<section><h1>${m.t("home.title")}</h1>${photoGrid(view.list.photos, { messages: m })}${pager(view.list, "/", m)}</section>`,
  });
}

export function photostreamPage(view: Shell & { username: string; list: PhotoPage; isOwner: boolean; sections?: PhotostreamSection[]; previewHead?: Html }): string {
  const m = view.messages ?? english();
  const name = { username: view.username };
  return page({
    ...view,
    messages: m,
    title: m.t("stream.title", name),
    head: html`${view.previewHead ?? null}${feedDiscovery([
      { path: `/photos/${view.username}/feed`, title: m.t("stream.title", name) },
      { path: `/photos/${view.username}/comments/feed`, title: m.t("stream.commentsFeed", name) },
    ])}`,
    body: html`<section><h1>${m.t("stream.title", name)}</h1>
<p class="stream-links"><a href="/photos/${view.username}/archives" id="archives-link">${m.t("stream.archives")}</a> · <a href="/photos/${view.username}/albums" id="albums-link">${m.t("stream.albums")}</a> · <a href="/photos/${view.username}/map" id="map-link">${m.t("stream.map")}</a> · <a href="/photos/${view.username}/collections" id="collections-link">${m.t("stream.collections")}</a> ${feedLink(`/photos/${view.username}/feed`, m)}${view.isOwner ? html` · <a href="/organize" id="organize-link">${m.t("stream.organize")}</a>` : null}</p>
${(view.sections ?? []).map((section) => inLanguage(section.body, section.lang ?? "en", m))}
${view.isOwner ? html`<p><a class="button" href="/upload">${m.t("upload.title")}</a></p>` : null}
${view.viewer && !view.isOwner ? html`<p class="report-link"><a href="/reports/new?targetKind=member&amp;username=${view.username}" id="report-member">${m.t("stream.report", name)}</a></p>` : null}
${photoGrid(view.list.photos, { messages: m })}${pager(view.list, `/photos/${view.username}`, m)}</section>`,
  });
}

export function tagPage(view: Shell & { tag: string; username: string | null; list: PhotoPage }): string {
  const m = view.messages ?? english();
  const base = view.username ? `/photos/${view.username}/tags/${view.tag}` : `/photos/tags/${view.tag}`;
  const values = { tag: view.tag, username: view.username ?? "" };
  return page({
    ...view,
    messages: m,
    title: view.username ? m.t("tag.memberTitle", values) : m.t("tag.title", values),
    head: feedDiscovery([{ path: `${base}/feed`, title: view.username ? m.t("tag.memberFeed", values) : m.t("tag.feed", values) }]),
    body: html`<section><h1>${view.username ? m.t("tag.memberHeading", values) : m.t("tag.heading", values)}</h1><p>${feedLink(`${base}/feed`, m)}</p>${photoGrid(view.list.photos, { messages: m })}${pager(view.list, base, m)}</section>`,
  });
}

function exifList(photo: PhotoView, m: Messages): Html {
  const rows: Array<[string, string | Html]> = [];
  if (photo.takenAt) rows.push([m.t("exif.taken"), html`<a href="/photos/${photo.owner.username}/archives/${photo.takenAt.slice(0, 4)}/${photo.takenAt.slice(5, 7)}/${photo.takenAt.slice(8, 10)}" id="taken-link"><time datetime="${photo.takenAt}" title="${photo.takenAt.replace("T", " ")}">${takenAt(photo.takenAt, m)}</time></a>`]);
  const camera = photo.camera ? [photo.camera.make, photo.camera.model].filter(Boolean).join(" ") : "";
  if (camera) rows.push([m.t("exif.camera"), photo.camera?.model ? html`<a href="/cameras/${encodeURIComponent(photo.camera.model)}" id="camera-link">${camera}</a>` : camera]);
  if (photo.camera?.lens) rows.push([m.t("exif.lens"), photo.camera.lens]);
  const exposure = photo.exposure;
  if (exposure?.time) rows.push([m.t("exif.exposure"), m.t("exif.seconds", { time: exposure.time })]);
  if (exposure?.fNumber) rows.push([m.t("exif.aperture"), `ƒ/${m.number(exposure.fNumber)}`]);
  if (exposure?.iso) rows.push([m.t("exif.iso"), m.number(exposure.iso)]);
  if (exposure?.focalLength) rows.push([m.t("exif.focalLength"), m.t("exif.millimetres", { length: exposure.focalLength })]);
  rows.push([m.t("exif.size"), m.t("exif.pixels", { width: photo.width, height: photo.height })]);
  rows.push([m.t("exif.uploaded"), html`<time datetime="${photo.uploadedAt}">${m.date(photo.uploadedAt)}</time>`]);
  if (photo.location) rows.push([photo.canEdit ? m.t("exif.locationWho", { who: photo.location.visibility }) : m.t("exif.location"), html`<span id="location">${m.number(photo.location.latitude, { maximumFractionDigits: 6 })}, ${m.number(photo.location.longitude, { maximumFractionDigits: 6 })}</span>`]);
  return html`<dl class="exif">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

/**
 * When a photo was taken, in the locale's words: the camera's wall-clock time as recorded
 * (formatted in UTC, which leaves it alone; an offset, when recorded, stays in the title with
 * the exact value).
 */
function takenAt(value: string, m: Messages): string {
  const date = new Date(`${value.slice(0, 19)}Z`);
  if (Number.isNaN(date.getTime())) return value.replace("T", " ");
  return m.date(date, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
}

function editForm(photo: PhotoView, csrfToken: string): Html {
  const action = `/photos/${photo.owner.username}/${photo.id}`;
  return html`<details class="edit"><summary>Edit this photo</summary>
<form method="post" action="${action}/edit" class="stack" id="edit-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
<label for="title">Title</label><input id="title" name="title" maxlength="255" value="${photo.title}">
<label for="description">Description</label><textarea id="description" name="description" rows="4" maxlength="10000">${photo.description}</textarea>
<label for="altText">Alt text</label><textarea id="altText" name="altText" rows="2" maxlength="1000" aria-describedby="altText-help">${photo.altText}</textarea><small id="altText-help">What the photo shows, for people who cannot see it. Left empty, the title or description is used.</small>
<label for="tags">Tags</label><input id="tags" name="tags" value="${formatTags(photo.tags)}"><small>Separate tags with spaces; "quote a phrase".</small>
<label for="visibility">Who can see it</label><select id="visibility" name="visibility">${VISIBILITIES.map((v) => html`<option value="${v}"${v === photo.visibility ? html` selected` : null}>${VISIBILITY_LABELS[v]}</option>`)}</select>
<label><input type="checkbox" id="restricted" name="restricted" value="1"${photo.restricted ? html` checked` : null}> Restricted: not for all audiences</label><small>Only members who chose to see restricted photos will see it.</small>
${licenseFields(photo.license.id, photo.downloadAllowed)}
<button type="submit">Save</button>
</form>
<form method="post" action="${action}/replace?_csrf=${encodeURIComponent(csrfToken)}" enctype="multipart/form-data" class="stack" id="replace-form">
<label for="replace-file">Replace the photo's file</label><input type="file" id="replace-file" name="file" accept="image/*" required>
<small>Title, description, tags, comments, faves and albums stay; the picture, its size and camera details change, and so do its image links.</small>
<button type="submit">Replace</button>
</form>
<form method="post" action="${action}/delete" class="danger" id="delete-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="danger">Delete this photo</button> <small>The photo and all its files are removed for good.</small>
</form>
${locationForm(photo, csrfToken)}
${photo.originalUrl ? html`<p><a href="${photo.originalUrl}">Download the original</a> (${photo.originalName})</p>` : null}
</details>`;
}

function licenseFields(chosen: LicenseId, downloadAllowed: boolean): Html {
  return html`<label for="license">Licence</label><select id="license" name="license">${LICENSES.map((l) => html`<option value="${l.id}"${l.id === chosen ? html` selected` : null}>${l.name}</option>`)}</select>
<label><input type="checkbox" id="downloadAllowed" name="downloadAllowed" value="1"${downloadAllowed ? html` checked` : null}> Let people who can see it download the original</label>`;
}

function licenseLine(license: License, m: Messages): Html {
  const text = license.id === "all-rights-reserved" ? html`© ${m.t("license.allRightsReserved")}` : html`${license.name}`;
  return html`<p class="license" id="license">${license.url ? html`<a href="${license.url}" rel="license">${text}</a>` : text}</p>`;
}

export function photoDefaultsPage(view: Shell & { defaults: PhotoDefaults; saved: boolean }): string {
  return page({
    ...view,
    title: "Licence, downloads and locations",
    body: html`<section class="settings"><h1>Licence, downloads and locations</h1>
${view.saved ? html`<p class="alert" role="status">Saved. Your next uploads get these.</p>` : null}
<p>What your new uploads get. Each photo's own choice can be changed on its page; photos already uploaded keep theirs.</p>
<form method="post" action="/settings/photos" class="stack" id="photo-defaults">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
${licenseFields(view.defaults.license, view.defaults.downloadAllowed)}
<label for="locationVisibility">Who can see where your photos were taken</label>${locationVisibilitySelect("locationVisibility", view.defaults.locationVisibility)}
<button type="submit">Save</button>
</form></section>`,
  });
}

/**
 * The photo page's image sizes: it is drawn as large as fits both the width and the height left
 * under the header (site.css .photo-frame img), so `sizes` says the same; a phone held upright
 * gets at most the 1600 px file even at 3x, never the 2048 px one.
 */
function stageSizes(photo: PhotoView): string {
  const ratio = photo.width > 0 && photo.height > 0 ? photo.width / photo.height : 1;
  return `min(100vw, calc((100vh - 7rem) * ${ratio.toFixed(3)}), ${photo.width}px)`;
}

export function photoPage(view: Shell & { photo: PhotoView; newer: string | null; older: string | null; sections?: PhotoPageSection[] }): string {
  const { photo } = view;
  const sections = view.sections ?? [];
  const sectionScripts = sections.flatMap((s) => s.scripts ?? []);
  const display = pick(photo.sizes, 1024);
  const stream = `/photos/${photo.owner.username}`;
  const modern = modernSrcset(photo.sizes);
  const sizes = stageSizes(photo);
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: photo.title || m.t("photo.untitled"),
    scripts: [...new Set(["photo.js", ...(photo.canEdit ? ["photo-edit.js"] : []), ...sectionScripts])],
    head: html`<link rel="canonical" href="${photo.pageUrl}">${[...new Set(sections.flatMap((s) => s.styles ?? []))].map((name) => html`<link rel="stylesheet" href="${assetUrl(name)}">`)}
${sections.map((s) => s.head ?? null)}`,
    body: html`<article class="photo-page">
<div class="photo-stage">
<figure class="photo-frame" id="photo-frame">
<picture>${modern ? html`<source type="image/webp" srcset="${modern}" sizes="${sizes}">` : null}
<img src="${display?.url ?? ""}" srcset="${srcset(sizesOf(photo.sizes, "jpeg"))}" sizes="${sizes}" width="${display?.width ?? photo.width}" height="${display?.height ?? photo.height}" alt="${altText(photo)}" fetchpriority="high" id="photo-image">
</picture>
${sections.map((s) => s.overlay ?? null)}
<button type="button" class="lightbox-close" id="lightbox-close" hidden>${m.t("photo.close")}</button>
</figure>
<nav class="photo-nav" aria-label="${m.t("photo.navLabel")}">
${view.newer ? html`<a href="${stream}/${view.newer}" rel="prev" id="newer"><span class="flip" aria-hidden="true">←</span> ${m.t("photo.newer")}</a>` : html`<span></span>`}
<span class="photo-nav-middle"><a href="${stream}" id="stream-link">${m.t("stream.title", { username: photo.owner.username })}</a>
<button type="button" class="link" id="lightbox-open" hidden>${m.t("photo.viewLarger")}</button></span>
${view.older ? html`<a href="${stream}/${view.older}" rel="next" id="older">${m.t("photo.older")} <span class="flip" aria-hidden="true">→</span></a>` : html`<span></span>`}
</nav>
<p class="keys-hint" id="keys-hint" hidden>${m.t("photo.keysHint")}</p>
</div>
<div class="photo-body">
<div class="photo-info">
<h1 id="photo-title">${photo.title || m.t("photo.untitled")}</h1>
<p class="byline">${m.rich("photo.byline", { link: (inner) => html`<a href="${stream}">${inner}</a>` }, { username: photo.owner.username })}${photo.visibility !== "public" ? html` · <span class="badge">${VISIBILITY_KEYS[photo.visibility] ? m.t(VISIBILITY_KEYS[photo.visibility] as MessageKey) : photo.visibility}</span>` : null}${photo.restricted ? html` · <span class="badge">${m.t("photo.restricted")}</span>` : null}</p>
${photo.hidden ? html`<p class="alert error" role="alert" id="hidden-notice">${m.t("photo.hiddenNotice")}</p>` : null}
${photo.description ? html`<p class="description">${photo.description}</p>` : null}
${photo.tags.length ? html`<ul class="tags" aria-label="${m.t("photo.tags")}">${photo.tags.map((raw, i) => html`<li><a href="/photos/tags/${photo.tagKeys[i] ?? ""}" rel="tag">${raw}</a></li>`)}</ul>` : null}
${exifList(photo, m)}
${licenseLine(photo.license, m)}
${photo.originalUrl && !photo.canEdit ? html`<p><a href="${photo.originalUrl}" id="download-original" download>${m.t("photo.downloadOriginal")}</a></p>` : null}
${photo.canEdit ? editForm(photo, view.csrfToken) : null}
</div>
<div class="photo-sections">
${sections.map((s) => (s.body ? inLanguage(s.body, s.lang ?? "en", m) : null))}
</div>
</div>
</article>`,
  });
}

/** What the member has stored and may store. */
function quotaLine(quota: QuotaUsage, m: Messages): Html {
  const photos = quota.limits.photos === null ? m.t("quota.photosUnlimited", { count: quota.photos }) : m.t("quota.photosOf", { count: quota.photos, limit: quota.limits.photos });
  const bytes =
    quota.limits.bytes === null
      ? m.t("quota.bytesUnlimited", { mb: m.number(Number(formatMegabytes(quota.bytes))) })
      : m.t("quota.bytesOf", { mb: m.number(Number(formatMegabytes(quota.bytes))), limit: m.number(Number(formatMegabytes(quota.limits.bytes))) });
  return html`<p class="quota" id="quota">${m.t("quota.line", { photos, bytes })}${quota.isPro ? html` · <span class="badge">Pro</span>` : null}</p>`;
}

/** The words upload.js shows, in the page's language (scripts carry no text of their own). */
function uploadScriptMessages(m: Messages): Html {
  const keys: Array<[string, MessageKey, string?]> = [
    ["uploaded", "uploadScript.uploaded"],
    ["duplicate", "uploadScript.duplicate"],
    ["failed-status", "uploadScript.failedStatus"],
    ["uploading", "uploadScript.uploading"],
    ["uploading-resumable", "uploadScript.uploadingResumable"],
    ["making-sizes", "uploadScript.makingSizes"],
    ["connection-failed", "uploadScript.connectionFailed"],
    ["keeps-failing", "uploadScript.keepsFailing"],
    ["resuming", "uploadScript.resuming"],
    ["not-uploaded", "uploadScript.notUploaded"],
    ["retry", "uploadScript.retry"],
    ["waiting", "upload.waiting"],
    ["untitled", "photo.untitled"],
    ["applied", "uploadScript.applied", "count"],
  ];
  return html`${keys.map(([name, key, plural]) => html` data-msg-${name}="${m.forScript(key, plural)}"`)}`;
}

export function uploadPage(view: Shell & { maxUploadMb: number; quota: QuotaUsage }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("upload.title"),
    scripts: ["upload.js"],
    body: html`<section class="upload-page"><h1>${m.t("upload.title")}</h1>
${quotaLine(view.quota, m)}
<form method="post" action="/upload?_csrf=${view.csrfToken}" enctype="multipart/form-data" class="stack" id="upload-form" ${uploadScriptMessages(m)}>
<div class="drop-zone" id="drop-zone">
<p>${m.t("upload.dragHere")}</p>
<label for="file" class="button">${m.t("upload.choose")}</label>
<input id="file" name="file" type="file" accept="image/jpeg,image/png,image/gif,image/webp,image/avif,image/heic,image/heif,image/tiff" multiple required>
<p><small>${m.t("upload.formats", { mb: view.maxUploadMb })}</small></p>
</div>
<fieldset><legend>${m.t("upload.batchLegend")}</legend>
<label for="title">${m.t("form.title")}</label><input id="title" name="title" maxlength="255">
<label for="description">${m.t("form.description")}</label><textarea id="description" name="description" rows="3"></textarea>
<label for="tags">${m.t("form.tags")}</label><input id="tags" name="tags"><small>${m.t("form.tagsHint")}</small>
<label for="visibility">${m.t("upload.whoCanSee")}</label><select id="visibility" name="visibility">${VISIBILITIES.map((v) => html`<option value="${v}">${VISIBILITY_KEYS[v] ? m.t(VISIBILITY_KEYS[v] as MessageKey) : v}</option>`)}</select>
<label><input type="checkbox" id="restricted" name="restricted" value="1"> ${m.t("form.restricted")}</label>
</fieldset>
<button type="submit" id="upload-button">${m.t("upload.submit")}</button>
</form>
<div class="upload-total" id="upload-total" hidden><label for="upload-total-bar">${m.t("upload.allFiles")}</label> <progress id="upload-total-bar" max="100" value="0"></progress> <span id="upload-total-count" aria-live="polite"></span></div>
<template id="upload-item"><li><img class="thumb" alt="" width="56" height="56"><span class="name"></span><progress max="100" value="0"></progress><span class="item-title"><label>${m.t("form.title")}</label> <input type="text" maxlength="255" placeholder="${m.t("upload.asInBatch")}"></span><span class="status">${m.t("upload.waiting")}</span></li></template>
<ol class="upload-list" id="upload-list" aria-live="polite"></ol>
<div id="after-upload" hidden><p><button type="button" id="apply-batch">${m.t("upload.applyBatch")}</button></p>
<p><a href="#" id="see-photostream">${m.t("upload.seePhotostream")}</a></p></div>
<p class="import-link">${m.rich("upload.importLink", { link: (inner) => html`<a href="/imports">${inner}</a>` })}</p>
</section>`,
  });
}

// ---- archives (by date taken) and camera pages ----

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function photoCount(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "photo" : "photos"}`;
}

function archiveCrumbs(username: string, period: string | null): Html {
  const base = `/photos/${username}/archives`;
  const parts: Html[] = [html`<a href="/photos/${username}">${username}</a>`, html`<a href="${base}">Archives</a>`];
  if (period) {
    const [year, month] = period.split("-");
    parts.push(html`<a href="${base}/${year}">${year}</a>`);
    if (month && period.length > 7) parts.push(html`<a href="${base}/${year}/${month}">${MONTHS[Number(month) - 1]}</a>`);
  }
  return html`<nav class="crumbs" aria-label="Archive">${parts.map((p, i) => html`${i ? " › " : ""}${p}`)}</nav>`;
}

export function archiveYearsPage(view: Shell & { username: string; archive: { periods: Array<{ period: string; count: number }>; undated: number } }): string {
  const base = `/photos/${view.username}/archives`;
  const { periods, undated } = view.archive;
  return page({
    ...view,
    title: `${view.username}'s archives`,
    body: html`<section class="archive"><h1>${view.username}'s archives</h1>
${archiveCrumbs(view.username, null)}
<p class="byline">Photos by the date they were taken.</p>
${periods.length === 0 && undated === 0 ? html`<p class="empty">No photos here yet.</p>` : null}
<ul class="archive-years" id="archive-years">${[...periods].reverse().map((p) => html`<li><a href="${base}/${p.period}">${p.period}</a> <span class="count">${photoCount(p.count)}</span></li>`)}</ul>
${undated > 0 ? html`<p><a href="${base}/undated" id="undated">${photoCount(undated)} with no date taken</a></p>` : null}</section>`,
  });
}

export function archiveYearPage(view: Shell & { username: string; year: string; counts: Array<{ period: string; count: number }> }): string {
  const base = `/photos/${view.username}/archives/${view.year}`;
  const byMonth = new Map(view.counts.map((c) => [c.period.slice(5, 7), c.count]));
  return page({
    ...view,
    title: `${view.username}: ${view.year}`,
    body: html`<section class="archive"><h1>${view.username}'s photos taken in ${view.year}</h1>
${archiveCrumbs(view.username, view.year)}
<ol class="archive-months" id="archive-months">${MONTHS.map((name, i) => {
      const month = String(i + 1).padStart(2, "0");
      const count = byMonth.get(month) ?? 0;
      return html`<li>${count > 0 ? html`<a href="${base}/${month}">${name}</a> <span class="count">${photoCount(count)}</span>` : html`<span class="muted">${name}</span>`}</li>`;
    })}</ol></section>`,
  });
}

/** A month as a calendar, weeks from Monday, each day with its count and link; dates are the camera's own clock. */
function monthCalendar(username: string, period: string, counts: Array<{ period: string; count: number }>): Html {
  const [year, month] = period.split("-").map(Number) as [number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const leading = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  const byDay = new Map(counts.map((c) => [Number(c.period.slice(8, 10)), c.count]));
  const cells: Html[] = Array.from({ length: leading }, () => html`<td></td>`);
  for (let day = 1; day <= days; day++) {
    const count = byDay.get(day) ?? 0;
    const dd = String(day).padStart(2, "0");
    cells.push(count > 0 ? html`<td class="has-photos"><a href="/photos/${username}/archives/${period.slice(0, 4)}/${period.slice(5, 7)}/${dd}" aria-label="${day} ${MONTHS[month - 1]}: ${photoCount(count)}">${day}</a><small>${count}</small></td>` : html`<td>${day}</td>`);
  }
  while (cells.length % 7) cells.push(html`<td></td>`);
  const weeks: Html[] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(html`<tr>${cells.slice(i, i + 7)}</tr>`);
  return html`<table class="calendar" id="calendar"><caption>${MONTHS[month - 1]} ${year}</caption><thead><tr>${WEEKDAYS.map((d) => html`<th scope="col">${d}</th>`)}</tr></thead><tbody>${weeks}</tbody></table>`;
}

export function archivePeriodPage(view: Shell & { username: string; period: string | null; counts: Array<{ period: string; count: number }> | null; list: PhotoPage }): string {
  const { period } = view;
  const label = period === null ? "with no date taken" : period.length === 7 ? `taken in ${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}` : `taken on ${Number(period.slice(8, 10))} ${MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`;
  const path = `/photos/${view.username}/archives/${period === null ? "undated" : period.replaceAll("-", "/")}`;
  return page({
    ...view,
    title: `${view.username}: photos ${label}`,
    body: html`<section class="archive"><h1>${view.username}'s photos ${label}</h1>
${archiveCrumbs(view.username, period)}
${period !== null && view.counts ? monthCalendar(view.username, period, view.counts) : null}
${photoGrid(view.list.photos)}${pager(view.list, path)}</section>`,
  });
}

export function cameraPage(view: Shell & { model: string; list: PhotoPage }): string {
  return page({
    ...view,
    title: `Taken with ${view.model}`,
    body: html`<section><h1>Photos taken with a ${view.model}</h1>${photoGrid(view.list.photos)}${pager(view.list, `/cameras/${encodeURIComponent(view.model)}`)}</section>`,
  });
}

const KEEP = html`<option value="" selected>— leave as it is —</option>`;

/** Flickr's Organizr: pick photos from a page of one's own, then change them all at once. */
export function organizePage(view: Shell & { list: PhotoPage; albums: Array<{ id: number; title: string }>; before: string | null; done: { count: number; deleted: boolean } | null }): string {
  const { list, done } = view;
  const doneLine = done ? html`<p class="notice" role="status" id="organize-done">${done.deleted ? `Deleted ${photoCount(done.count)}.` : `Changed ${photoCount(done.count)}.`}</p>` : null;
  const tiles = list.photos.map((photo) => {
    const thumb = pick(photo.sizes, 240);
    return html`<li class="${aspectClass(photo.width, photo.height)}"><input type="checkbox" class="pick" name="photoIds" value="${photo.id}" id="pick-${photo.id}"><label for="pick-${photo.id}"><img src="${thumb?.url ?? ""}" width="${thumb?.width ?? photo.width}" height="${thumb?.height ?? photo.height}" alt="${altText(photo)}" loading="lazy" decoding="async"></label></li>`;
  });
  return page({
    ...view,
    title: "Organize your photos",
    scripts: ["organize.js"],
    body: html`<section><h1>Organize your photos</h1>
${doneLine}
<form method="post" action="/organize" id="organize-form" class="organize">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
${view.before ? html`<input type="hidden" name="before" value="${view.before}">` : null}
<p class="organize-bar"><span id="selected-count" aria-live="polite">Tick the photos to change; shift-click picks a range.</span>
<button type="button" class="link" id="select-all" hidden>Select all on this page</button> <button type="button" class="link" id="select-none" hidden>Select none</button></p>
${list.photos.length === 0 ? html`<p class="empty">No photos here yet.</p>` : html`<ul class="jg organize-grid">${tiles}</ul>`}
<fieldset><legend>Change the selected photos</legend>
<label for="addTags">Add tags</label><input id="addTags" name="addTags" placeholder="sunset &quot;lake district&quot;">
<label for="removeTags">Remove tags</label><input id="removeTags" name="removeTags">
<label for="batch-visibility">Who can see them</label><select id="batch-visibility" name="visibility">${KEEP}${VISIBILITIES.map((v) => html`<option value="${v}">${VISIBILITY_LABELS[v] ?? v}</option>`)}</select>
<label for="batch-restricted">Restricted (not for all audiences)</label><select id="batch-restricted" name="restricted">${KEEP}<option value="yes">Restricted</option><option value="no">Not restricted</option></select>
<label for="batch-license">Licence</label><select id="batch-license" name="license">${KEEP}${LICENSES.map((l) => html`<option value="${l.id}">${l.name}</option>`)}</select>
<label for="batch-location">Location</label><select id="batch-location" name="location"><option value="keep" selected>— leave as it is —</option><option value="set">Set to the place below</option><option value="remove">Remove it</option></select>
<label for="batch-latitude">Latitude</label><input id="batch-latitude" name="latitude" inputmode="decimal">
<label for="batch-longitude">Longitude</label><input id="batch-longitude" name="longitude" inputmode="decimal">
<label for="batch-location-visibility">Who can see the location</label><select id="batch-location-visibility" name="locationVisibility">${KEEP}${LOCATION_VISIBILITIES.map((v) => html`<option value="${v}">${LOCATION_LABELS[v]}</option>`)}</select>
${view.albums.length ? html`<label for="batch-album">Add to album</label><select id="batch-album" name="albumId"><option value="" selected>— none —</option>${view.albums.map((a) => html`<option value="${String(a.id)}">${a.title}</option>`)}</select>` : null}
</fieldset>
<p><button type="submit" name="intent" value="apply" id="apply-batch">Apply to the selected photos</button></p>
<fieldset class="danger"><legend>Delete the selected photos</legend>
<label><input type="checkbox" name="confirmDelete" value="1" id="confirm-delete"> Yes, delete them and their files for good</label>
<button type="submit" name="intent" value="delete" id="delete-batch">Delete the selected photos</button>
</fieldset>
</form>
${list.nextCursor ? html`<nav class="pager"><a href="/organize?before=${list.nextCursor}" rel="next">Older photos →</a></nav>` : null}</section>`,
  });
}
