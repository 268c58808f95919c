import type { Viewer } from "../users/service.ts";
import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { english, type MessageKey, type Messages } from "../i18n/messages.ts";
import type { WebmentionPolicy, WebmentionRow } from "./repository.ts";

export function presentMention(m: WebmentionRow) {
  return {
    id: String(m.id),
    source: m.source,
    title: m.title,
    author: m.authorName || m.authorUrl ? { name: m.authorName, url: m.authorUrl } : null,
    status: m.status,
    verifiedAt: new Date(m.verifiedAt).toISOString(),
  };
}

/** The photo page's list of pages that link to it (Zooomr's trackbacks); the owner decides on pending ones. */
export function mentionsSection(mentions: WebmentionRow[], isOwner: boolean, csrfToken: string, m: Messages = english()): Html | null {
  if (mentions.length === 0) return null;
  const source = (mention: WebmentionRow, title: Html) => html`<a href="${mention.source}" rel="nofollow ugc noopener">${title}</a>`;
  const author = (mention: WebmentionRow, name: Html) => (mention.authorUrl ? html`<a href="${mention.authorUrl}" rel="nofollow ugc noopener">${name}</a>` : name);
  return html`<section class="webmentions" id="webmentions"><h2>${m.t("webmentions.linkedFrom")}</h2><ul>
${mentions.map((mention) => html`<li id="webmention-${String(mention.id)}">${mention.authorName ? m.rich("webmentions.byAuthor", { source: (title) => source(mention, title), author: (name) => author(mention, name) }, { title: mention.title, name: mention.authorName }) : source(mention, html`${mention.title}`)}
${isOwner && mention.status === "pending" ? html` <span class="badge">${m.t("webmentions.waiting")}</span>
<form method="post" action="/webmentions/${String(mention.id)}/approve" class="inline"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="link">${m.t("webmentions.show")}</button></form>` : null}
${isOwner ? html`<form method="post" action="/webmentions/${String(mention.id)}/delete" class="inline"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="link">${m.t("webmentions.remove")}</button></form>` : null}</li>`)}
</ul></section>`;
}

const POLICY_KEYS: Record<WebmentionPolicy, MessageKey> = {
  show: "webmentions.policyShow",
  approve: "webmentions.policyApprove",
  off: "webmentions.policyOff",
};

export function policyPage(view: { viewer: Viewer; csrfToken: string; messages?: Messages; policy: WebmentionPolicy; saved: boolean }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("webmentions.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="form-page"><h1>${m.t("webmentions.title")}</h1>
${view.saved ? html`<p class="alert notice" role="status">${m.t("webmentions.saved")}</p>` : null}
<p>${m.t("webmentions.intro")}</p>
<form method="post" action="/settings/webmentions" class="stack" id="webmention-settings">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<fieldset><legend>${m.t("webmentions.policyLegend")}</legend>
${(Object.keys(POLICY_KEYS) as WebmentionPolicy[]).map((p) => html`<label><input type="radio" name="policy" value="${p}"${p === view.policy ? html` checked` : null}> ${m.t(POLICY_KEYS[p])}</label>`)}
</fieldset>
<button type="submit">${m.t("form.save")}</button>
</form>
<p><a href="/settings">${m.t("webmentions.backToSettings")}</a></p></section>`,
  });
}
