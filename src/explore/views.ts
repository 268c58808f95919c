import { html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { photoGrid } from "../photos/views.ts";
import type { Viewer } from "../users/service.ts";
import type { ExplorePage } from "./service.ts";

export function explorePage(view: { viewer: Viewer | null; csrfToken: string; explore: ExplorePage }): string {
  const { explore } = view;
  return page({
    ...view,
    title: "Explore",
    body: html`<section><h1>Explore</h1>
<p class="byline">The most interesting public photos of the last seven days, ranked by faves, comments and views${explore.day ? html` (ranking of ${explore.day})` : null}.</p>
${photoGrid(explore.photos)}
${explore.nextCursor ? html`<nav class="pager"><a href="/explore?after=${explore.nextCursor}" rel="next">More →</a></nav>` : null}</section>`,
  });
}

/** Only the owner sees how often their photo was viewed. */
export function viewCountLine(count: number) {
  return html`<p class="view-count" id="view-count">${count.toLocaleString("en-US")} ${count === 1 ? "view" : "views"}</p>`;
}
