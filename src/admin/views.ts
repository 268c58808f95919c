import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { formatMegabytes } from "../photos/quotas.ts";
import type { Viewer } from "../users/service.ts";
import type { MemberPage, MemberView, Overview } from "./service.ts";

interface AdminPageView {
  viewer: Viewer;
  csrfToken: string;
  overview: Overview;
  error?: string | null;
}

const MB = 1024 * 1024;
const count = (n: number) => n.toLocaleString("en-US");
const megabytes = (bytes: number) => `${formatMegabytes(bytes)} MB`;
const gigabytes = (bytes: number) => `${(bytes / 1024 ** 3).toLocaleString("en-US", { maximumFractionDigits: 1 })} GB`;
const when = (isoTime: string) => isoTime.replace("T", " ").slice(0, 19);

function returnFields(members: MemberPage): Html {
  return html`<input type="hidden" name="q" value="${members.search}"><input type="hidden" name="page" value="${members.page}">`;
}

function limitText(limit: number | null, unit: (n: number) => string, own: boolean): Html {
  const text = limit === null ? "no limit" : unit(limit);
  return own ? html`${text} <small>(own)</small>` : html`${text}`;
}

function memberRow(member: MemberView, view: AdminPageView): Html {
  const { csrfToken } = view;
  const base = `/admin/members/${member.username}`;
  const canSuspend = !member.isAdmin && member.username !== view.viewer.username;
  const mbValue = member.override.bytes === null ? "" : String(Math.round((member.override.bytes / MB) * 100) / 100);
  return html`<tr id="member-${member.username}"${member.suspended ? html` class="suspended"` : null}>
<td><a href="/photos/${member.username}">${member.username}</a>${member.isAdmin ? html` <span class="badge">admin</span>` : null}</td>
<td>${member.joinedAt.slice(0, 10)}</td>
<td class="num">${count(member.photos)}</td>
<td class="num">${megabytes(member.bytesStored)}</td>
<td>${limitText(member.quota.photos, (n) => `${count(n)} photos`, member.override.photos !== null)}<br>${limitText(member.quota.bytes, megabytes, member.override.bytes !== null)}</td>
<td>${member.isPro ? "Pro" : ""}</td>
<td>${member.suspended ? html`<strong>suspended</strong> ${when(member.suspendedAt ?? "")}` : ""}</td>
<td><details><summary>Change</summary>
<form method="post" action="${base}" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">${returnFields(view.overview.members)}
<label><input type="checkbox" name="isPro" value="1"${member.isPro ? html` checked` : null}> Pro</label>
<label for="quotaPhotos-${member.username}">Photos allowed</label>
<input id="quotaPhotos-${member.username}" name="quotaPhotos" inputmode="numeric" value="${member.override.photos ?? ""}" placeholder="site default">
<label for="quotaMb-${member.username}">Megabytes allowed</label>
<input id="quotaMb-${member.username}" name="quotaMb" inputmode="decimal" value="${mbValue}" placeholder="site default">
<small>Leave a limit empty for the site's default.</small>
<button type="submit">Save</button>
</form>
${canSuspend
  ? html`<form method="post" action="${base}/suspension" class="inline">
<input type="hidden" name="_csrf" value="${csrfToken}">${returnFields(view.overview.members)}
<input type="hidden" name="suspended" value="${member.suspended ? "false" : "true"}">
<button type="submit"${member.suspended ? null : html` class="danger"`}>${member.suspended ? "Lift the suspension" : "Suspend"}</button>
</form>`
  : null}
</details></td>
</tr>`;
}

function membersSection(view: AdminPageView): Html {
  const members = view.overview.members;
  const pageLink = (n: number) => `/admin?${new URLSearchParams({ ...(members.search ? { q: members.search } : {}), page: String(n) }).toString()}#members`;
  return html`<section id="members"><h2>Members</h2>
<form method="get" action="/admin#members" class="inline" role="search">
<label for="q">Search by name</label> <input id="q" name="q" type="search" maxlength="64" value="${members.search}"> <button type="submit">Search</button>
</form>
<p>${count(members.total)} ${members.total === 1 ? "member" : "members"}${members.search ? html` whose name contains “${members.search}”` : null}.</p>
${members.members.length === 0
  ? html`<p class="empty">No member matches.</p>`
  : html`<table class="admin-table">
<thead><tr><th>Member</th><th>Joined</th><th class="num">Photos</th><th class="num">Stored</th><th>Quota</th><th>Pro</th><th>Suspended</th><th></th></tr></thead>
<tbody>${members.members.map((m) => memberRow(m, view))}</tbody>
</table>`}
${members.pages > 1
  ? html`<nav class="pager">${members.page > 1 ? html`<a href="${pageLink(members.page - 1)}" rel="prev">← Previous</a> ` : null}Page ${members.page} of ${members.pages}${members.page < members.pages ? html` <a href="${pageLink(members.page + 1)}" rel="next">Next →</a>` : null}</nav>`
  : null}
</section>`;
}

function storageSection(overview: Overview): Html {
  const { storage } = overview;
  const disk = "error" in storage.disk
    ? html`<dd>unknown: ${storage.disk.error}</dd>`
    : html`<dd>${gigabytes(storage.disk.freeBytes)} free of ${gigabytes(storage.disk.totalBytes)}</dd>`;
  return html`<section id="storage"><h2>Storage</h2><dl class="exif">
<dt>Photos</dt><dd>${count(storage.photos)}</dd>
<dt>Originals stored</dt><dd>${megabytes(storage.bytesStored)}</dd>
<dt>Data disk</dt>${disk}
</dl></section>`;
}

function backlogSection(overview: Overview): Html {
  const { backlog } = overview;
  return html`<section id="backlog"><h2>Processing backlog</h2><dl class="exif">
<dt>Pending</dt><dd>${count(backlog.pending)}</dd>
<dt>Running</dt><dd>${count(backlog.running)}</dd>
<dt>Failed</dt><dd>${count(backlog.failed)}</dd>
</dl>
${backlog.failedJobs.length > 0
  ? html`<h3>Last failed jobs</h3><table class="admin-table"><thead><tr><th>Job</th><th>Kind</th><th class="num">Attempts</th><th>Failed</th><th>Error</th></tr></thead>
<tbody>${backlog.failedJobs.map((job) => html`<tr><td>${job.id}</td><td>${job.kind}</td><td class="num">${job.attempts}</td><td>${when(job.failedAt)}</td><td><code>${job.error ?? ""}</code></td></tr>`)}</tbody></table>`
  : null}
</section>`;
}

function errorsSection(overview: Overview): Html {
  return html`<section id="errors"><h2>Recent errors</h2>
${overview.errors.length === 0
  ? html`<p class="empty">No server error recorded.</p>`
  : html`<table class="admin-table"><thead><tr><th>Time (UTC)</th><th>Route</th><th>Request id</th><th>Message</th></tr></thead>
<tbody>${overview.errors.map((e) => html`<tr><td>${when(e.occurredAt)}</td><td><code>${e.route ?? "—"}</code></td><td><code>${e.requestId ?? "—"}</code></td><td><code>${e.message}</code></td></tr>`)}</tbody></table>`}
</section>`;
}

export function adminPage(view: AdminPageView): string {
  return page({
    title: "Admin",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="admin"><h1>Admin</h1>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<nav class="admin-links"><a href="/admin/reports">Reports</a> · <a href="/admin/incidents">Incidents</a> · <a href="/admin/maintenance">Maintenance</a> · <a href="#members">Members</a> · <a href="#storage">Storage</a> · <a href="#backlog">Backlog</a> · <a href="#errors">Recent errors</a></nav>
${storageSection(view.overview)}
${backlogSection(view.overview)}
${errorsSection(view.overview)}
${membersSection(view)}
<p><small>Suspending a member logs them out everywhere and hides their photos from pages and the API. Image URLs already handed out keep working until the member's photos are made more private or deleted.</small></p>
</section>`,
  });
}
