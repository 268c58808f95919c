import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { momentOf } from "../web/time.ts";
import { photoGrid } from "../photos/views.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { ActivityEvent, ActivityPage } from "./service.ts";

function describe(event: ActivityEvent, m: Messages): Html {
  const values = {
    username: event.actor.username,
    title: event.photo.title || m.t("photo.untitled"),
    groupName: event.group?.name ?? m.t("activity.aGroup"),
    text: event.text ?? "",
  };
  const tags = {
    actor: (inner: Html) => html`<a href="/photos/${event.actor.username}">${inner}</a>`,
    photo: (inner: Html) => html`<a href="${event.photo.pageUrl}">${inner}</a>`,
    group: (inner: Html) => (event.group ? html`<a href="/groups/${event.group.slug}">${inner}</a>` : inner),
    quote: (inner: Html) => html`<q>${inner}</q>`,
  };
  switch (event.kind) {
    case "fave":
      return m.rich("activity.fave", tags, values);
    case "comment":
      return m.rich("activity.comment", tags, values);
    case "note":
      return m.rich("activity.note", tags, values);
    case "group_add":
      return m.rich("activity.groupAdd", tags, values);
  }
}

export function activityPage(view: { viewer: Viewer | null; csrfToken: string; messages?: Messages; activity: ActivityPage; page: number }): string {
  const m = view.messages ?? english();
  const { activity } = view;
  return page({
    ...view,
    messages: m,
    title: m.t("activity.title"),
    body: html`<section class="activity"><h1>${m.t("activity.title")}</h1>
<h2>${m.t("activity.contactPhotos")}</h2>
<div id="contact-photos">${photoGrid(activity.contactPhotos, { messages: m })}</div>
<h2>${m.t("activity.onYourPhotos")}</h2>
${activity.onYourPhotos.length === 0
  ? html`<p class="empty">${m.t("activity.nothingYet")}</p>`
  : html`<ul class="activity-list" id="on-your-photos">${activity.onYourPhotos.map((e) => html`<li>${describe(e, m)} <small>${momentOf(e.at, m)}</small></li>`)}</ul>`}
${activity.nextPage ? html`<nav class="pager"><a href="/activity?page=${activity.nextPage}" rel="next">${m.t("activity.older")}</a></nav>` : null}</section>`,
  });
}
