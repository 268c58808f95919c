import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import type { NotificationRow } from "./repository.ts";

function photoLink(n: NotificationRow): Html {
  if (n.photoId === null || n.photoOwnerUsername === null) return html`a photo`;
  return html`<a href="/photos/${n.photoOwnerUsername}/${String(n.photoId)}">${n.photoTitle || "Untitled"}</a>`;
}

function groupLink(n: NotificationRow): Html {
  return n.groupSlug ? html`<a href="/groups/${n.groupSlug}">${n.groupName ?? n.groupSlug}</a>` : html`a group`;
}

/** One readable line: "alice faved your photo Sunset". */
export function notificationLine(n: NotificationRow): Html {
  const actor = n.actorUsername ? html`<a href="/photos/${n.actorUsername}">${n.actorUsername}</a>` : html`Someone`;
  switch (n.kind) {
    case "fave":
      return html`${actor} faved your photo ${photoLink(n)}`;
    case "comment":
      return html`${actor} commented on your photo ${photoLink(n)}`;
    case "note":
      return html`${actor} added a note to your photo ${photoLink(n)}`;
    case "contact":
      return html`${actor} added you as a contact`;
    case "group_invitation":
      return html`${actor} invited you to the group ${groupLink(n)}`;
    case "group_add":
      return html`${actor} added ${photoLink(n)} to the group ${groupLink(n)}`;
  }
}

export function notificationsPage(view: { viewer: Viewer; csrfToken: string; items: NotificationRow[]; page: number; hasMore: boolean }): string {
  return page({
    ...view,
    title: "Notifications",
    body: html`<section><h1>Notifications</h1>
${view.items.length === 0 ? html`<p class="empty">Nothing new. When members fave or comment on your photos, you will see it here.</p>` : null}
<ul class="notifications">${view.items.map(
      (n) => html`<li class="${n.read ? "read" : "unread"}">${notificationLine(n)} <time datetime="${new Date(n.createdAt).toISOString()}">${new Date(n.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC</time></li>`,
    )}</ul>
<nav class="pager">${view.page > 1 ? html`<a href="/notifications?page=${view.page - 1}" rel="prev">← Newer</a> ` : null}${view.hasMore ? html`<a href="/notifications?page=${view.page + 1}" rel="next">Older →</a>` : null}</nav></section>`,
  });
}
