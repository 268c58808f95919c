import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import type { MemberPage, MemberView, Overview } from "./service.ts";

interface AdminPageView {
  viewer: Viewer;
  csrfToken: string;
  messages?: Messages;
  overview: Overview;
  error?: string | null;
}

const MB = 1024 * 1024;
const GB = 1024 ** 3;

/** The words and formats of one admin page. */
class Words {
  constructor(readonly m: Messages) {}

  count(n: number): string {
    return this.m.number(n);
  }

  /** One decimal below 100 MB, whole megabytes above (as quotas are shown to members). */
  megabytes(bytes: number): string {
    const mb = bytes / MB;
    return this.m.t("admin.megabytes", { mb: this.m.number(mb, { maximumFractionDigits: mb < 100 ? 1 : 0 }) });
  }

  gigabytes(bytes: number): string {
    return this.m.t("admin.gigabytes", { gb: this.m.number(bytes / GB, { maximumFractionDigits: 1 }) });
  }

  day(isoTime: string): Html {
    return html`<time datetime="${isoTime}">${this.m.date(isoTime, { dateStyle: "medium", timeZone: "UTC" })}</time>`;
  }

  /** A moment to the second, in UTC: the admin compares it with logs. */
  moment(isoTime: string): Html {
    return html`<time datetime="${isoTime}">${this.m.date(isoTime, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })}</time>`;
  }
}

function returnFields(members: MemberPage): Html {
  return html`<input type="hidden" name="q" value="${members.search}"><input type="hidden" name="page" value="${members.page}">`;
}

function limitText(text: string, own: boolean, w: Words): Html {
  return own ? html`${text} <small>${w.m.t("admin.ownLimit")}</small>` : html`${text}`;
}

function memberRow(member: MemberView, view: AdminPageView, w: Words): Html {
  const { m } = w;
  const { csrfToken } = view;
  const base = `/admin/members/${member.username}`;
  const canSuspend = !member.isAdmin && member.username !== view.viewer.username;
  const mbValue = member.override.bytes === null ? "" : String(Math.round((member.override.bytes / MB) * 100) / 100);
  const photoLimit = member.quota.photos === null ? m.t("admin.noLimit") : m.t("admin.photos", { count: member.quota.photos });
  const byteLimit = member.quota.bytes === null ? m.t("admin.noLimit") : w.megabytes(member.quota.bytes);
  return html`<tr id="member-${member.username}"${member.suspended ? html` class="suspended"` : null}>
<td><a href="/photos/${member.username}">${member.username}</a>${member.isAdmin ? html` <span class="badge">${m.t("admin.badge")}</span>` : null}</td>
<td>${w.day(member.joinedAt)}</td>
<td class="num">${w.count(member.photos)}</td>
<td class="num">${w.megabytes(member.bytesStored)}</td>
<td>${limitText(photoLimit, member.override.photos !== null, w)}<br>${limitText(byteLimit, member.override.bytes !== null, w)}</td>
<td>${member.isPro ? m.t("admin.pro") : ""}</td>
<td>${member.suspended ? html`<strong>${m.t("admin.suspendedState")}</strong> ${member.suspendedAt ? w.moment(member.suspendedAt) : null}` : ""}</td>
<td><details><summary>${m.t("admin.change")}</summary>
<form method="post" action="${base}" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">${returnFields(view.overview.members)}
<label><input type="checkbox" name="isPro" value="1"${member.isPro ? html` checked` : null}> ${m.t("admin.pro")}</label>
<label for="quotaPhotos-${member.username}">${m.t("admin.photosAllowed")}</label>
<input id="quotaPhotos-${member.username}" name="quotaPhotos" inputmode="numeric" value="${member.override.photos ?? ""}" placeholder="${m.t("admin.siteDefault")}">
<label for="quotaMb-${member.username}">${m.t("admin.megabytesAllowed")}</label>
<input id="quotaMb-${member.username}" name="quotaMb" inputmode="decimal" value="${mbValue}" placeholder="${m.t("admin.siteDefault")}">
<small>${m.t("admin.limitHint")}</small>
<button type="submit">${m.t("form.save")}</button>
</form>
${canSuspend
  ? html`<form method="post" action="${base}/suspension" class="inline">
<input type="hidden" name="_csrf" value="${csrfToken}">${returnFields(view.overview.members)}
<input type="hidden" name="suspended" value="${member.suspended ? "false" : "true"}">
<button type="submit"${member.suspended ? null : html` class="danger"`}>${member.suspended ? m.t("admin.liftSuspension") : m.t("admin.suspend")}</button>
</form>`
  : null}
</details></td>
</tr>`;
}

function membersSection(view: AdminPageView, w: Words): Html {
  const { m } = w;
  const members = view.overview.members;
  const pageLink = (n: number) => `/admin?${new URLSearchParams({ ...(members.search ? { q: members.search } : {}), page: String(n) }).toString()}#members`;
  const total = members.search ? m.t("admin.memberCountMatching", { count: members.total, search: members.search }) : m.t("admin.memberCount", { count: members.total });
  return html`<section id="members"><h2>${m.t("admin.members")}</h2>
<form method="get" action="/admin#members" class="inline" role="search">
<label for="q">${m.t("admin.searchByName")}</label> <input id="q" name="q" type="search" maxlength="64" value="${members.search}"> <button type="submit">${m.t("admin.searchSubmit")}</button>
</form>
<p>${total}</p>
${members.members.length === 0
  ? html`<p class="empty">${m.t("admin.noMatch")}</p>`
  : html`<table class="admin-table">
<thead><tr><th>${m.t("admin.colMember")}</th><th>${m.t("admin.colJoined")}</th><th class="num">${m.t("admin.colPhotos")}</th><th class="num">${m.t("admin.colStored")}</th><th>${m.t("admin.colQuota")}</th><th>${m.t("admin.pro")}</th><th>${m.t("admin.colSuspended")}</th><th></th></tr></thead>
<tbody>${members.members.map((member) => memberRow(member, view, w))}</tbody>
</table>`}
${members.pages > 1
  ? html`<nav class="pager">${members.page > 1 ? html`<a href="${pageLink(members.page - 1)}" rel="prev">${m.t("admin.previous")}</a> ` : null}${m.t("admin.pageOf", { page: w.count(members.page), pages: w.count(members.pages) })}${members.page < members.pages ? html` <a href="${pageLink(members.page + 1)}" rel="next">${m.t("admin.next")}</a>` : null}</nav>`
  : null}
</section>`;
}

function storageSection(overview: Overview, w: Words): Html {
  const { m } = w;
  const { storage } = overview;
  const disk = "error" in storage.disk
    ? html`<dd>${m.t("admin.diskUnknown", { error: storage.disk.error })}</dd>`
    : html`<dd>${m.t("admin.diskFree", { free: w.gigabytes(storage.disk.freeBytes), total: w.gigabytes(storage.disk.totalBytes) })}</dd>`;
  return html`<section id="storage"><h2>${m.t("admin.storage")}</h2><dl class="exif">
<dt>${m.t("admin.colPhotos")}</dt><dd>${w.count(storage.photos)}</dd>
<dt>${m.t("admin.originalsStored")}</dt><dd>${w.megabytes(storage.bytesStored)}</dd>
<dt>${m.t("admin.dataDisk")}</dt>${disk}
</dl></section>`;
}

function backlogSection(overview: Overview, w: Words): Html {
  const { m } = w;
  const { backlog } = overview;
  return html`<section id="backlog"><h2>${m.t("admin.processingBacklog")}</h2><dl class="exif">
<dt>${m.t("admin.pending")}</dt><dd>${w.count(backlog.pending)}</dd>
<dt>${m.t("admin.running")}</dt><dd>${w.count(backlog.running)}</dd>
<dt>${m.t("admin.failed")}</dt><dd>${w.count(backlog.failed)}</dd>
</dl>
${backlog.failedJobs.length > 0
  ? html`<h3>${m.t("admin.lastFailedJobs")}</h3><table class="admin-table"><thead><tr><th>${m.t("admin.colJob")}</th><th>${m.t("admin.colKind")}</th><th class="num">${m.t("admin.colAttempts")}</th><th>${m.t("admin.colFailedAt")}</th><th>${m.t("admin.colError")}</th></tr></thead>
<tbody>${backlog.failedJobs.map((job) => html`<tr><td>${job.id}</td><td><code>${job.kind}</code></td><td class="num">${w.count(job.attempts)}</td><td>${w.moment(job.failedAt)}</td><td><code>${job.error ?? ""}</code></td></tr>`)}</tbody></table>`
  : null}
</section>`;
}

function errorsSection(overview: Overview, w: Words): Html {
  const { m } = w;
  return html`<section id="errors"><h2>${m.t("admin.recentErrors")}</h2>
${overview.errors.length === 0
  ? html`<p class="empty">${m.t("admin.noErrors")}</p>`
  : html`<table class="admin-table"><thead><tr><th>${m.t("admin.colTime")}</th><th>${m.t("admin.colRoute")}</th><th>${m.t("admin.colRequestId")}</th><th>${m.t("admin.colMessage")}</th></tr></thead>
<tbody>${overview.errors.map((e) => html`<tr><td>${w.moment(e.occurredAt)}</td><td><code>${e.route ?? "—"}</code></td><td><code>${e.requestId ?? "—"}</code></td><td><code>${e.message}</code></td></tr>`)}</tbody></table>`}
</section>`;
}

export function adminPage(view: AdminPageView): string {
  const m = view.messages ?? english();
  const w = new Words(m);
  return page({
    title: m.t("admin.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="admin"><h1>${m.t("admin.title")}</h1>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<nav class="admin-links"><a href="/admin/reports">${m.t("admin.reports")}</a> · <a href="/admin/incidents">${m.t("admin.incidents")}</a> · <a href="/admin/maintenance">${m.t("admin.maintenance")}</a> · <a href="#members">${m.t("admin.members")}</a> · <a href="#storage">${m.t("admin.storage")}</a> · <a href="#backlog">${m.t("admin.backlog")}</a> · <a href="#errors">${m.t("admin.recentErrors")}</a></nav>
${storageSection(view.overview, w)}
${backlogSection(view.overview, w)}
${errorsSection(view.overview, w)}
${membersSection(view, w)}
<p><small>${m.t("admin.suspendNote")}</small></p>
</section>`,
  });
}
