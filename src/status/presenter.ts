import type { IncidentRow, IncidentUpdateRow } from "../db/schema.ts";

export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export const INCIDENT_IMPACTS = ["minor", "major", "maintenance"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

export interface IncidentUpdateView {
  id: number;
  status: IncidentStatus;
  body: string;
  createdAt: string;
}

/** What anyone may know about an incident: the API, the status page, the feed and the disk copy all use this. */
export interface IncidentView {
  id: number;
  title: string;
  impact: IncidentImpact;
  status: IncidentStatus;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** The incident on the status page. */
  url: string;
  /** Newest first. */
  updates: IncidentUpdateView[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function presentIncident(row: IncidentRow, updates: IncidentUpdateRow[], baseUrl: string): IncidentView {
  return {
    id: row.id,
    title: row.title,
    impact: row.impact,
    status: row.status,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
    url: `${baseUrl}/status#incident-${row.id}`,
    // The author is deliberately not shown: updates speak for the site.
    updates: updates.map((u) => ({ id: u.id, status: u.status, body: u.body, createdAt: iso(u.created_at) })),
  };
}
