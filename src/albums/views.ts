import { feedDiscovery } from "../web/feed-links.ts";
import { html, type Html } from "../web/html.ts";
import { userText } from "../web/user-text.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid, photoThumb } from "../photos/views.ts";
import type { PhotoView } from "../photos/presenter.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import type { SmartRule } from "./rules.ts";
import type { AlbumPage, AlbumView, CollectionView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language (request.messages()); English when absent. */
  messages?: Messages;
}

function csrf(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function albumPath(album: AlbumView): string {
  return `/photos/${album.owner.username}/albums/${album.id}`;
}

/** A photo as controls name it: its title, else its number. */
function photoName(photo: PhotoView, m: Messages): string {
  return photo.title || m.t("albums.photoNumber", { id: photo.id });
}

function albumCards(albums: AlbumView[], m: Messages): Html {
  if (albums.length === 0) return html`<p class="empty">${m.t("albums.none")}</p>`;
  return html`<ul class="album-cards">${albums.map(
    (a) => html`<li class="album-card" data-album-id="${String(a.id)}"><a href="${albumPath(a)}">${a.cover ? photoThumb(a.cover) : html`<span class="no-cover"></span>`}<span class="album-title">${a.title}</span></a>
<span class="album-count">${m.t("albums.photoCount", { count: a.photoCount })}${a.smart ? html` · <span class="badge">${m.t("albums.smartBadge")}</span>` : null}</span></li>`,
  )}</ul>`;
}

export function albumsPage(view: Shell & { username: string; albums: AlbumView[]; isOwner: boolean }): string {
  const m = view.messages ?? english();
  const name = { username: view.username };
  const create = view.isOwner
    ? html`<details class="create-album"><summary>${m.t("albums.newAlbum")}</summary>
<form method="post" action="/albums/new" class="stack" id="new-album">${csrf(view.csrfToken)}
<label for="album-title">${m.t("form.title")}</label><input id="album-title" name="title" maxlength="255" required>
<label for="album-description">${m.t("form.description")}</label><textarea id="album-description" name="description" rows="3" maxlength="10000"></textarea>
<button type="submit">${m.t("albums.createAlbum")}</button>
</form></details>
<details class="create-album"><summary>${m.t("albums.newSmart")}</summary>
<form method="post" action="/albums/new-smart" class="stack" id="new-smart-album">${csrf(view.csrfToken)}
<p><small>${m.t("albums.smartIntro")}</small></p>
<label for="smart-title">${m.t("form.title")}</label><input id="smart-title" name="title" maxlength="255" required>
<label for="smart-description">${m.t("form.description")}</label><textarea id="smart-description" name="description" rows="2" maxlength="10000"></textarea>
${ruleFields(null, "smart", m)}
<button type="submit">${m.t("albums.createSmart")}</button>
</form></details>`
    : null;
  return page({
    ...view,
    messages: m,
    title: m.t("albums.listTitle", name),
    body: html`<section><p><a href="/photos/${view.username}">${m.t("stream.title", name)}</a> · <a href="/photos/${view.username}/collections">${m.t("stream.collections")}</a></p>
<h1>${m.t("albums.listTitle", name)}</h1>${create}${albumCards(view.albums, m)}</section>`,
  });
}

/** The criteria of a smart album, filled in from its rule when it has one; every field optional. */
function ruleFields(rule: SmartRule | null, prefix: string, m: Messages): Html {
  const id = (name: string) => `${prefix}-${name}`;
  const near = rule?.near;
  return html`<fieldset class="stack rule-fields"><legend>${m.t("albums.ruleLegend")}</legend>
<label for="${id("tags")}">${m.t("form.tags")}</label><input id="${id("tags")}" name="tags" value="${(rule?.tags ?? []).join(" ")}"><small>${m.t("albums.tagsHint")}</small>
<label for="${id("tagMode")}">${m.t("albums.tagMode")}</label><select id="${id("tagMode")}" name="tagMode"><option value="all"${rule?.tagMode !== "any" ? html` selected` : null}>${m.t("albums.tagModeAll")}</option><option value="any"${rule?.tagMode === "any" ? html` selected` : null}>${m.t("albums.tagModeAny")}</option></select>
<label for="${id("takenFrom")}">${m.t("albums.takenFrom")}</label><input type="date" id="${id("takenFrom")}" name="takenFrom" value="${rule?.takenFrom?.slice(0, 10) ?? ""}">
<label for="${id("takenTo")}">${m.t("albums.takenTo")}</label><input type="date" id="${id("takenTo")}" name="takenTo" value="${rule?.takenTo?.slice(0, 10) ?? ""}">
<label for="${id("camera")}">${m.t("albums.camera")}</label><input id="${id("camera")}" name="camera" maxlength="200" value="${rule?.camera ?? ""}">
<label for="${id("nearLatitude")}">${m.t("albums.nearLatitude")}</label><input id="${id("nearLatitude")}" name="nearLatitude" inputmode="decimal" value="${near ? String(near.latitude) : ""}">
<label for="${id("nearLongitude")}">${m.t("albums.nearLongitude")}</label><input id="${id("nearLongitude")}" name="nearLongitude" inputmode="decimal" value="${near ? String(near.longitude) : ""}">
<label for="${id("nearRadiusKm")}">${m.t("albums.nearRadius")}</label><input id="${id("nearRadiusKm")}" name="nearRadiusKm" inputmode="decimal" value="${near ? String(near.radiusKm) : ""}">
<label for="${id("minFaves")}">${m.t("albums.minFaves")}</label><input type="number" min="0" id="${id("minFaves")}" name="minFaves" value="${rule?.minFaves === undefined ? "" : String(rule.minFaves)}">
</fieldset>`;
}

function ownerControls(album: AlbumView, csrfToken: string, photos: PhotoView[], m: Messages): Html {
  const base = `/albums/${album.id}`;
  const coverOptions = photos.map((p) => html`<option value="${p.id}"${album.cover?.id === p.id ? html` selected` : null}>${photoName(p, m)}</option>`);
  return html`<details class="edit" id="album-edit"><summary>${m.t("albums.edit")}</summary>
<form method="post" action="${base}/edit" class="stack" id="album-edit-form">${csrf(csrfToken)}
<label for="title">${m.t("form.title")}</label><input id="title" name="title" maxlength="255" required value="${album.title}">
<label for="description">${m.t("form.description")}</label><textarea id="description" name="description" rows="4" maxlength="10000">${album.description}</textarea>
${album.smart ? null : html`<label for="coverPhotoId">${m.t("albums.cover")}</label><select id="coverPhotoId" name="coverPhotoId"><option value="">${m.t("albums.coverFirst")}</option>${coverOptions}</select>`}
<button type="submit">${m.t("form.save")}</button></form>
${album.smart ? html`<form method="post" action="${base}/rule" class="stack" id="album-rule-form">${csrf(csrfToken)}${ruleFields(album.rule, "rule", m)}<button type="submit">${m.t("albums.saveRule")}</button></form>` : null}
<form method="post" action="${base}/delete" class="inline" id="album-delete">${csrf(csrfToken)}<button type="submit" class="danger">${m.t("albums.delete")}</button> <small>${m.t("albums.deleteHint")}</small></form>
</details>`;
}

function photoControls(album: AlbumView, csrfToken: string, m: Messages): (photo: PhotoView) => Html {
  const base = `/albums/${album.id}/photos`;
  return (photo) => {
    const name = { title: photoName(photo, m) };
    return html`<div class="album-photo-controls">
<form method="post" action="${base}/${photo.id}/move" class="inline move">${csrf(csrfToken)}<input type="hidden" name="direction" value="earlier"><button type="submit" class="move-earlier" aria-label="${m.t("albums.moveEarlier", name)}">◀</button></form>
<form method="post" action="${base}/${photo.id}/move" class="inline move">${csrf(csrfToken)}<input type="hidden" name="direction" value="later"><button type="submit" class="move-later" aria-label="${m.t("albums.moveLater", name)}">▶</button></form>
<form method="post" action="${base}/${photo.id}/remove" class="inline">${csrf(csrfToken)}<button type="submit" class="danger remove-from-album" aria-label="${m.t("albums.removePhoto", name)}">✕</button></form>
</div>`;
  };
}

/** The words album-order.js shows, in the page's language (scripts carry no text of their own). */
function orderScriptMessages(m: Messages): Html {
  const keys: Array<[string, MessageKey]> = [
    ["saving", "albums.orderSaving"],
    ["saved", "albums.orderSaved"],
    ["not-saved", "albums.orderNotSaved"],
    ["server-answered", "albums.orderServerAnswered"],
    ["already-first", "albums.alreadyFirst"],
    ["already-last", "albums.alreadyLast"],
  ];
  return html`${keys.map(([name, key]) => html` data-msg-${name}="${m.forScript(key)}"`)}`;
}

export function albumPage(view: Shell & { page: AlbumPage; previewHead?: Html }): string {
  const m = view.messages ?? english();
  const { album, photos, nextCursor } = view.page;
  const canReorder = album.canEdit && !album.smart;
  const pager = nextCursor ? html`<nav class="pager" aria-label="${m.t("pager.label")}"><a href="${albumPath(album)}?before=${nextCursor}" rel="next">${m.t("albums.more")}</a></nav>` : null;
  const grid = photoGrid(photos, canReorder ? { id: "album-photos", controls: photoControls(album, view.csrfToken, m), messages: m } : { id: "album-photos", messages: m });
  return page({
    ...view,
    messages: m,
    title: `${album.title} | ${album.owner.username}`,
    scripts: canReorder ? ["album-order.js"] : [],
    head: html`${feedDiscovery([{ path: `${albumPath(album)}/feed`, title: m.t("albums.feedTitle", { title: album.title, username: album.owner.username }) }])}${view.previewHead ?? null}`,
    body: html`<section class="album-page" id="album" data-album-id="${String(album.id)}"${nextCursor ? html` data-partial="1"` : null}${canReorder ? orderScriptMessages(m) : null}>
<p><a href="/photos/${album.owner.username}/albums">${m.t("albums.listTitle", { username: album.owner.username })}</a></p>
<h1>${album.title}</h1>
<p class="byline">${m.t("albums.photoCount", { count: album.photoCount })}${album.smart ? html` · <span class="badge">${m.t("albums.smartAlbumBadge")}</span>` : null}</p>
${album.description ? html`<p class="description">${userText(album.description)}</p>` : null}
${album.canEdit ? ownerControls(album, view.csrfToken, photos, m) : null}
${canReorder && photos.length > 1 ? html`<p class="help" id="reorder-help">${m.t("albums.reorderHelp")}</p><p id="album-status" role="status" aria-live="polite"></p>` : null}
${grid}${pager}</section>`,
  });
}

export function collectionsPage(view: Shell & { username: string; collections: CollectionView[]; isOwner: boolean; ownAlbums: AlbumView[] }): string {
  const m = view.messages ?? english();
  const name = { username: view.username };
  const list = view.collections.length
    ? html`<ul class="collections">${view.collections.map(
        (c) => html`<li><a href="/photos/${c.owner.username}/collections/${c.id}">${c.title}</a> · ${m.t("albums.albumCount", { count: c.albums.length })}</li>`,
      )}</ul>`
    : html`<p class="empty">${m.t("albums.noCollections")}</p>`;
  const create = view.isOwner ? html`<details class="create-collection"><summary>${m.t("albums.newCollection")}</summary>${collectionForm("/collections/new", view.csrfToken, view.ownAlbums, null, m)}</details>` : null;
  return page({
    ...view,
    messages: m,
    title: m.t("albums.collectionsTitle", name),
    body: html`<section><p><a href="/photos/${view.username}">${m.t("stream.title", name)}</a> · <a href="/photos/${view.username}/albums">${m.t("stream.albums")}</a></p><h1>${m.t("albums.collectionsTitle", name)}</h1>${create}${list}</section>`,
  });
}

function collectionForm(action: string, csrfToken: string, ownAlbums: AlbumView[], current: CollectionView | null, m: Messages): Html {
  const chosen = new Set((current?.albums ?? []).map((a) => a.id));
  return html`<form method="post" action="${action}" class="stack collection-form">${csrf(csrfToken)}
<label for="collection-title">${m.t("form.title")}</label><input id="collection-title" name="title" maxlength="255" required value="${current?.title ?? ""}">
<label for="collection-description">${m.t("form.description")}</label><textarea id="collection-description" name="description" rows="3" maxlength="10000">${current?.description ?? ""}</textarea>
<fieldset><legend>${m.t("stream.albums")}</legend>${ownAlbums.map((a) => html`<label><input type="checkbox" name="albumIds" value="${String(a.id)}"${chosen.has(a.id) ? html` checked` : null}> ${a.title}</label>`)}</fieldset>
<button type="submit">${m.t("form.save")}</button></form>`;
}

export function collectionPage(view: Shell & { collection: CollectionView; ownAlbums: AlbumView[] }): string {
  const m = view.messages ?? english();
  const c = view.collection;
  const edit = c.canEdit
    ? html`<details class="edit"><summary>${m.t("albums.editCollection")}</summary>${collectionForm(`/collections/${c.id}/edit`, view.csrfToken, view.ownAlbums, c, m)}
<form method="post" action="/collections/${c.id}/delete" class="inline" id="collection-delete">${csrf(view.csrfToken)}<button type="submit" class="danger">${m.t("albums.deleteCollection")}</button> <small>${m.t("albums.deleteCollectionHint")}</small></form></details>`
    : null;
  return page({
    ...view,
    messages: m,
    title: `${c.title} | ${c.owner.username}`,
    body: html`<section class="collection-page"><p><a href="/photos/${c.owner.username}/collections">${m.t("albums.collectionsTitle", { username: c.owner.username })}</a></p>
<h1>${c.title}</h1>${c.description ? html`<p class="description">${userText(c.description)}</p>` : null}${edit}${albumCards(c.albums, m)}</section>`,
  });
}

/** The photo page's part: the albums holding the photo, and for its owner the form that adds it to one. */
export function photoAlbumsSection(view: {
  photoId: string;
  ownerUsername: string;
  pagePath: string;
  csrfToken: string;
  messages?: Messages;
  holding: Array<{ id: number; title: string }>;
  canAddTo: Array<{ id: number; title: string }> | null;
}): Html | null {
  if (view.holding.length === 0 && view.canAddTo === null) return null;
  const m = view.messages ?? english();
  const links = html`${view.holding.map((a, i) => html`${i > 0 ? m.t("albums.listSeparator") : ""}<a href="/photos/${view.ownerUsername}/albums/${a.id}">${a.title}</a>`)}`;
  const holding = view.holding.length ? html`<p id="in-albums">${m.rich("albums.inAlbums", { list: () => links })}</p>` : null;
  const add =
    view.canAddTo === null
      ? null
      : html`${view.canAddTo.length
          ? html`<form method="post" action="/albums/add" class="inline" id="add-to-album">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="album-id">${m.t("albums.addTo")}</label> <select id="album-id" name="albumId">${view.canAddTo.map((a) => html`<option value="${String(a.id)}">${a.title}</option>`)}</select> <button type="submit">${m.t("albums.add")}</button></form>`
          : null}
<form method="post" action="/albums/new" class="inline" id="new-album-with-photo">${csrf(view.csrfToken)}<input type="hidden" name="photoId" value="${view.photoId}"><input type="hidden" name="next" value="${view.pagePath}">
<label for="new-album-title">${m.t("albums.newWithPhoto")}</label> <input id="new-album-title" name="title" maxlength="255" required> <button type="submit">${m.t("albums.create")}</button></form>`;
  return html`<section class="photo-albums" id="photo-albums">${holding}${add}</section>`;
}
