import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import { momentOf } from "../web/time.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { MAX_REASON_LENGTH, type ReportView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  /** The request's language (see i18n/); English when absent. */
  messages?: Messages;
}

/** What is being reported, as the form carries it. */
export interface ReportTarget {
  kind: "photo" | "comment" | "member";
  /** A photo's or comment's id. */
  id?: string;
  username?: string;
}

function reportFields(target: ReportTarget, csrfToken: string, m: Messages, reason = ""): Html {
  return html`<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="targetKind" value="${target.kind}">
${target.id ? html`<input type="hidden" name="targetId" value="${target.id}">` : null}
${target.username ? html`<input type="hidden" name="username" value="${target.username}">` : null}
<label for="report-reason">${m.t("moderation.whatIsWrong")}</label>
<textarea id="report-reason" name="reason" rows="3" required maxlength="${MAX_REASON_LENGTH}">${reason}</textarea>
<button type="submit">${m.t("moderation.send")}</button>
<small>${m.t("moderation.whoReads")}</small>`;
}

/** The report button on a photo page: a closed box until opened, no script needed. */
export function reportBox(target: ReportTarget, csrfToken: string, m: Messages = english()): Html {
  return html`<details class="report" id="report"><summary>${m.t("moderation.reportThis", { kind: target.kind })}</summary>
<form method="post" action="/reports" class="stack" id="report-form">${reportFields(target, csrfToken, m)}</form>
</details>`;
}

export function reportPage(view: Shell & { target: ReportTarget; reason?: string; error?: string | null }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("moderation.reportTitle"),
    body: html`<section class="form-page"><h1>${m.t("moderation.reportThis", { kind: view.target.kind })}${view.target.username ? html` (${view.target.username})` : null}</h1>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<form method="post" action="/reports" class="stack" id="report-form">${reportFields(view.target, view.csrfToken, m, view.reason)}</form></section>`,
  });
}

export function reportedPage(view: Shell & { back: string | null }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("moderation.sentTitle"),
    body: html`<section class="form-page"><h1>${m.t("moderation.thankYou")}</h1><p role="status" id="report-sent">${m.t("moderation.sent")}</p>
${view.back ? html`<p><a href="${view.back}">${m.t("moderation.back")}</a></p>` : null}</section>`,
  });
}

function actions(report: ReportView, csrfToken: string, m: Messages): Html {
  const button = (action: string, label: string, danger: boolean) => html`<form method="post" action="/admin/reports/${report.id}/resolution" class="inline">
<input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="action" value="${action}">
<button type="submit"${danger ? html` class="danger"` : null}>${label}</button></form>`;
  const canHide = report.targetKind !== "member" && report.target.url !== null && !report.target.hidden;
  const canSuspend = report.target.owner !== null && !report.target.suspended;
  return html`${canHide ? button("hide", m.t("moderation.hide", { kind: report.targetKind }), true) : null}
${canSuspend ? button("suspend", m.t("moderation.suspend", { username: report.target.owner ?? "" }), true) : null}
${button("dismiss", m.t("moderation.dismiss"), false)}`;
}

/** What was reported: its kind, a link to it (or that it is gone), whose it is, what was done. */
function targetCell(report: ReportView, m: Messages): Html {
  const { target } = report;
  const what = target.url ? html`<a href="${target.url}">${target.label}</a>` : m.t("moderation.gone", { kind: report.targetKind });
  return html`${m.t("moderation.kind", { kind: report.targetKind })}: ${what}${target.owner && report.targetKind !== "member" ? html` ${m.t("moderation.byOwner", { owner: target.owner })}` : null}${target.hidden ? html` <span class="badge">${m.t("moderation.hidden")}</span>` : null}${target.suspended ? html` <span class="badge">${m.t("moderation.suspended")}</span>` : null}`;
}

export function queuePage(view: Shell & { viewer: Viewer; reports: ReportView[]; error?: string | null }): string {
  const m = view.messages ?? english();
  return page({
    ...view,
    messages: m,
    title: m.t("moderation.queueTitle"),
    body: html`<section class="admin"><h1>${m.t("moderation.queueTitle")}</h1>
<nav class="admin-links"><a href="/admin">${m.t("nav.admin")}</a></nav>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
${view.reports.length === 0
  ? html`<p class="empty" id="no-reports">${m.t("moderation.noReports")}</p>`
  : html`<table class="admin-table" id="reports"><thead><tr><th>${m.t("moderation.reportedAt")}</th><th>${m.t("moderation.what")}</th><th>${m.t("moderation.reason")}</th><th>${m.t("moderation.reporter")}</th><th></th></tr></thead>
<tbody>${view.reports.map((r) => html`<tr id="report-${r.id}">
<td>${momentOf(r.createdAt, m)}</td>
<td>${targetCell(r, m)}</td>
<td>${r.reason}</td>
<td>${r.reporter ?? "—"}</td>
<td>${actions(r, view.csrfToken, m)}</td>
</tr>`)}</tbody></table>`}
<p><small>${m.t("moderation.queueHelp")}</small></p>
</section>`,
  });
}
