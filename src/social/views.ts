import { html, type Html } from "../web/html.ts";
import { feedDiscovery, feedLink } from "../web/feed-links.ts";
import { page } from "../web/layout.ts";
import { momentOf } from "../web/time.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid } from "../photos/views.ts";
import type { PhotoView } from "../photos/presenter.ts";
import { userText } from "../web/user-text.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { CommentRow } from "./comments-repository.ts";
import type { FaverRow } from "./faves-repository.ts";
import type { ContactRow } from "./repository.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language (see i18n/); English when absent. */
  messages?: Messages;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

const listFormats = new Map<string, Intl.ListFormat>();

/** Items as the language lists them ("a, b and c", "a、b、c"), each item drawn as it comes. */
function listOf(items: Html[], m: Messages): Html {
  let format = listFormats.get(m.locale);
  if (!format) listFormats.set(m.locale, (format = new Intl.ListFormat(m.locale, { type: "conjunction" })));
  // Placeholders that no language's list pattern contains stand for the items.
  const parts = format.formatToParts(items.map((_, i) => `\u0000${i}\u0000`));
  return html`${parts.map((part) => (part.type === "element" ? (items[Number(part.value.slice(1, -1))] ?? null) : part.value))}`;
}

export interface PhotoSocialView extends Shell {
  photoId: string;
  pagePath: string;
  isOwner: boolean;
  faveCount: number;
  favers: FaverRow[];
  viewerFaved: boolean;
  comments: CommentRow[];
  commentsPage: number;
  moreComments: boolean;
}

/** Faves and comments below a photo; every action is a plain form, so it works without scripts. */
export function photoSocialSection(view: PhotoSocialView): Html {
  const m = view.messages ?? english();
  const { viewer, csrfToken, pagePath } = view;
  const others = view.faveCount - view.favers.length;
  const faveButton = viewer
    ? html`<form method="post" action="${pagePath}/${view.viewerFaved ? "unfave" : "fave"}" class="inline">${csrfField(csrfToken)}<button type="submit" id="fave-button">${view.viewerFaved ? m.t("social.unfave") : m.t("social.fave")}</button></form>`
    : null;
  const faverLinks = [...view.favers.map((f) => html`<a href="/photos/${f.username}">${f.username}</a>`), ...(others > 0 ? [html`${m.t("social.faversMore", { count: others })}`] : [])];
  const favers = view.favers.length ? html` ${m.rich("social.favedBy", { people: () => listOf(faverLinks, m) })}` : null;
  return html`<section class="photo-social" id="faves">
<p class="faves">${faveButton} <span id="fave-count">${m.t("social.faveCount", { count: view.faveCount })}</span>${favers}</p>
</section>
<section class="comments" id="comments">
<h2>${m.t("social.comments")}</h2>
${view.comments.length === 0 ? html`<p class="empty">${m.t("social.noComments")}</p>` : null}
<ol class="comment-list">${view.comments.map(
    (c) => html`<li class="comment" id="comment-${c.id}"><p class="comment-meta">${c.importedAuthor ? html`${c.importedAuthor} <small>${m.rich("social.importedBy", { link: (inner) => html`<a href="/photos/${c.authorUsername}">${inner}</a>` }, { username: c.authorUsername })}</small>` : html`<a href="/photos/${c.authorUsername}">${c.authorUsername}</a>`} · ${momentOf(c.createdAt, m)}${c.updatedAt !== c.createdAt ? ` ${m.t("social.edited")}` : ""}</p>
<p class="comment-body">${userText(c.body)}</p>
${viewer && viewer.id === c.authorId ? html`<a href="/comments/${c.id}/edit">${m.t("social.editComment")}</a> ` : null}${viewer && (viewer.id === c.authorId || view.isOwner) ? html`<form method="post" action="/comments/${c.id}/delete" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">${m.t("social.deleteComment")}</button></form>` : null}</li>`,
  )}</ol>
<nav class="pager">${view.commentsPage > 1 ? html`<a href="${pagePath}?comments=${view.commentsPage - 1}#comments" rel="prev">${m.t("social.earlierComments")}</a> ` : null}${view.moreComments ? html`<a href="${pagePath}?comments=${view.commentsPage + 1}#comments" rel="next">${m.t("social.laterComments")}</a>` : null}</nav>
${viewer
    ? html`<form method="post" action="${pagePath}/comments" class="comment-form">${csrfField(csrfToken)}<label for="comment-text">${m.t("social.addComment")}</label><textarea id="comment-text" name="text" maxlength="5000" required></textarea><button type="submit">${m.t("social.postComment")}</button></form>`
    : html`<p>${m.rich("social.logInToComment", { link: (inner) => html`<a href="/login?next=${encodeURIComponent(pagePath)}">${inner}</a>` })}</p>`}
</section>`;
}

function pager(basePath: string, current: number, hasMore: boolean, m: Messages): Html {
  return html`<nav class="pager">${current > 1 ? html`<a href="${basePath}?page=${current - 1}" rel="prev">${m.t("social.newer")}</a> ` : null}${hasMore ? html`<a href="${basePath}?page=${current + 1}" rel="next">${m.t("social.older")}</a>` : null}</nav>`;
}

export function favoritesPage(view: Shell & { username: string; photos: PhotoView[]; page: number; hasMore: boolean }): string {
  const m = view.messages ?? english();
  const name = { username: view.username };
  return page({
    ...view,
    messages: m,
    title: m.t("social.favesTitle", name),
    head: feedDiscovery([{ path: `/photos/${view.username}/favorites/feed`, title: m.t("social.favesTitle", name) }]),
    body: html`<section><h1>${m.t("social.favesTitle", name)}</h1><p><a href="/photos/${view.username}">${m.t("stream.title", name)}</a> ${feedLink(`/photos/${view.username}/favorites/feed`, m)}</p>
${photoGrid(view.photos, { messages: m })}${pager(`/photos/${view.username}/favorites`, view.page, view.hasMore, m)}</section>`,
  });
}

export function contactsPage(view: Shell & { username: string; contacts: ContactRow[]; page: number; hasMore: boolean }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("social.contactsTitle"),
    body: html`<section><h1>${m.t("social.peopleYouFollow")}</h1>
${view.contacts.length === 0 ? html`<p class="empty">${m.t("social.noContacts")}</p>` : null}
<ul class="contacts">${view.contacts.map(
      (c) => html`<li><a href="/photos/${c.username}">${c.username}</a>${c.isFriend ? html` <span class="badge">${m.t("social.friendBadge")}</span>` : null}${c.isFamily ? html` <span class="badge">${m.t("social.familyBadge")}</span>` : null}</li>`,
    )}</ul>
${pager(`/people/${view.username}/contacts`, view.page, view.hasMore, m)}</section>`,
  });
}

/** Follow, friend/family and block controls on another member's photostream. */
export function memberControls(view: { csrfToken: string; username: string; contact: { isFriend: boolean; isFamily: boolean } | null; blocking: boolean; messages?: Messages }): Html {
  const m = view.messages ?? english();
  const base = `/people/${view.username}`;
  const csrf = csrfField(view.csrfToken);
  const follow = view.blocking
    ? null
    : view.contact
      ? html`<form method="post" action="${base}/unfollow" class="inline">${csrf}<button type="submit" id="follow-button">${m.t("social.unfollow")}</button></form>
<form method="post" action="${base}/contact" class="inline contact-flags">${csrf}<label><input type="checkbox" name="friend" value="on"${view.contact.isFriend ? html` checked` : null}> ${m.t("social.friend")}</label> <label><input type="checkbox" name="family" value="on"${view.contact.isFamily ? html` checked` : null}> ${m.t("social.family")}</label> <button type="submit">${m.t("form.save")}</button></form>`
      : html`<form method="post" action="${base}/follow" class="inline">${csrf}<button type="submit" id="follow-button">${m.t("social.follow")}</button></form>`;
  const block = html`<form method="post" action="${base}/${view.blocking ? "unblock" : "block"}" class="inline">${csrf}<button type="submit" id="block-button" class="link">${view.blocking ? m.t("social.unblock") : m.t("social.block")}</button></form>`;
  return html`<div class="member-controls">${follow} ${block} <a href="/photos/${view.username}/favorites">${m.t("social.faves")}</a></div>`;
}

/** On the member's own photostream: links to whom they follow and their faves. */
export function ownControls(username: string, m: Messages = english()): Html {
  return html`<div class="member-controls"><a href="/people/${username}/contacts">${m.t("social.peopleYouFollow")}</a> · <a href="/photos/${username}/favorites">${m.t("social.yourFaves")}</a></div>`;
}

export function visitorControls(username: string, m: Messages = english()): Html {
  return html`<div class="member-controls"><a href="/photos/${username}/favorites">${m.t("social.faves")}</a></div>`;
}

export function editCommentPage(view: Shell & { comment: CommentRow; message?: string; text?: string }): string {
  const m = view.messages ?? english();
  const { comment } = view;
  const photoPath = `/photos/${comment.photoOwnerUsername}/${comment.photoId}`;
  return page({
    ...view,
    messages: m,
    title: m.t("social.editCommentTitle"),
    body: html`<section><h1>${m.t("social.editCommentTitle")}</h1>
${view.message ? html`<p class="error" role="alert">${view.message}</p>` : null}
<form method="post" action="/comments/${comment.id}/edit" class="comment-form">${csrfField(view.csrfToken)}<label for="comment-text">${m.t("social.yourComment")}</label><textarea id="comment-text" name="text" maxlength="5000" required>${view.text ?? comment.body}</textarea><button type="submit">${m.t("form.save")}</button> <a href="${photoPath}#comment-${comment.id}">${m.t("social.cancel")}</a></form></section>`,
  });
}
