import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { photoGrid } from "../photos/views.ts";
import type { Viewer } from "../users/service.ts";
import type { ActivityEvent, ActivityPage } from "./service.ts";

function describe(event: ActivityEvent): Html {
  const who = html`<a href="/photos/${event.actor.username}">${event.actor.username}</a>`;
  const photo = html`<a href="${event.photo.pageUrl}">${event.photo.title || "Untitled"}</a>`;
  switch (event.kind) {
    case "fave":
      return html`${who} faved ${photo}`;
    case "comment":
      return html`${who} commented on ${photo}: <q>${event.text ?? ""}</q>`;
    case "note":
      return html`${who} added a note to ${photo}: <q>${event.text ?? ""}</q>`;
    case "group_add":
      return html`${who} added ${photo} to ${event.group ? html`<a href="/groups/${event.group.slug}">${event.group.name}</a>` : "a group"}`;
  }
}

export function activityPage(view: { viewer: Viewer | null; csrfToken: string; activity: ActivityPage; page: number }): string {
  const { activity } = view;
  return page({
    ...view,
    title: "Activity",
    body: html`<section class="activity"><h1>Activity</h1>
<h2>Recent photos from your contacts</h2>
<div id="contact-photos">${photoGrid(activity.contactPhotos)}</div>
<h2>Recent activity on your photos</h2>
${activity.onYourPhotos.length === 0
  ? html`<p class="empty">Nothing yet.</p>`
  : html`<ul class="activity-list" id="on-your-photos">${activity.onYourPhotos.map((e) => html`<li>${describe(e)} <small><time datetime="${e.at}">${e.at.slice(0, 16).replace("T", " ")}</time></small></li>`)}</ul>`}
${activity.nextPage ? html`<nav class="pager"><a href="/activity?page=${activity.nextPage}" rel="next">Older →</a></nav>` : null}</section>`,
  });
}
