import { html, type Html } from "../web/html.ts";
import { page } from "../web/layout.ts";
import type { Viewer } from "../users/service.ts";
import { DEFAULT_MAINTENANCE_MESSAGE, type MaintenanceState } from "../ops/maintenance.ts";
import type { ComponentState } from "./components.ts";
import { impactLabel, statusLabel } from "./feed.ts";
import { INCIDENT_IMPACTS, INCIDENT_STATUSES, type IncidentView } from "./presenter.ts";
import type { IncidentList, StatusPage } from "./service.ts";

interface Shell {
  viewer: Viewer | null;
  csrfToken: string;
}

interface FormShell extends Shell {
  error?: string | null;
  notice?: string | null;
}

const STATE_LABELS: Record<ComponentState, string> = { operational: "Operational", degraded: "Degraded", down: "Down", unknown: "Unknown" };

/** Times as "2026-11-29 20:42 UTC": the same for every visitor and every server. */
function when(isoTime: string): Html {
  return html`<time datetime="${isoTime}">${isoTime.slice(0, 16).replace("T", " ")} UTC</time>`;
}

function alerts(error?: string | null, notice?: string | null): Html {
  return html`${error ? html`<p class="alert error" role="alert">${error}</p>` : null}${notice ? html`<p class="alert notice" role="status">${notice}</p>` : null}`;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

function incidentArticle(incident: IncidentView, heading: "h2" | "h3", extra: Html | null = null): Html {
  const title = heading === "h2" ? html`<h2>${incident.title}</h2>` : html`<h3>${incident.title}</h3>`;
  return html`<article class="incident impact-${incident.impact}" id="incident-${incident.id}">${title}
<p class="byline">${impactLabel(incident.impact)} · ${statusLabel(incident.status)} · began ${when(incident.createdAt)}${incident.resolvedAt ? html` · resolved ${when(incident.resolvedAt)}` : null}</p>
<ol class="updates">${incident.updates.map((u) => html`<li><strong>${statusLabel(u.status)}</strong> ${when(u.createdAt)}<p class="description">${u.body}</p></li>`)}</ol>
${extra}</article>`;
}

function summary(states: ComponentState[]): { state: ComponentState; text: string } {
  if (states.includes("down")) return { state: "down", text: "Parts of Pinhole are down" };
  if (states.includes("degraded")) return { state: "degraded", text: "Parts of Pinhole are slower than usual" };
  return { state: "operational", text: "Everything is working" };
}

function incidentsSection(list: IncidentList | null): Html {
  if (!list) {
    return html`<p class="alert error">The incidents cannot be shown right now: the database is not answering and this server has no copy of them yet.</p>`;
  }
  const open = list.incidents.filter((i) => i.status !== "resolved");
  const past = list.incidents.filter((i) => i.status === "resolved");
  return html`${list.source === "copy" && list.copiedAt ? html`<p class="alert notice">The database is not answering, so the incidents below are this server's copy from ${when(list.copiedAt)}.</p>` : null}
<h2>Current incidents</h2>
${open.length ? open.map((i) => incidentArticle(i, "h3")) : html`<p class="empty">No incidents right now.</p>`}
<h2>Past incidents</h2>
${past.length ? past.map((i) => incidentArticle(i, "h3")) : html`<p class="empty">No incidents recently.</p>`}`;
}

export function statusPage(view: StatusPage): string {
  const overall = summary(view.components.map((c) => c.state));
  return page({
    title: "Status",
    viewer: null,
    csrfToken: "",
    head: html`<link rel="alternate" type="application/atom+xml" title="Pinhole status" href="/status/feed.atom">`,
    body: html`<section class="status-page"><h1>Pinhole status</h1>
<p class="status-summary state-${overall.state}">${overall.text}</p>
<ul class="components">${view.components.map(
      (c) => html`<li class="component state-${c.state}" data-component="${c.key}"><span class="name">${c.name}</span> <span class="state">${STATE_LABELS[c.state]}</span> <small>${c.detail}</small></li>`,
    )}</ul>
<p><small>Measured by this server at ${when(view.checkedAt)}.</small></p>
${incidentsSection(view.incidents)}
<p><a href="/status/feed.atom">Follow incidents in a feed reader (Atom)</a></p></section>`,
  });
}

function adminNav(current: "incidents" | "maintenance"): Html {
  return html`<nav class="admin-nav"><a href="/admin/incidents"${current === "incidents" ? html` aria-current="page"` : null}>Incidents</a> · <a href="/admin/maintenance"${current === "maintenance" ? html` aria-current="page"` : null}>Maintenance</a> · <a href="/status">Status page</a></nav>`;
}

function options(values: readonly string[], label: (value: never) => string, selected: string | undefined): Html[] {
  return values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : null}>${label(v as never)}</option>`);
}

export interface IncidentFormValues {
  title?: string;
  impact?: string;
  status?: string;
  body?: string;
}

export function adminIncidentsPage(view: FormShell & { incidents: IncidentView[]; values?: IncidentFormValues }): string {
  const values = view.values ?? {};
  const updateForm = (incident: IncidentView) => {
    const statuses = incident.status === "resolved" ? (["resolved"] as const) : INCIDENT_STATUSES;
    return html`<form method="post" action="/admin/incidents/${incident.id}/updates" class="stack">${csrfField(view.csrfToken)}
<label for="status-${incident.id}">Status</label>
<select id="status-${incident.id}" name="status">${options(statuses, statusLabel, incident.status)}</select>
<label for="body-${incident.id}">Update</label>
<textarea id="body-${incident.id}" name="body" rows="3" required maxlength="10000"></textarea>
<button type="submit">Post this update</button></form>`;
  };
  return page({
    title: "Incidents",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="admin">${adminNav("incidents")}<h1>Incidents</h1>${alerts(view.error, view.notice)}
<h2>Post an incident</h2>
<form method="post" action="/admin/incidents" class="stack">${csrfField(view.csrfToken)}
<label for="title">Title</label>
<input id="title" name="title" required maxlength="200" value="${values.title ?? ""}">
<label for="impact">Impact</label>
<select id="impact" name="impact">${options(INCIDENT_IMPACTS, impactLabel, values.impact ?? "minor")}</select>
<label for="status">Status</label>
<select id="status" name="status">${options(INCIDENT_STATUSES, statusLabel, values.status ?? "investigating")}</select>
<label for="body">What is happening</label>
<textarea id="body" name="body" rows="4" required maxlength="10000">${values.body ?? ""}</textarea>
<small>Shown on the status page, in its feed, and on the page visitors see if the database goes down.</small>
<button type="submit">Post the incident</button>
</form>
<h2>Recent incidents</h2>
${view.incidents.length ? view.incidents.map((i) => incidentArticle(i, "h3", updateForm(i))) : html`<p class="empty">No incidents yet.</p>`}</section>`,
  });
}

export function adminMaintenancePage(view: FormShell & { state: MaintenanceState }): string {
  const { state } = view;
  return page({
    title: "Maintenance",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="admin">${adminNav("maintenance")}<h1>Read-only maintenance</h1>${alerts(view.error, view.notice)}
<p>${state.enabled ? html`<strong>Maintenance is on</strong>${state.since ? html` since ${when(new Date(state.since).toISOString())}` : null}: pages can be viewed; uploads and every other change are refused with the message below.` : html`Maintenance is off: the site accepts changes.`}</p>
<form method="post" action="/admin/maintenance" class="stack">${csrfField(view.csrfToken)}
<fieldset><legend>Read-only maintenance</legend>
<label><input type="radio" name="enabled" value="on"${state.enabled ? html` checked` : null}> On: refuse uploads and changes</label>
<label><input type="radio" name="enabled" value="off"${state.enabled ? null : html` checked`}> Off: accept changes</label>
</fieldset>
<label for="message">Message on every page while it is on</label>
<textarea id="message" name="message" rows="3" maxlength="500">${state.enabled ? state.message : ""}</textarea>
<small>Empty: “${DEFAULT_MAINTENANCE_MESSAGE}” Every server follows the switch within two seconds. Admins can still log in and switch it off; so can <code>pinhole maintenance off</code>.</small>
<button type="submit">Save</button>
</form></section>`,
  });
}

/** The page for a 503: what failed, the open incidents from the disk copy, and the way to the status page. */
export function unavailablePage(view: Shell & { heading: string; message: string; incidents: IncidentView[] }): string {
  return page({
    title: "Temporarily unavailable",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="message outage"><h1>${view.heading}</h1><p>${view.message}</p>
${view.incidents.map((i) => {
      const latest = i.updates[0];
      return html`<article class="incident impact-${i.impact}"><h2>${i.title}</h2><p class="byline">${statusLabel(i.status)} · updated ${when(i.updatedAt)}</p>${latest ? html`<p class="description">${latest.body}</p>` : null}</article>`;
    })}
<p><a href="/status">The status page</a> says what we know.</p></section>`,
  });
}

/** The page for a write refused during read-only maintenance. */
export function readOnlyPage(view: Shell & { message: string }): string {
  return page({
    title: "Read-only for maintenance",
    viewer: view.viewer,
    csrfToken: view.csrfToken,
    body: html`<section class="message"><h1>Read-only for maintenance</h1><p>${view.message}</p>
<p>Nothing you sent was saved: try again once maintenance is over. You can keep looking around meanwhile; <a href="/status">the status page</a> has the details.</p></section>`,
  });
}
