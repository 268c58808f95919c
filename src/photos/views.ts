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
import { megabytes, type QuotaUsage } from "./quotas.ts";
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

const LOCATION_KEYS: Record<LocationVisibility, MessageKey> = {
  everyone: "location.everyone",
  contacts: "location.contacts",
  friends_and_family: "location.friendsAndFamily",
  private: "location.private",
};

function locationVisibilityOptions(chosen: LocationVisibility | null, m: Messages): Html {
  return html`${LOCATION_VISIBILITIES.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : null}>${m.t(LOCATION_KEYS[v])}</option>`)}`;
}

function locationVisibilitySelect(id: string, chosen: LocationVisibility, m: Messages): Html {
  return html`<select id="${id}" name="${id === "locationVisibility" ? "locationVisibility" : "visibility"}">${locationVisibilityOptions(chosen, m)}</select>`;
}

function locationForm(photo: PhotoView, csrfToken: string, m: Messages): Html {
  const action = `/photos/${photo.owner.username}/${photo.id}/location`;
  return html`<form method="post" action="${action}" class="stack" id="location-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
<fieldset><legend>${m.t("photoEdit.whereTaken")}</legend>
<label for="latitude">${m.t("photoEdit.latitude")}</label><input id="latitude" name="latitude" inputmode="decimal" value="${photo.location ? String(photo.location.latitude) : ""}">
<label for="longitude">${m.t("photoEdit.longitude")}</label><input id="longitude" name="longitude" inputmode="decimal" value="${photo.location ? String(photo.location.longitude) : ""}">
<label for="location-visibility">${m.t("photoEdit.locationWho")}</label>${locationVisibilitySelect("location-visibility", photo.location?.visibility ?? "private", m)}
<small>${m.t("photoEdit.locationHint")}</small></fieldset>
<button type="submit">${m.t("photoEdit.saveLocation")}</button>
</form>`;
}

const VISIBILITY_KEYS: Record<string, MessageKey> = {
  public: "visibility.public",
  friends_and_family: "visibility.friendsAndFamily",
  friends: "visibility.friends",
  family: "visibility.family",
  private: "visibility.private",
};


function visibilityLabel(visibility: string, m: Messages): string {
  const key = VISIBILITY_KEYS[visibility];
  return key ? m.t(key) : visibility;
}

const LICENSE_KEYS: Record<LicenseId, MessageKey> = {
  "all-rights-reserved": "license.allRightsReserved",
  "cc-by-4.0": "license.ccBy",
  "cc-by-sa-4.0": "license.ccBySa",
  "cc-by-nd-4.0": "license.ccByNd",
  "cc-by-nc-4.0": "license.ccByNc",
  "cc-by-nc-sa-4.0": "license.ccByNcSa",
  "cc-by-nc-nd-4.0": "license.ccByNcNd",
  "cc0-1.0": "license.cc0",
  "pdm-1.0": "license.publicDomainMark",
};

/** A licence's name in the page's language (the API and feeds keep licenses.ts's English names). */
export function licenseName(id: LicenseId, m: Messages): string {
  return m.t(LICENSE_KEYS[id]);
}

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

function editForm(photo: PhotoView, csrfToken: string, m: Messages): Html {
  const action = `/photos/${photo.owner.username}/${photo.id}`;
  return html`<details class="edit"><summary>${m.t("photoEdit.summary")}</summary>
<form method="post" action="${action}/edit" class="stack" id="edit-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
<label for="title">${m.t("form.title")}</label><input id="title" name="title" maxlength="255" value="${photo.title}">
<label for="description">${m.t("form.description")}</label><textarea id="description" name="description" rows="4" maxlength="10000">${photo.description}</textarea>
<label for="altText">${m.t("photoEdit.altText")}</label><textarea id="altText" name="altText" rows="2" maxlength="1000" aria-describedby="altText-help">${photo.altText}</textarea><small id="altText-help">${m.t("photoEdit.altTextHint")}</small>
<label for="tags">${m.t("form.tags")}</label><input id="tags" name="tags" value="${formatTags(photo.tags)}"><small>${m.t("form.tagsHint")}</small>
<label for="visibility">${m.t("photoEdit.whoCanSee")}</label><select id="visibility" name="visibility">${VISIBILITIES.map((v) => html`<option value="${v}"${v === photo.visibility ? html` selected` : null}>${visibilityLabel(v, m)}</option>`)}</select>
<label><input type="checkbox" id="restricted" name="restricted" value="1"${photo.restricted ? html` checked` : null}> ${m.t("form.restricted")}</label><small>${m.t("photoEdit.restrictedHint")}</small>
${licenseFields(photo.license.id, photo.downloadAllowed, m)}
<button type="submit">${m.t("form.save")}</button>
</form>
<form method="post" action="${action}/replace?_csrf=${encodeURIComponent(csrfToken)}" enctype="multipart/form-data" class="stack" id="replace-form">
<label for="replace-file">${m.t("photoEdit.replaceLabel")}</label><input type="file" id="replace-file" name="file" accept="image/*" required>
<small>${m.t("photoEdit.replaceHint")}</small>
<button type="submit">${m.t("photoEdit.replace")}</button>
</form>
<form method="post" action="${action}/delete" class="danger" id="delete-form" data-msg-confirm="${m.forScript("photoEdit.deleteConfirm")}">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="danger">${m.t("photoEdit.delete")}</button> <small>${m.t("photoEdit.deleteHint")}</small>
</form>
${locationForm(photo, csrfToken, m)}
${photo.originalUrl ? html`<p>${m.rich("photoEdit.downloadOriginal", { link: (inner) => html`<a href="${photo.originalUrl ?? ""}">${inner}</a>` }, { name: photo.originalName ?? "" })}</p>` : null}
</details>`;
}

function licenseFields(chosen: LicenseId, downloadAllowed: boolean, m: Messages): Html {
  return html`<label for="license">${m.t("license.label")}</label><select id="license" name="license">${LICENSES.map((l) => html`<option value="${l.id}"${l.id === chosen ? html` selected` : null}>${licenseName(l.id, m)}</option>`)}</select>
<label><input type="checkbox" id="downloadAllowed" name="downloadAllowed" value="1"${downloadAllowed ? html` checked` : null}> ${m.t("license.downloadAllowed")}</label>`;
}

function licenseLine(license: License, m: Messages): Html {
  const name = licenseName(license.id, m);
  const text = license.id === "all-rights-reserved" ? html`© ${name}` : html`${name}`;
  return html`<p class="license" id="license">${license.url ? html`<a href="${license.url}" rel="license">${text}</a>` : text}</p>`;
}

export function photoDefaultsPage(view: Shell & { defaults: PhotoDefaults; saved: boolean }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("photoDefaults.title"),
    body: html`<section class="settings"><h1>${m.t("photoDefaults.title")}</h1>
${view.saved ? html`<p class="alert" role="status">${m.t("photoDefaults.saved")}</p>` : null}
<p>${m.t("photoDefaults.intro")}</p>
<form method="post" action="/settings/photos" class="stack" id="photo-defaults">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
${licenseFields(view.defaults.license, view.defaults.downloadAllowed, m)}
<label for="locationVisibility">${m.t("photoDefaults.locationWho")}</label>${locationVisibilitySelect("locationVisibility", view.defaults.locationVisibility, m)}
<button type="submit">${m.t("form.save")}</button>
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
<p class="byline">${m.rich("photo.byline", { link: (inner) => html`<a href="${stream}">${inner}</a>` }, { username: photo.owner.username })}${photo.visibility !== "public" ? html` · <span class="badge">${visibilityLabel(photo.visibility, m)}</span>` : null}${photo.restricted ? html` · <span class="badge">${m.t("photo.restricted")}</span>` : null}</p>
${photo.hidden ? html`<p class="alert error" role="alert" id="hidden-notice">${m.t("photo.hiddenNotice")}</p>` : null}
${photo.description ? html`<p class="description">${photo.description}</p>` : null}
${photo.tags.length ? html`<ul class="tags" aria-label="${m.t("photo.tags")}">${photo.tags.map((raw, i) => html`<li><a href="/photos/tags/${photo.tagKeys[i] ?? ""}" rel="tag">${raw}</a></li>`)}</ul>` : null}
${exifList(photo, m)}
${licenseLine(photo.license, m)}
${photo.originalUrl && !photo.canEdit ? html`<p><a href="${photo.originalUrl}" id="download-original" download>${m.t("photo.downloadOriginal")}</a></p>` : null}
${photo.canEdit ? editForm(photo, view.csrfToken, m) : null}
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
      ? m.t("quota.bytesUnlimited", { mb: m.number(megabytes(quota.bytes)) })
      : m.t("quota.bytesOf", { mb: m.number(megabytes(quota.bytes)), limit: m.number(megabytes(quota.limits.bytes)) });
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
<label for="visibility">${m.t("upload.whoCanSee")}</label><select id="visibility" name="visibility">${VISIBILITIES.map((v) => html`<option value="${v}">${visibilityLabel(v, m)}</option>`)}</select>
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

/**
 * Months and days are the camera's own wall clock (takenAt as recorded), so they are written in
 * UTC, which leaves them as they are; the names come from Intl in the page's language.
 */
const UTC = { timeZone: "UTC" } as const;

function monthName(month: number, m: Messages): string {
  return m.date(Date.UTC(2000, month - 1, 1), { month: "long", ...UTC });
}

function monthAndYear(year: number, month: number, m: Messages): string {
  return m.date(Date.UTC(year, month - 1, 1), { month: "long", year: "numeric", ...UTC });
}

/** Monday to Sunday (1 January 2024 was a Monday). */
function weekdayNames(m: Messages): string[] {
  return Array.from({ length: 7 }, (_, i) => m.date(Date.UTC(2024, 0, 1 + i), { weekday: "short", ...UTC }));
}

function archiveCrumbs(username: string, period: string | null, m: Messages): Html {
  const base = `/photos/${username}/archives`;
  const parts: Html[] = [html`<a href="/photos/${username}">${username}</a>`, html`<a href="${base}">${m.t("stream.archives")}</a>`];
  if (period) {
    const [year, month] = period.split("-");
    parts.push(html`<a href="${base}/${year}">${year}</a>`);
    if (month && period.length > 7) parts.push(html`<a href="${base}/${year}/${month}">${monthName(Number(month), m)}</a>`);
  }
  return html`<nav class="crumbs" aria-label="${m.t("archives.crumbs")}">${parts.map((p, i) => html`${i ? " › " : ""}${p}`)}</nav>`;
}

export function archiveYearsPage(view: Shell & { username: string; archive: { periods: Array<{ period: string; count: number }>; undated: number } }): string {
  const m = view.messages ?? english();
  const base = `/photos/${view.username}/archives`;
  const { periods, undated } = view.archive;
  const title = m.t("archives.title", { username: view.username });
  return page({
    ...view,
    messages: m,
    title,
    body: html`<section class="archive"><h1>${title}</h1>
${archiveCrumbs(view.username, null, m)}
<p class="byline">${m.t("archives.byline")}</p>
${periods.length === 0 && undated === 0 ? html`<p class="empty">${m.t("grid.empty")}</p>` : null}
<ul class="archive-years" id="archive-years">${[...periods].reverse().map((p) => html`<li><a href="${base}/${p.period}">${p.period}</a> <span class="count">${m.t("archives.photoCount", { count: p.count })}</span></li>`)}</ul>
${undated > 0 ? html`<p><a href="${base}/undated" id="undated">${m.t("archives.undated", { count: undated })}</a></p>` : null}</section>`,
  });
}

export function archiveYearPage(view: Shell & { username: string; year: string; counts: Array<{ period: string; count: number }> }): string {
  const m = view.messages ?? english();
  const base = `/photos/${view.username}/archives/${view.year}`;
  const byMonth = new Map(view.counts.map((c) => [c.period.slice(5, 7), c.count]));
  const values = { username: view.username, year: view.year };
  return page({
    ...view,
    messages: m,
    title: m.t("archives.yearTitle", values),
    body: html`<section class="archive"><h1>${m.t("archives.yearHeading", values)}</h1>
${archiveCrumbs(view.username, view.year, m)}
<ol class="archive-months" id="archive-months">${Array.from({ length: 12 }, (_, i) => {
      const name = monthName(i + 1, m);
      const month = String(i + 1).padStart(2, "0");
      const count = byMonth.get(month) ?? 0;
      return html`<li>${count > 0 ? html`<a href="${base}/${month}">${name}</a> <span class="count">${m.t("archives.photoCount", { count })}</span>` : html`<span class="muted">${name}</span>`}</li>`;
    })}</ol></section>`,
  });
}

/** A month as a calendar, weeks from Monday, each day with its count and link; dates are the camera's own clock. */
function monthCalendar(username: string, period: string, counts: Array<{ period: string; count: number }>, m: Messages): Html {
  const [year, month] = period.split("-").map(Number) as [number, number];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const leading = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  const byDay = new Map(counts.map((c) => [Number(c.period.slice(8, 10)), c.count]));
  const cells: Html[] = Array.from({ length: leading }, () => html`<td></td>`);
  for (let day = 1; day <= days; day++) {
    const count = byDay.get(day) ?? 0;
    const dd = String(day).padStart(2, "0");
    const label = () => m.t("archives.dayLabel", { date: m.date(Date.UTC(year, month - 1, day), { day: "numeric", month: "long", ...UTC }), count });
    cells.push(count > 0 ? html`<td class="has-photos"><a href="/photos/${username}/archives/${period.slice(0, 4)}/${period.slice(5, 7)}/${dd}" aria-label="${label()}">${m.number(day)}</a><small>${m.number(count)}</small></td>` : html`<td>${m.number(day)}</td>`);
  }
  while (cells.length % 7) cells.push(html`<td></td>`);
  const weeks: Html[] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(html`<tr>${cells.slice(i, i + 7)}</tr>`);
  return html`<table class="calendar" id="calendar"><caption>${monthAndYear(year, month, m)}</caption><thead><tr>${weekdayNames(m).map((d) => html`<th scope="col">${d}</th>`)}</tr></thead><tbody>${weeks}</tbody></table>`;
}

function periodWords(username: string, period: string | null, m: Messages): { title: string; heading: string } {
  if (period === null) return { title: m.t("archives.undatedTitle", { username }), heading: m.t("archives.undatedHeading", { username }) };
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  if (period.length === 7) {
    const values = { username, month: monthAndYear(year, month, m) };
    return { title: m.t("archives.monthTitle", values), heading: m.t("archives.monthHeading", values) };
  }
  const values = { username, date: m.date(Date.UTC(year, month - 1, Number(period.slice(8, 10))), { dateStyle: "long", ...UTC }) };
  return { title: m.t("archives.dayTitle", values), heading: m.t("archives.dayHeading", values) };
}

export function archivePeriodPage(view: Shell & { username: string; period: string | null; counts: Array<{ period: string; count: number }> | null; list: PhotoPage }): string {
  const m = view.messages ?? english();
  const { period } = view;
  const words = periodWords(view.username, period, m);
  const path = `/photos/${view.username}/archives/${period === null ? "undated" : period.replaceAll("-", "/")}`;
  return page({
    ...view,
    messages: m,
    title: words.title,
    body: html`<section class="archive"><h1>${words.heading}</h1>
${archiveCrumbs(view.username, period, m)}
${period !== null && view.counts ? monthCalendar(view.username, period, view.counts, m) : null}
${photoGrid(view.list.photos, { messages: m })}${pager(view.list, path, m)}</section>`,
  });
}

export function cameraPage(view: Shell & { model: string; list: PhotoPage }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("camera.title", { model: view.model }),
    body: html`<section><h1>${m.t("camera.heading", { model: view.model })}</h1>${photoGrid(view.list.photos, { messages: m })}${pager(view.list, `/cameras/${encodeURIComponent(view.model)}`, m)}</section>`,
  });
}

/** The words organize.js shows, in the page's language (scripts carry no text of their own). */
function organizeScriptMessages(m: Messages): Html {
  const keys: Array<[string, MessageKey, string?]> = [
    ["none", "organizeScript.none"],
    ["selected", "organizeScript.selected", "count"],
    ["select-first", "organizeScript.selectFirst"],
    ["confirm-delete", "organizeScript.confirmDelete", "count"],
  ];
  return html`${keys.map(([name, key, plural]) => html` data-msg-${name}="${m.forScript(key, plural)}"`)}`;
}

/** Flickr's Organizr: pick photos from a page of one's own, then change them all at once. */
export function organizePage(view: Shell & { list: PhotoPage; albums: Array<{ id: number; title: string }>; before: string | null; done: { count: number; deleted: boolean } | null }): string {
  const m = view.messages ?? english();
  const { list, done } = view;
  const keep = html`<option value="" selected>${m.t("organize.keep")}</option>`;
  const doneLine = done ? html`<p class="notice" role="status" id="organize-done">${m.t(done.deleted ? "organize.deleted" : "organize.changed", { count: done.count })}</p>` : null;
  const tiles = list.photos.map((photo) => {
    const thumb = pick(photo.sizes, 240);
    return html`<li class="${aspectClass(photo.width, photo.height)}"><input type="checkbox" class="pick" name="photoIds" value="${photo.id}" id="pick-${photo.id}"><label for="pick-${photo.id}"><img src="${thumb?.url ?? ""}" width="${thumb?.width ?? photo.width}" height="${thumb?.height ?? photo.height}" alt="${altText(photo)}" loading="lazy" decoding="async"></label></li>`;
  });
  return page({
    ...view,
    messages: m,
    title: m.t("organize.title"),
    scripts: ["organize.js"],
    body: html`<section><h1>${m.t("organize.title")}</h1>
${doneLine}
<form method="post" action="/organize" id="organize-form" class="organize" ${organizeScriptMessages(m)}>
<input type="hidden" name="_csrf" value="${view.csrfToken}">
${view.before ? html`<input type="hidden" name="before" value="${view.before}">` : null}
<p class="organize-bar"><span id="selected-count" aria-live="polite">${m.t("organize.hint")}</span>
<button type="button" class="link" id="select-all" hidden>${m.t("organize.selectAll")}</button> <button type="button" class="link" id="select-none" hidden>${m.t("organize.selectNone")}</button></p>
${list.photos.length === 0 ? html`<p class="empty">${m.t("grid.empty")}</p>` : html`<ul class="jg organize-grid">${tiles}</ul>`}
<fieldset><legend>${m.t("organize.changeLegend")}</legend>
<label for="addTags">${m.t("organize.addTags")}</label><input id="addTags" name="addTags" placeholder="${m.t("organize.addTagsExample")}">
<label for="removeTags">${m.t("organize.removeTags")}</label><input id="removeTags" name="removeTags">
<label for="batch-visibility">${m.t("upload.whoCanSee")}</label><select id="batch-visibility" name="visibility">${keep}${VISIBILITIES.map((v) => html`<option value="${v}">${visibilityLabel(v, m)}</option>`)}</select>
<label for="batch-restricted">${m.t("organize.restricted")}</label><select id="batch-restricted" name="restricted">${keep}<option value="yes">${m.t("photo.restricted")}</option><option value="no">${m.t("organize.notRestricted")}</option></select>
<label for="batch-license">${m.t("license.label")}</label><select id="batch-license" name="license">${keep}${LICENSES.map((l) => html`<option value="${l.id}">${licenseName(l.id, m)}</option>`)}</select>
<label for="batch-location">${m.t("exif.location")}</label><select id="batch-location" name="location"><option value="keep" selected>${m.t("organize.keep")}</option><option value="set">${m.t("organize.locationSet")}</option><option value="remove">${m.t("organize.locationRemove")}</option></select>
<label for="batch-latitude">${m.t("photoEdit.latitude")}</label><input id="batch-latitude" name="latitude" inputmode="decimal">
<label for="batch-longitude">${m.t("photoEdit.longitude")}</label><input id="batch-longitude" name="longitude" inputmode="decimal">
<label for="batch-location-visibility">${m.t("photoEdit.locationWho")}</label><select id="batch-location-visibility" name="locationVisibility">${keep}${locationVisibilityOptions(null, m)}</select>
${view.albums.length ? html`<label for="batch-album">${m.t("organize.addToAlbum")}</label><select id="batch-album" name="albumId"><option value="" selected>${m.t("organize.noAlbum")}</option>${view.albums.map((a) => html`<option value="${String(a.id)}">${a.title}</option>`)}</select>` : null}
</fieldset>
<p><button type="submit" name="intent" value="apply" id="apply-batch">${m.t("organize.apply")}</button></p>
<fieldset class="danger"><legend>${m.t("organize.delete")}</legend>
<label><input type="checkbox" name="confirmDelete" value="1" id="confirm-delete"> ${m.t("organize.confirmDelete")}</label>
<button type="submit" name="intent" value="delete" id="delete-batch">${m.t("organize.delete")}</button>
</fieldset>
</form>
${pager(list, "/organize", m)}</section>`,
  });
}
