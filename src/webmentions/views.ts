import type { Viewer } from "../users/service.ts";
import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
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
export function mentionsSection(mentions: WebmentionRow[], isOwner: boolean, csrfToken: string): Html | null {
  if (mentions.length === 0) return null;
  return html`<section class="webmentions" id="webmentions"><h2>Linked from</h2><ul>
${mentions.map((m) => html`<li id="webmention-${String(m.id)}"><a href="${m.source}" rel="nofollow ugc noopener">${m.title}</a>${m.authorName ? html` by ${m.authorUrl ? html`<a href="${m.authorUrl}" rel="nofollow ugc noopener">${m.authorName}</a>` : m.authorName}` : null}
${isOwner && m.status === "pending" ? html` <span class="badge">Waiting for your approval</span>
<form method="post" action="/webmentions/${String(m.id)}/approve" class="inline"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="link">Show it</button></form>` : null}
${isOwner ? html`<form method="post" action="/webmentions/${String(m.id)}/delete" class="inline"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="link">Remove</button></form>` : null}</li>`)}
</ul></section>`;
}

const POLICY_LABELS: Record<WebmentionPolicy, string> = {
  show: "Show them at once",
  approve: "Hold each for my approval",
  off: "Do not take webmentions",
};

export function policyPage(view: { viewer: Viewer; csrfToken: string; policy: WebmentionPolicy; saved: boolean }): string {
  return page({
    title: "Pages that link to your photos",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="form-page"><h1>Pages that link to your photos</h1>
${view.saved ? html`<p class="alert notice" role="status">Saved.</p>` : null}
<p>When a blog or site links to one of your public photos and tells Pinhole so (a webmention), the page can be listed under the photo with its title and author.</p>
<form method="post" action="/settings/webmentions" class="stack" id="webmention-settings">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<fieldset><legend>When a page links to one of your photos</legend>
${(Object.keys(POLICY_LABELS) as WebmentionPolicy[]).map((p) => html`<label><input type="radio" name="policy" value="${p}"${p === view.policy ? html` checked` : null}> ${POLICY_LABELS[p]}</label>`)}
</fieldset>
<button type="submit">Save</button>
</form>
<p><a href="/settings">Back to settings</a></p></section>`,
  });
}
