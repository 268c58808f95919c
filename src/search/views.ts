import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { photoGrid } from "../photos/views.ts";
import { LICENSES } from "../photos/licenses.ts";
import type { Viewer } from "../users/service.ts";
import type { SearchParams, SearchResult } from "./service.ts";

type FormValues = Omit<SearchParams, "perPage" | "cursor">;

const TEXT_FIELDS: Array<[keyof FormValues, string, string]> = [
  ["user", "Member", "username"],
  ["tags", "Tags", "comma or space separated"],
  ["camera", "Camera model", "as recorded, e.g. X100V"],
  ["bbox", "Area", "minLon,minLat,maxLon,maxLat"],
];

function select(name: keyof FormValues, label: string, current: string | undefined, options: Array<[string, string]>): Html {
  return html`<label>${label} <select name="${name}" id="search-${name}">${options.map(([value, text]) => html`<option value="${value}"${value === (current ?? "") ? html` selected` : null}>${text}</option>`)}</select></label>`;
}

function dateField(name: keyof FormValues, label: string, current: string | undefined): Html {
  return html`<label>${label} <input type="date" name="${name}" id="search-${name}" value="${current ?? ""}"></label>`;
}

/** The search form with every filter (a GET form: works without JavaScript), and a page of results. */
export function searchPage(view: { viewer: Viewer | null; csrfToken: string; values: FormValues; result: SearchResult | null; error: string | null; nextHref: string | null }): string {
  const v = view.values;
  const searched = view.result !== null;
  const form = html`<form method="get" action="/search" class="search-form" role="search" id="search-form">
<p><label for="search-q">Search</label> <input type="search" name="q" id="search-q" value="${v.q ?? ""}" maxlength="500" placeholder="Words in titles, descriptions, tags, usernames"> <button type="submit">Search</button></p>
<details${searched && Object.entries(v).some(([k, value]) => k !== "q" && k !== "sort" && value) ? html` open` : null}><summary>Filters</summary>
<p>${TEXT_FIELDS.map(([name, label, hint]) => html`<label>${label} <input type="text" name="${name}" id="search-${name}" value="${v[name] ?? ""}" placeholder="${hint}"></label> `)}</p>
<p>${select("tagMode", "Tags must", v.tagMode, [["all", "all match"], ["any", "any match"]])}
${select("license", "Licence", v.license, [["", "any"], ...LICENSES.map((l): [string, string] => [l.id, l.name])])}
${select("hasLocation", "Location", v.hasLocation, [["", "either"], ["true", "with a location"], ["false", "without"]])}
${select("media", "Media", v.media, [["all", "all"], ["photos", "photos"], ["videos", "videos"]])}</p>
<p>${dateField("takenFrom", "Taken from", v.takenFrom)} ${dateField("takenTo", "to", v.takenTo)} ${dateField("uploadedFrom", "Uploaded from", v.uploadedFrom)} ${dateField("uploadedTo", "to", v.uploadedTo)}</p>
</details>
<p>${select("sort", "Sort by", v.sort, [["", "best (relevance with words, else newest)"], ["relevance", "relevance"], ["taken", "date taken"], ["uploaded", "date uploaded"], ["interesting", "interesting"]])}</p>
</form>`;
  const results = view.error
    ? html`<p class="error" role="alert" id="search-error">${view.error}</p>`
    : view.result
      ? html`${photoGrid(view.result.photos)}${view.nextHref ? html`<nav class="pager"><a href="${view.nextHref}" rel="next" id="search-next">Next page →</a></nav>` : null}`
      : null;
  return page({
    ...view,
    title: v.q ? `Search: ${v.q}` : "Search",
    body: html`<section><h1>Search</h1>${form}${results}</section>`,
  });
}
