import { html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { photoGrid } from "../photos/views.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { ExplorePage } from "./service.ts";

export function explorePage(view: { viewer: Viewer | null; csrfToken: string; messages?: Messages; explore: ExplorePage }): string {
  const m = view.messages ?? english();
  const { explore } = view;
  return page({
    ...view,
    messages: m,
    title: m.t("explore.title"),
    body: html`<section><h1>${m.t("explore.title")}</h1>
<p class="byline">${explore.day ? m.t("explore.introWithDay", { day: m.date(`${explore.day}T12:00:00Z`) }) : m.t("explore.intro")}</p>
${photoGrid(explore.photos, { messages: m })}
${explore.nextCursor ? html`<nav class="pager"><a href="/explore?after=${explore.nextCursor}" rel="next">${m.t("explore.more")}</a></nav>` : null}</section>`,
  });
}

/** Only the owner sees how often their photo was viewed. */
export function viewCountLine(count: number, m: Messages = english()) {
  return html`<p class="view-count" id="view-count">${m.t("explore.viewCount", { count })}</p>`;
}
