import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { MAX_REASON_LENGTH, type ReportView } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
}

/** What is being reported, as the form carries it. */
export interface ReportTarget {
  kind: "photo" | "comment" | "member";
  /** A photo's or comment's id. */
  id?: string;
  username?: string;
}

const NOUNS: Record<ReportTarget["kind"], string> = { photo: "this photo", comment: "this comment", member: "this member" };

function reportFields(target: ReportTarget, csrfToken: string, reason = ""): Html {
  return html`<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="targetKind" value="${target.kind}">
${target.id ? html`<input type="hidden" name="targetId" value="${target.id}">` : null}
${target.username ? html`<input type="hidden" name="username" value="${target.username}">` : null}
<label for="report-reason">What is wrong?</label>
<textarea id="report-reason" name="reason" rows="3" required maxlength="${MAX_REASON_LENGTH}">${reason}</textarea>
<button type="submit">Send the report</button>
<small>An admin reads every report. Your name is not shown to the member.</small>`;
}

/** The report button on a photo page: a closed box until opened, no script needed. */
export function reportBox(target: ReportTarget, csrfToken: string): Html {
  return html`<details class="report" id="report"><summary>Report ${NOUNS[target.kind]}</summary>
<form method="post" action="/reports" class="stack" id="report-form">${reportFields(target, csrfToken)}</form>
</details>`;
}

export function reportPage(view: Shell & { target: ReportTarget; reason?: string; error?: string | null }): string {
  return page({
    ...view,
    title: "Report",
    body: html`<section class="form-page"><h1>Report ${NOUNS[view.target.kind]}${view.target.username ? html` (${view.target.username})` : null}</h1>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
<form method="post" action="/reports" class="stack" id="report-form">${reportFields(view.target, view.csrfToken, view.reason)}</form></section>`,
  });
}

export function reportedPage(view: Shell & { back: string | null }): string {
  return page({
    ...view,
    title: "Report sent",
    body: html`<section class="form-page"><h1>Thank you</h1><p role="status" id="report-sent">Your report was sent; an admin will look at it.</p>
${view.back ? html`<p><a href="${view.back}">Back</a></p>` : null}</section>`,
  });
}

const when = (isoTime: string) => isoTime.replace("T", " ").slice(0, 16);

function actions(report: ReportView, csrfToken: string): Html {
  const button = (action: string, label: string, danger: boolean) => html`<form method="post" action="/admin/reports/${report.id}/resolution" class="inline">
<input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="action" value="${action}">
<button type="submit"${danger ? html` class="danger"` : null}>${label}</button></form>`;
  const canHide = report.targetKind !== "member" && report.target.url !== null && !report.target.hidden;
  const canSuspend = report.target.owner !== null && !report.target.suspended;
  return html`${canHide ? button("hide", report.targetKind === "photo" ? "Hide the photo" : "Hide the comment", true) : null}
${canSuspend ? button("suspend", `Suspend ${report.target.owner ?? ""}`, true) : null}
${button("dismiss", "Dismiss", false)}`;
}

export function queuePage(view: Shell & { viewer: Viewer; reports: ReportView[]; error?: string | null }): string {
  return page({
    ...view,
    title: "Reports",
    body: html`<section class="admin"><h1>Reports</h1>
<nav class="admin-links"><a href="/admin">Admin</a></nav>
${view.error ? html`<p class="alert error" role="alert">${view.error}</p>` : null}
${view.reports.length === 0
  ? html`<p class="empty" id="no-reports">No open report.</p>`
  : html`<table class="admin-table" id="reports"><thead><tr><th>Reported (UTC)</th><th>What</th><th>Reason</th><th>By</th><th></th></tr></thead>
<tbody>${view.reports.map((r) => html`<tr id="report-${r.id}">
<td>${when(r.createdAt)}</td>
<td>${r.targetKind}: ${r.target.url ? html`<a href="${r.target.url}">${r.target.label}</a>` : r.target.label}${r.target.owner && r.targetKind !== "member" ? html` by ${r.target.owner}` : null}${r.target.hidden ? html` <span class="badge">hidden</span>` : null}${r.target.suspended ? html` <span class="badge">suspended</span>` : null}</td>
<td>${r.reason}</td>
<td>${r.reporter ?? "—"}</td>
<td>${actions(r, view.csrfToken)}</td>
</tr>`)}</tbody></table>`}
<p><small>Hiding a photo keeps it for its owner, with a notice, and changes its image URLs so copies handed out stop working. Every action resolves the report and the other open reports on the same thing.</small></p>
</section>`,
  });
}
