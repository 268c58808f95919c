import { escapeHtml } from "../web/html.ts";
import type { IncidentView } from "./presenter.ts";

/** Escaped for XML, without the characters XML 1.0 cannot carry even escaped. */
function escape(text: string): string {
  return escapeHtml(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ""));
}

/** The feed's words: English, as a feed has one language (the pages say them in the reader's: status/views.ts). */
const STATUS_LABELS: Record<IncidentView["status"], string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};
const IMPACT_LABELS: Record<IncidentView["impact"], string> = { minor: "Minor", major: "Major", maintenance: "Maintenance" };

/** The updates of an incident as HTML, newest first, for the entry's content (escaped once more by the XML). */
function updatesHtml(incident: IncidentView): string {
  return incident.updates
    .map((u) => `<p><strong>${escape(STATUS_LABELS[u.status])}</strong> (${escape(u.createdAt)})<br>${escape(u.body).replace(/\r?\n/g, "<br>")}</p>`)
    .join("\n");
}

/**
 * The incidents as an Atom 1.0 feed: one entry per incident, its title carrying the current
 * status and its <updated> the time of the latest update, so feed readers see each update.
 * `fallbackUpdated` dates a feed with no incidents.
 */
export function atomFeed(options: { baseUrl: string; incidents: IncidentView[]; fallbackUpdated: string }): string {
  const { baseUrl, incidents } = options;
  const updated = incidents.reduce((latest, i) => (i.updatedAt > latest ? i.updatedAt : latest), incidents.length ? "" : options.fallbackUpdated);
  const entries = incidents.map((incident) => {
    const latest = incident.updates[0];
    return `  <entry>
    <id>${escape(`${baseUrl}/status#incident-${incident.id}`)}</id>
    <title type="text">${escape(`${incident.title} (${STATUS_LABELS[incident.status]})`)}</title>
    <link rel="alternate" type="text/html" href="${escape(incident.url)}"/>
    <published>${escape(incident.createdAt)}</published>
    <updated>${escape(incident.updatedAt)}</updated>
    <category term="${escape(incident.impact)}" label="${escape(IMPACT_LABELS[incident.impact])}"/>
    <summary type="text">${escape(latest ? `${STATUS_LABELS[latest.status]}: ${latest.body}` : STATUS_LABELS[incident.status])}</summary>
    <content type="html">${escape(updatesHtml(incident))}</content>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${escape(`${baseUrl}/status`)}</id>
  <title type="text">Pinhole status</title>
  <subtitle type="text">Incidents and maintenance</subtitle>
  <updated>${escape(updated)}</updated>
  <link rel="self" type="application/atom+xml" href="${escape(`${baseUrl}/status/feed.atom`)}"/>
  <link rel="alternate" type="text/html" href="${escape(`${baseUrl}/status`)}"/>
  <author><name>Pinhole</name></author>
  <generator>Pinhole</generator>
${entries.join("\n")}
</feed>
`;
}
