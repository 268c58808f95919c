import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { licenseName, photoGrid } from "../photos/views.ts";
import { LICENSES } from "../photos/licenses.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages, type MessageKey } from "../i18n/messages.ts";
import type { SearchParams, SearchResult } from "./service.ts";

type FormValues = Omit<SearchParams, "perPage" | "cursor">;

const TEXT_FIELDS: Array<[keyof FormValues, MessageKey, MessageKey]> = [
  ["user", "search.member", "search.memberHint"],
  ["tags", "search.tags", "search.tagsHint"],
  ["camera", "search.camera", "search.cameraHint"],
  ["bbox", "search.area", "search.areaHint"],
];

function select(name: keyof FormValues, label: string, current: string | undefined, options: Array<[string, string]>): Html {
  return html`<label>${label} <select name="${name}" id="search-${name}">${options.map(([value, text]) => html`<option value="${value}"${value === (current ?? "") ? html` selected` : null}>${text}</option>`)}</select></label>`;
}

function dateField(name: keyof FormValues, label: string, current: string | undefined): Html {
  return html`<label>${label} <input type="date" name="${name}" id="search-${name}" value="${current ?? ""}"></label>`;
}

/** The search form with every filter (a GET form: works without JavaScript), and a page of results. */
export function searchPage(view: { viewer: Viewer | null; csrfToken: string; messages?: Messages; values: FormValues; result: SearchResult | null; error: string | null; nextHref: string | null }): string {
  const m = view.messages ?? english();
  const v = view.values;
  const searched = view.result !== null;
  const form = html`<form method="get" action="/search" class="search-form" role="search" id="search-form">
<p><label for="search-q">${m.t("layout.search")}</label> <input type="search" name="q" id="search-q" value="${v.q ?? ""}" maxlength="500" placeholder="${m.t("search.placeholder")}"> <button type="submit">${m.t("layout.search")}</button></p>
<details${searched && Object.entries(v).some(([k, value]) => k !== "q" && k !== "sort" && value) ? html` open` : null}><summary>${m.t("search.filters")}</summary>
<p>${TEXT_FIELDS.map(([name, label, hint]) => html`<label>${m.t(label)} <input type="text" name="${name}" id="search-${name}" value="${v[name] ?? ""}" placeholder="${m.t(hint)}"></label> `)}</p>
<p>${select("tagMode", m.t("search.tagMode"), v.tagMode, [["all", m.t("search.tagModeAll")], ["any", m.t("search.tagModeAny")]])}
${select("license", m.t("search.license"), v.license, [["", m.t("search.any")], ...LICENSES.map((l): [string, string] => [l.id, licenseName(l.id, m)])])}
${select("hasLocation", m.t("search.location"), v.hasLocation, [["", m.t("search.either")], ["true", m.t("search.withLocation")], ["false", m.t("search.withoutLocation")]])}
${select("media", m.t("search.media"), v.media, [["all", m.t("search.mediaAll")], ["photos", m.t("search.mediaPhotos")], ["videos", m.t("search.mediaVideos")]])}</p>
<p>${dateField("takenFrom", m.t("search.takenFrom"), v.takenFrom)} ${dateField("takenTo", m.t("search.to"), v.takenTo)} ${dateField("uploadedFrom", m.t("search.uploadedFrom"), v.uploadedFrom)} ${dateField("uploadedTo", m.t("search.to"), v.uploadedTo)}</p>
</details>
<p>${select("sort", m.t("search.sort"), v.sort, [["", m.t("search.sortBest")], ["relevance", m.t("search.sortRelevance")], ["taken", m.t("search.sortTaken")], ["uploaded", m.t("search.sortUploaded")], ["interesting", m.t("search.sortInteresting")]])}</p>
</form>`;
  const results = view.error
    ? html`<p class="error" role="alert" id="search-error">${view.error}</p>`
    : view.result
      ? html`${photoGrid(view.result.photos, { messages: m })}${view.nextHref ? html`<nav class="pager" aria-label="${m.t("pager.label")}"><a href="${view.nextHref}" rel="next" id="search-next">${m.t("search.next")}</a></nav>` : null}`
      : null;
  return page({
    ...view,
    messages: m,
    title: v.q ? m.t("search.titleWithQuery", { query: v.q }) : m.t("layout.search"),
    body: html`<section><h1>${m.t("layout.search")}</h1>${form}${results}</section>`,
  });
}
