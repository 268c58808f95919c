import { feedDiscovery } from "../web/feed-links.ts";
import { html, type Html } from "../web/html.ts";
import { userText } from "../web/user-text.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid, photoThumb } from "../photos/views.ts";
import type { PhotoView } from "../photos/presenter.ts";
import type { SmartRule } from "./rules.ts";
import type { AlbumPage, AlbumView, CollectionView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
}

function csrf(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function countLabel(n: number): string {
  return `${n} ${n === 1 ? "photo" : "photos"}`;
}

function albumPath(album: AlbumView): string {
  return `/photos/${album.owner.username}/albums/${album.id}`;
}

function albumCards(albums: AlbumView[]): Html {
  if (albums.length === 0) return html`<p class="empty">No albums here yet.</p>`;
  return html`<ul class="album-cards">${albums.map(
    (a) => html`<li class="album-card" data-album-id="${String(a.id)}"><a href="${albumPath(a)}">${a.cover ? photoThumb(a.cover) : html`<span class="no-cover"></span>`}<span class="album-title">${a.title}</span></a>
<span class="album-count">${countLabel(a.photoCount)}${a.smart ? html` · <span class="badge">smart</span>` : null}</span></li>`,
  )}</ul>`;
}

export function albumsPage(view: Shell & { username: string; albums: AlbumView[]; isOwner: boolean }): string {
  const create = view.isOwner
    ? html`<details class="create-album"><summary>New album</summary>
<form method="post" action="/albums/new" class="stack" id="new-album">${csrf(view.csrfToken)}
<label for="album-title">Title</label><input id="album-title" name="title" maxlength="255" required>
<label for="album-description">Description</label><textarea id="album-description" name="description" rows="3" maxlength="10000"></textarea>
<button type="submit">Create the album</button>
</form></details>
<details class="create-album"><summary>New smart album</summary>
<form method="post" action="/albums/new-smart" class="stack" id="new-smart-album">${csrf(view.csrfToken)}
<p><small>A smart album fills itself with your photos that match every criterion you give, now and as you add more.</small></p>
<label for="smart-title">Title</label><input id="smart-title" name="title" maxlength="255" required>
<label for="smart-description">Description</label><textarea id="smart-description" name="description" rows="2" maxlength="10000"></textarea>
${ruleFields(null, "smart")}
<button type="submit">Create the smart album</button>
</form></details>`
    : null;
  return page({
    ...view,
    title: `${view.username}'s albums`,
    body: html`<section><p><a href="/photos/${view.username}">${view.username}'s photostream</a> · <a href="/photos/${view.username}/collections">Collections</a></p>
<h1>${view.username}'s albums</h1>${create}${albumCards(view.albums)}</section>`,
  });
}

/** The criteria of a smart album, filled in from its rule when it has one; every field optional. */
function ruleFields(rule: SmartRule | null, prefix: string): Html {
  const id = (name: string) => `${prefix}-${name}`;
  const near = rule?.near;
  return html`<fieldset class="stack rule-fields"><legend>Photos that match</legend>
<label for="${id("tags")}">Tags</label><input id="${id("tags")}" name="tags" value="${(rule?.tags ?? []).join(" ")}"><small>Separate tags with spaces.</small>
<label for="${id("tagMode")}">Which tags</label><select id="${id("tagMode")}" name="tagMode"><option value="all"${rule?.tagMode !== "any" ? html` selected` : null}>All of them</option><option value="any"${rule?.tagMode === "any" ? html` selected` : null}>Any of them</option></select>
<label for="${id("takenFrom")}">Taken from</label><input type="date" id="${id("takenFrom")}" name="takenFrom" value="${rule?.takenFrom?.slice(0, 10) ?? ""}">
<label for="${id("takenTo")}">Taken until</label><input type="date" id="${id("takenTo")}" name="takenTo" value="${rule?.takenTo?.slice(0, 10) ?? ""}">
<label for="${id("camera")}">Camera model</label><input id="${id("camera")}" name="camera" maxlength="200" value="${rule?.camera ?? ""}">
<label for="${id("nearLatitude")}">Near latitude</label><input id="${id("nearLatitude")}" name="nearLatitude" inputmode="decimal" value="${near ? String(near.latitude) : ""}">
<label for="${id("nearLongitude")}">Near longitude</label><input id="${id("nearLongitude")}" name="nearLongitude" inputmode="decimal" value="${near ? String(near.longitude) : ""}">
<label for="${id("nearRadiusKm")}">Within (km)</label><input id="${id("nearRadiusKm")}" name="nearRadiusKm" inputmode="decimal" value="${near ? String(near.radiusKm) : ""}">
<label for="${id("minFaves")}">At least this many faves</label><input type="number" min="0" id="${id("minFaves")}" name="minFaves" value="${rule?.minFaves === undefined ? "" : String(rule.minFaves)}">
</fieldset>`;
}

function ownerControls(album: AlbumView, csrfToken: string, photos: PhotoView[]): Html {
  const base = `/albums/${album.id}`;
  const coverOptions = photos.map((p) => html`<option value="${p.id}"${album.cover?.id === p.id ? html` selected` : null}>${p.title || `Photo ${p.id}`}</option>`);
  return html`<details class="edit" id="album-edit"><summary>Edit this album</summary>
<form method="post" action="${base}/edit" class="stack" id="album-edit-form">${csrf(csrfToken)}
<label for="title">Title</label><input id="title" name="title" maxlength="255" required value="${album.title}">
<label for="description">Description</label><textarea id="description" name="description" rows="4" maxlength="10000">${album.description}</textarea>
${album.smart ? null : html`<label for="coverPhotoId">Cover</label><select id="coverPhotoId" name="coverPhotoId"><option value="">The first photo</option>${coverOptions}</select>`}
<button type="submit">Save</button></form>
${album.smart ? html`<form method="post" action="${base}/rule" class="stack" id="album-rule-form">${csrf(csrfToken)}${ruleFields(album.rule, "rule")}<button type="submit">Save the criteria</button></form>` : null}
<form method="post" action="${base}/delete" class="inline" id="album-delete">${csrf(csrfToken)}<button type="submit" class="danger">Delete this album</button> <small>Its photos stay in your photostream.</small></form>
</details>`;
}

function photoControls(album: AlbumView, csrfToken: string): (photo: PhotoView) => Html {
  const base = `/albums/${album.id}/photos`;
  return (photo) => html`<div class="album-photo-controls">
<form method="post" action="${base}/${photo.id}/move" class="inline move">${csrf(csrfToken)}<input type="hidden" name="direction" value="earlier"><button type="submit" class="move-earlier" aria-label="Move ${photo.title || `photo ${photo.id}`} earlier">◀</button></form>
<form method="post" action="${base}/${photo.id}/move" class="inline move">${csrf(csrfToken)}<input type="hidden" name="direction" value="later"><button type="submit" class="move-later" aria-label="Move ${photo.title || `photo ${photo.id}`} later">▶</button></form>
<form method="post" action="${base}/${photo.id}/remove" class="inline">${csrf(csrfToken)}<button type="submit" class="danger remove-from-album" aria-label="Remove ${photo.title || `photo ${photo.id}`} from the album">✕</button></form>
</div>`;
}

export function albumPage(view: Shell & { page: AlbumPage; previewHead?: Html }): string {
  const { album, photos, nextCursor } = view.page;
  const canReorder = album.canEdit && !album.smart;
  const pager = nextCursor ? html`<nav class="pager"><a href="${albumPath(album)}?before=${nextCursor}" rel="next">More photos →</a></nav>` : null;
  const grid = photoGrid(photos, canReorder ? { id: "album-photos", controls: photoControls(album, view.csrfToken) } : { id: "album-photos" });
  return page({
    ...view,
    title: `${album.title} | ${album.owner.username}`,
    scripts: canReorder ? ["album-order.js"] : [],
    head: html`${feedDiscovery([{ path: `${albumPath(album)}/feed`, title: `${album.title} by ${album.owner.username}` }])}${view.previewHead ?? null}`,
    body: html`<section class="album-page" id="album" data-album-id="${String(album.id)}"${nextCursor ? html` data-partial="1"` : null}>
<p><a href="/photos/${album.owner.username}/albums">${album.owner.username}'s albums</a></p>
<h1>${album.title}</h1>
<p class="byline">${countLabel(album.photoCount)}${album.smart ? html` · <span class="badge">smart album</span>` : null}</p>
${album.description ? html`<p class="description">${userText(album.description)}</p>` : null}
${album.canEdit ? ownerControls(album, view.csrfToken, photos) : null}
${canReorder && photos.length > 1 ? html`<p class="help" id="reorder-help">Drag photos to reorder them, or use ◀ and ▶ to move one a place.</p><p id="album-status" role="status" aria-live="polite"></p>` : null}
${grid}${pager}</section>`,
  });
}

export function collectionsPage(view: Shell & { username: string; collections: CollectionView[]; isOwner: boolean; ownAlbums: AlbumView[] }): string {
  const list = view.collections.length
    ? html`<ul class="collections">${view.collections.map(
        (c) => html`<li><a href="/photos/${c.owner.username}/collections/${c.id}">${c.title}</a> · ${c.albums.length} ${c.albums.length === 1 ? "album" : "albums"}</li>`,
      )}</ul>`
    : html`<p class="empty">No collections here yet.</p>`;
  const create = view.isOwner ? html`<details class="create-collection"><summary>New collection</summary>${collectionForm("/collections/new", view.csrfToken, view.ownAlbums, null)}</details>` : null;
  return page({
    ...view,
    title: `${view.username}'s collections`,
    body: html`<section><p><a href="/photos/${view.username}">${view.username}'s photostream</a> · <a href="/photos/${view.username}/albums">Albums</a></p><h1>${view.username}'s collections</h1>${create}${list}</section>`,
  });
}

function collectionForm(action: string, csrfToken: string, ownAlbums: AlbumView[], current: CollectionView | null): Html {
  const chosen = new Set((current?.albums ?? []).map((a) => a.id));
  return html`<form method="post" action="${action}" class="stack collection-form">${csrf(csrfToken)}
<label for="collection-title">Title</label><input id="collection-title" name="title" maxlength="255" required value="${current?.title ?? ""}">
<label for="collection-description">Description</label><textarea id="collection-description" name="description" rows="3" maxlength="10000">${current?.description ?? ""}</textarea>
<fieldset><legend>Albums</legend>${ownAlbums.map((a) => html`<label><input type="checkbox" name="albumIds" value="${String(a.id)}"${chosen.has(a.id) ? html` checked` : null}> ${a.title}</label>`)}</fieldset>
<button type="submit">Save</button></form>`;
}

export function collectionPage(view: Shell & { collection: CollectionView; ownAlbums: AlbumView[] }): string {
  const c = view.collection;
  const edit = c.canEdit
    ? html`<details class="edit"><summary>Edit this collection</summary>${collectionForm(`/collections/${c.id}/edit`, view.csrfToken, view.ownAlbums, c)}
<form method="post" action="/collections/${c.id}/delete" class="inline" id="collection-delete">${csrf(view.csrfToken)}<button type="submit" class="danger">Delete this collection</button> <small>Its albums stay.</small></form></details>`
    : null;
  return page({
    ...view,
    title: `${c.title} | ${c.owner.username}`,
    body: html`<section class="collection-page"><p><a href="/photos/${c.owner.username}/collections">${c.owner.username}'s collections</a></p>
<h1>${c.title}</h1>${c.description ? html`<p class="description">${userText(c.description)}</p>` : null}${edit}${albumCards(c.albums)}</section>`,
  });
}

/** The photo page's part: the albums holding the photo, and for its owner the form that adds it to one. */
export function photoAlbumsSection(view: {
  photoId: string;
  ownerUsername: string;
  pagePath: string;
  csrfToken: string;
  holding: Array<{ id: number; title: string }>;
  canAddTo: Array<{ id: number; title: string }> | null;
}): Html | null {
  if (view.holding.length === 0 && view.canAddTo === null) return null;
  const holding = view.holding.length
    ? html`<p id="in-albums">In albums: ${view.holding.map((a, i) => html`${i > 0 ? ", " : ""}<a href="/photos/${view.ownerUsername}/albums/${a.id}">${a.title}</a>`)}</p>`
    : null;
  const add =
    view.canAddTo === null
      ? null
      : html`${view.canAddTo.length
          ? html`<form method="post" action="/albums/add" class="inline" id="add-to-album">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="album-id">Add to album</label> <select id="album-id" name="albumId">${view.canAddTo.map((a) => html`<option value="${String(a.id)}">${a.title}</option>`)}</select> <button type="submit">Add</button></form>`
          : null}
<form method="post" action="/albums/new" class="inline" id="new-album-with-photo">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="new-album-title">New album with this photo</label> <input id="new-album-title" name="title" maxlength="255" required> <button type="submit">Create</button></form>`;
  return html`<section class="photo-albums" id="photo-albums">${holding}${add}</section>`;
}
