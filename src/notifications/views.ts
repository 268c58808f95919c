import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { momentOf } from "../web/time.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { NotificationRow } from "./repository.ts";

/** One readable line: "alice faved your photo Sunset"; the names and the title link where they lead. */
export function notificationLine(n: NotificationRow, m: Messages = english()): Html {
  const values = {
    username: n.actorUsername ?? m.t("notifications.someone"),
    title: n.photoId === null || n.photoOwnerUsername === null ? m.t("notifications.aPhoto") : n.photoTitle || m.t("photo.untitled"),
    groupName: n.groupSlug ? (n.groupName ?? n.groupSlug) : m.t("notifications.aGroup"),
  };
  const tags = {
    actor: (inner: Html) => (n.actorUsername ? html`<a href="/photos/${n.actorUsername}">${inner}</a>` : inner),
    photo: (inner: Html) => (n.photoId !== null && n.photoOwnerUsername !== null ? html`<a href="/photos/${n.photoOwnerUsername}/${String(n.photoId)}">${inner}</a>` : inner),
    group: (inner: Html) => (n.groupSlug ? html`<a href="/groups/${n.groupSlug}">${inner}</a>` : inner),
  };
  switch (n.kind) {
    case "fave":
      return m.rich("notifications.fave", tags, values);
    case "comment":
      return m.rich("notifications.comment", tags, values);
    case "note":
      return m.rich("notifications.note", tags, values);
    case "contact":
      return m.rich("notifications.contact", tags, values);
    case "group_invitation":
      return m.rich("notifications.groupInvitation", tags, values);
    case "group_add":
      return m.rich("notifications.groupAdd", tags, values);
  }
}

export function notificationsPage(view: { viewer: Viewer; csrfToken: string; messages?: Messages; items: NotificationRow[]; page: number; hasMore: boolean }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("notifications.title"),
    body: html`<section><h1>${m.t("notifications.title")}</h1>
${view.items.length === 0 ? html`<p class="empty">${m.t("notifications.empty")}</p>` : null}
<ul class="notifications">${view.items.map((n) => html`<li class="${n.read ? "read" : "unread"}">${notificationLine(n, m)} ${momentOf(n.createdAt, m)}</li>`)}</ul>
<nav class="pager">${view.page > 1 ? html`<a href="/notifications?page=${view.page - 1}" rel="prev">${m.t("notifications.newer")}</a> ` : null}${view.hasMore ? html`<a href="/notifications?page=${view.page + 1}" rel="next">${m.t("notifications.older")}</a>` : null}</nav></section>`,
  });
}
