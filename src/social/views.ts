import { html, type Html } from "../web/html.ts";
import { feedDiscovery, feedLink } from "../web/feed-links.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { photoGrid } from "../photos/views.ts";
import type { PhotoView } from "../photos/presenter.ts";
import { userText } from "../web/user-text.ts";
import type { CommentRow } from "./comments-repository.ts";
import type { FaverRow } from "./faves-repository.ts";
import type { ContactRow } from "./repository.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function when(ms: number): Html {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
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
  const { viewer, csrfToken, pagePath } = view;
  const others = view.faveCount - view.favers.length;
  const faveButton = viewer
    ? html`<form method="post" action="${pagePath}/${view.viewerFaved ? "unfave" : "fave"}" class="inline">${csrfField(csrfToken)}<button type="submit" id="fave-button">${view.viewerFaved ? "Unfave" : "Fave"}</button></form>`
    : null;
  const favers = view.favers.length
    ? html` by ${view.favers.map((f, i) => html`${i > 0 ? ", " : ""}<a href="/photos/${f.username}">${f.username}</a>`)}${others > 0 ? html` and ${others} more` : null}`
    : null;
  return html`<section class="photo-social" id="faves">
<p class="faves">${faveButton} <span id="fave-count">${view.faveCount} ${view.faveCount === 1 ? "fave" : "faves"}</span>${favers}</p>
</section>
<section class="comments" id="comments">
<h2>Comments</h2>
${view.comments.length === 0 ? html`<p class="empty">No comments yet.</p>` : null}
<ol class="comment-list">${view.comments.map(
    (c) => html`<li class="comment" id="comment-${c.id}"><p class="comment-meta">${c.importedAuthor ? html`${c.importedAuthor} <small>(imported by <a href="/photos/${c.authorUsername}">${c.authorUsername}</a>)</small>` : html`<a href="/photos/${c.authorUsername}">${c.authorUsername}</a>`} · ${when(c.createdAt)}${c.updatedAt !== c.createdAt ? " (edited)" : ""}</p>
<p class="comment-body">${userText(c.body)}</p>
${viewer && viewer.id === c.authorId ? html`<a href="/comments/${c.id}/edit">Edit</a> ` : null}${viewer && (viewer.id === c.authorId || view.isOwner) ? html`<form method="post" action="/comments/${c.id}/delete" class="inline">${csrfField(csrfToken)}<button type="submit" class="link">Delete</button></form>` : null}</li>`,
  )}</ol>
<nav class="pager">${view.commentsPage > 1 ? html`<a href="${pagePath}?comments=${view.commentsPage - 1}#comments" rel="prev">← Earlier comments</a> ` : null}${view.moreComments ? html`<a href="${pagePath}?comments=${view.commentsPage + 1}#comments" rel="next">Later comments →</a>` : null}</nav>
${viewer
    ? html`<form method="post" action="${pagePath}/comments" class="comment-form">${csrfField(csrfToken)}<label for="comment-text">Add a comment</label><textarea id="comment-text" name="text" maxlength="5000" required></textarea><button type="submit">Post comment</button></form>`
    : html`<p><a href="/login?next=${encodeURIComponent(pagePath)}">Log in</a> to comment or fave.</p>`}
</section>`;
}

function pager(basePath: string, current: number, hasMore: boolean): Html {
  return html`<nav class="pager">${current > 1 ? html`<a href="${basePath}?page=${current - 1}" rel="prev">← Newer</a> ` : null}${hasMore ? html`<a href="${basePath}?page=${current + 1}" rel="next">Older →</a>` : null}</nav>`;
}

export function favoritesPage(view: Shell & { username: string; photos: PhotoView[]; page: number; hasMore: boolean }): string {
  return page({
    ...view,
    title: `${view.username}'s faves`,
    head: feedDiscovery([{ path: `/photos/${view.username}/favorites/feed`, title: `${view.username}'s faves` }]),
    body: html`<section><h1>${view.username}'s faves</h1><p><a href="/photos/${view.username}">${view.username}'s photostream</a> ${feedLink(`/photos/${view.username}/favorites/feed`)}</p>
${photoGrid(view.photos)}${pager(`/photos/${view.username}/favorites`, view.page, view.hasMore)}</section>`,
  });
}

export function contactsPage(view: Shell & { username: string; contacts: ContactRow[]; page: number; hasMore: boolean }): string {
  return page({
    ...view,
    title: "Your contacts",
    body: html`<section><h1>People you follow</h1>
${view.contacts.length === 0 ? html`<p class="empty">You follow nobody yet. Follow members from their photostreams.</p>` : null}
<ul class="contacts">${view.contacts.map(
      (c) => html`<li><a href="/photos/${c.username}">${c.username}</a>${c.isFriend ? html` <span class="badge">friend</span>` : null}${c.isFamily ? html` <span class="badge">family</span>` : null}</li>`,
    )}</ul>
${pager(`/people/${view.username}/contacts`, view.page, view.hasMore)}</section>`,
  });
}

/** Follow, friend/family and block controls on another member's photostream. */
export function memberControls(view: { csrfToken: string; username: string; contact: { isFriend: boolean; isFamily: boolean } | null; blocking: boolean }): Html {
  const base = `/people/${view.username}`;
  const csrf = csrfField(view.csrfToken);
  const follow = view.blocking
    ? null
    : view.contact
      ? html`<form method="post" action="${base}/unfollow" class="inline">${csrf}<button type="submit" id="follow-button">Unfollow</button></form>
<form method="post" action="${base}/contact" class="inline contact-flags">${csrf}<label><input type="checkbox" name="friend" value="on"${view.contact.isFriend ? html` checked` : null}> Friend</label> <label><input type="checkbox" name="family" value="on"${view.contact.isFamily ? html` checked` : null}> Family</label> <button type="submit">Save</button></form>`
      : html`<form method="post" action="${base}/follow" class="inline">${csrf}<button type="submit" id="follow-button">Follow</button></form>`;
  const block = html`<form method="post" action="${base}/${view.blocking ? "unblock" : "block"}" class="inline">${csrf}<button type="submit" id="block-button" class="link">${view.blocking ? "Unblock" : "Block"}</button></form>`;
  return html`<div class="member-controls">${follow} ${block} <a href="/photos/${view.username}/favorites">Faves</a></div>`;
}

/** On the member's own photostream: links to whom they follow and their faves. */
export function ownControls(username: string): Html {
  return html`<div class="member-controls"><a href="/people/${username}/contacts">People you follow</a> · <a href="/photos/${username}/favorites">Your faves</a></div>`;
}

export function visitorControls(username: string): Html {
  return html`<div class="member-controls"><a href="/photos/${username}/favorites">Faves</a></div>`;
}

export function editCommentPage(view: Shell & { comment: CommentRow; message?: string; text?: string }): string {
  const { comment } = view;
  const photoPath = `/photos/${comment.photoOwnerUsername}/${comment.photoId}`;
  return page({
    ...view,
    title: "Edit your comment",
    body: html`<section><h1>Edit your comment</h1>
${view.message ? html`<p class="error" role="alert">${view.message}</p>` : null}
<form method="post" action="/comments/${comment.id}/edit" class="comment-form">${csrfField(view.csrfToken)}<label for="comment-text">Your comment</label><textarea id="comment-text" name="text" maxlength="5000" required>${view.text ?? comment.body}</textarea><button type="submit">Save</button> <a href="${photoPath}#comment-${comment.id}">Cancel</a></form></section>`,
  });
}
