import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { english, type Messages } from "../i18n/messages.ts";
import { DEFAULT_MAINTENANCE_MESSAGE, type MaintenanceState } from "../ops/maintenance.ts";
import type { ComponentDetail, ComponentState } from "./components.ts";
import { INCIDENT_IMPACTS, INCIDENT_STATUSES, type IncidentImpact, type IncidentStatus, type IncidentView } from "./presenter.ts";
import type { IncidentList, StatusPage } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
  messages?: Messages;
}

interface FormShell extends Shell {
  error?: string | null;
  notice?: string | null;
}

/** Times to the minute, in UTC and saying so: the same moment for every visitor and every server. */
const MOMENT: Intl.DateTimeFormatOptions = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" };

function moment(isoTime: string, m: Messages): Html {
  return html`<time datetime="${isoTime}">${m.date(isoTime, MOMENT)}</time>`;
}

/** A message with a `<time>` in it, drawn as a <time> element of that moment. */
function withMoment(m: Messages, key: "status.began" | "status.resolvedAt" | "status.updatedAt" | "status.measuredAt" | "status.fromCopy" | "maintenance.isOnSince", isoTime: string): Html {
  return m.rich(key, { time: (inner) => html`<time datetime="${isoTime}">${inner}</time>` }, { when: m.date(isoTime, MOMENT) });
}

export function statusLabel(status: IncidentStatus, m: Messages): string {
  return m.t(`status.incident.${status}`);
}

export function impactLabel(impact: IncidentImpact, m: Messages): string {
  return m.t(`status.impact.${impact}`);
}

/** What a component's line says, in the page's language. */
export function componentDetail(detail: ComponentDetail, m: Messages): string {
  if ("ms" in detail) return m.t(`status.detail.${detail.says}`, { ms: m.number(detail.ms) });
  if ("count" in detail) return m.t(`status.detail.${detail.says}`, { count: detail.count });
  return m.t(`status.detail.${detail.says}`);
}

/**
 * The read-only maintenance message: the standard one in the page's language, an admin's own
 * words as they wrote them.
 */
export function maintenanceMessage(message: string, m: Messages): string {
  return message === DEFAULT_MAINTENANCE_MESSAGE ? m.t("maintenance.standardMessage") : message;
}

function alerts(error?: string | null, notice?: string | null): Html {
  return html`${error ? html`<p class="alert error" role="alert">${error}</p>` : null}${notice ? html`<p class="alert notice" role="status">${notice}</p>` : null}`;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function incidentArticle(incident: IncidentView, heading: "h2" | "h3", m: Messages, extra: Html | null = null): Html {
  const title = heading === "h2" ? html`<h2>${incident.title}</h2>` : html`<h3>${incident.title}</h3>`;
  return html`<article class="incident impact-${incident.impact}" id="incident-${incident.id}">${title}
<p class="byline">${impactLabel(incident.impact, m)} · ${statusLabel(incident.status, m)} · ${withMoment(m, "status.began", incident.createdAt)}${incident.resolvedAt ? html` · ${withMoment(m, "status.resolvedAt", incident.resolvedAt)}` : null}</p>
<ol class="updates">${incident.updates.map((u) => html`<li><strong>${statusLabel(u.status, m)}</strong> ${moment(u.createdAt, m)}<p class="description">${u.body}</p></li>`)}</ol>
${extra}</article>`;
}

function overallState(states: ComponentState[]): "operational" | "degraded" | "down" {
  if (states.includes("down")) return "down";
  if (states.includes("degraded")) return "degraded";
  return "operational";
}

function incidentsSection(list: IncidentList | null, m: Messages): Html {
  if (!list) {
    return html`<p class="alert error">${m.t("status.noCopy")}</p>`;
  }
  const open = list.incidents.filter((i) => i.status !== "resolved");
  const past = list.incidents.filter((i) => i.status === "resolved");
  return html`${list.source === "copy" && list.copiedAt ? html`<p class="alert notice">${withMoment(m, "status.fromCopy", list.copiedAt)}</p>` : null}
<h2>${m.t("status.currentIncidents")}</h2>
${open.length ? open.map((i) => incidentArticle(i, "h3", m)) : html`<p class="empty">${m.t("status.noCurrent")}</p>`}
<h2>${m.t("status.pastIncidents")}</h2>
${past.length ? past.map((i) => incidentArticle(i, "h3", m)) : html`<p class="empty">${m.t("status.noPast")}</p>`}`;
}

export function statusPage(view: StatusPage & { messages?: Messages }): string {
  const m = view.messages ?? english();
  const overall = overallState(view.components.map((c) => c.state));
  return page({
    title: m.t("status.title"),
    viewer: null,
    csrfToken: "",
    messages: m,
    head: html`<link rel="alternate" type="application/atom+xml" title="${m.t("status.heading")}" href="/status/feed.atom">`,
    body: html`<section class="status-page"><h1>${m.t("status.heading")}</h1>
<p class="status-summary state-${overall}">${m.t(`status.summary.${overall}`)}</p>
<ul class="components">${view.components.map(
      (c) => html`<li class="component state-${c.state}" data-component="${c.key}"><span class="name">${m.t(`status.component.${c.key}`)}</span> <span class="state">${m.t(`status.state.${c.state}`)}</span> <small>${componentDetail(c.detail, m)}</small></li>`,
    )}</ul>
<p><small>${withMoment(m, "status.measuredAt", view.checkedAt)}</small></p>
${incidentsSection(view.incidents, m)}
<p><a href="/status/feed.atom">${m.t("status.feedLink")}</a></p></section>`,
  });
}

function adminNav(current: "incidents" | "maintenance", m: Messages): Html {
  return html`<nav class="admin-nav"><a href="/admin/incidents"${current === "incidents" ? html` aria-current="page"` : null}>${m.t("incidents.title")}</a> · <a href="/admin/maintenance"${current === "maintenance" ? html` aria-current="page"` : null}>${m.t("maintenance.title")}</a> · <a href="/status">${m.t("incidents.statusPage")}</a></nav>`;
}

function options<V extends string>(values: readonly V[], label: (value: V) => string, selected: string | undefined): Html[] {
  return values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : null}>${label(v)}</option>`);
}

export interface IncidentFormValues {
  title?: string;
  impact?: string;
  status?: string;
  body?: string;
}

export function adminIncidentsPage(view: FormShell & { incidents: IncidentView[]; values?: IncidentFormValues }): string {
  const m = view.messages ?? english();
  const values = view.values ?? {};
  const byStatus = (status: IncidentStatus) => statusLabel(status, m);
  const byImpact = (impact: IncidentImpact) => impactLabel(impact, m);
  const updateForm = (incident: IncidentView) => {
    const statuses = incident.status === "resolved" ? (["resolved"] as const) : INCIDENT_STATUSES;
    return html`<form method="post" action="/admin/incidents/${incident.id}/updates" class="stack">${csrfField(view.csrfToken)}
<label for="status-${incident.id}">${m.t("incidents.status")}</label>
<select id="status-${incident.id}" name="status">${options(statuses, byStatus, incident.status)}</select>
<label for="body-${incident.id}">${m.t("incidents.update")}</label>
<textarea id="body-${incident.id}" name="body" rows="3" required maxlength="10000"></textarea>
<button type="submit">${m.t("incidents.postUpdate")}</button></form>`;
  };
  return page({
    title: m.t("incidents.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="admin">${adminNav("incidents", m)}<h1>${m.t("incidents.title")}</h1>${alerts(view.error, view.notice)}
<h2>${m.t("incidents.postHeading")}</h2>
<form method="post" action="/admin/incidents" class="stack">${csrfField(view.csrfToken)}
<label for="title">${m.t("form.title")}</label>
<input id="title" name="title" required maxlength="200" value="${values.title ?? ""}">
<label for="impact">${m.t("incidents.impact")}</label>
<select id="impact" name="impact">${options(INCIDENT_IMPACTS, byImpact, values.impact ?? "minor")}</select>
<label for="status">${m.t("incidents.status")}</label>
<select id="status" name="status">${options(INCIDENT_STATUSES, byStatus, values.status ?? "investigating")}</select>
<label for="body">${m.t("incidents.body")}</label>
<textarea id="body" name="body" rows="4" required maxlength="10000">${values.body ?? ""}</textarea>
<small>${m.t("incidents.bodyHint")}</small>
<button type="submit">${m.t("incidents.submit")}</button>
</form>
<h2>${m.t("incidents.recent")}</h2>
${view.incidents.length ? view.incidents.map((i) => incidentArticle(i, "h3", m, updateForm(i))) : html`<p class="empty">${m.t("incidents.none")}</p>`}</section>`,
  });
}

export function adminMaintenancePage(view: FormShell & { state: MaintenanceState }): string {
  const m = view.messages ?? english();
  const { state } = view;
  const strong = { strong: (inner: Html) => html`<strong>${inner}</strong>` };
  const now = state.enabled
    ? state.since
      ? m.rich("maintenance.isOnSince", { ...strong, time: (inner) => html`<time datetime="${new Date(state.since!).toISOString()}">${inner}</time>` }, { when: m.date(state.since, MOMENT) })
      : m.rich("maintenance.isOn", strong)
    : m.t("maintenance.isOff");
  return page({
    title: m.t("maintenance.title"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="admin">${adminNav("maintenance", m)}<h1>${m.t("maintenance.heading")}</h1>${alerts(view.error, view.notice)}
<p>${now}</p>
<form method="post" action="/admin/maintenance" class="stack">${csrfField(view.csrfToken)}
<fieldset><legend>${m.t("maintenance.heading")}</legend>
<label><input type="radio" name="enabled" value="on"${state.enabled ? html` checked` : null}> ${m.t("maintenance.on")}</label>
<label><input type="radio" name="enabled" value="off"${state.enabled ? null : html` checked`}> ${m.t("maintenance.off")}</label>
</fieldset>
<label for="message">${m.t("maintenance.messageLabel")}</label>
<textarea id="message" name="message" rows="3" maxlength="500">${state.enabled && state.message !== DEFAULT_MAINTENANCE_MESSAGE ? state.message : ""}</textarea>
<small>${m.rich("maintenance.messageHint", { code: (inner) => html`<code>${inner}</code>` }, { standard: m.t("maintenance.standardMessage"), command: "pinhole maintenance off" })}</small>
<button type="submit">${m.t("form.save")}</button>
</form></section>`,
  });
}

/**
 * The page for a 503: what failed, the open incidents from the disk copy, and the way to the
 * status page. `message` is the refusal's own words, unless the database is what failed.
 */
export function unavailablePage(view: Shell & { databaseDown: boolean; message: string; incidents: IncidentView[] }): string {
  const m = view.messages ?? english();
  const heading = view.databaseDown ? m.t("status.databaseDownHeading") : m.t("status.unavailableTitle");
  return page({
    title: m.t("status.unavailableTitle"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="message outage"><h1>${heading}</h1><p>${view.databaseDown ? m.t("status.databaseDownMessage") : view.message}</p>
${view.incidents.map((i) => {
      const latest = i.updates[0];
      return html`<article class="incident impact-${i.impact}"><h2>${i.title}</h2><p class="byline">${statusLabel(i.status, m)} · ${withMoment(m, "status.updatedAt", i.updatedAt)}</p>${latest ? html`<p class="description">${latest.body}</p>` : null}</article>`;
    })}
<p>${m.rich("status.seeStatusPage", { link: (inner) => html`<a href="/status">${inner}</a>` })}</p></section>`,
  });
}

/** The page for a write refused during read-only maintenance. */
export function readOnlyPage(view: Shell & { message: string }): string {
  const m = view.messages ?? english();
  return page({
    title: m.t("status.readOnlyTitle"),
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    messages: m,
    body: html`<section class="message"><h1>${m.t("status.readOnlyTitle")}</h1><p>${maintenanceMessage(view.message, m)}</p>
<p>${m.rich("status.readOnlyNothingSaved", { link: (inner) => html`<a href="/status">${inner}</a>` })}</p></section>`,
  });
}
