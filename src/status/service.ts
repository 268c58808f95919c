import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { DatabaseHandle } from "../db/database.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, wording } from "../errors.ts";
import type { Viewer } from "../users/service.ts";
import { ComponentProbe, describeComponents, type BacklogSource, type ComponentView } from "./components.ts";
import { IncidentCopy } from "./incident-copy.ts";
import { INCIDENT_IMPACTS, INCIDENT_STATUSES, presentIncident, type IncidentImpact, type IncidentStatus, type IncidentView } from "./presenter.ts";
import { IncidentsRepository } from "./repository.ts";

/** Incidents on the status page and in the API by default; unresolved ones are always included. */
export const RECENT_INCIDENTS = 20;
/** Incidents kept in the disk copy: enough for any page or API call made during an outage. */
const COPIED_INCIDENTS = 100;
/** How often each server refreshes its copy from the database, so every server's copy stays fresh. */
const COPY_REFRESH_MS = 60_000;

export interface IncidentList {
  incidents: IncidentView[];
  /** "copy": the database did not answer; these come from the copy on disk taken at copiedAt. */
  source: "database" | "copy";
  copiedAt: string | null;
}

export interface StatusPage {
  components: ComponentView[];
  checkedAt: string;
  /** Null when neither the database nor a copy could say. */
  incidents: IncidentList | null;
}

export interface StatusServiceDeps {
  incidents: IncidentsRepository;
  copy: IncidentCopy;
  probe: Pick<ComponentProbe, "measure">;
  clock: Clock;
  log: Logger;
  baseUrl: string;
  copyRefreshMs?: number;
}

export interface NewIncident {
  title: string;
  impact: string;
  status: string;
  body: string;
}

function requireAdmin(viewer: Viewer): void {
  if (!viewer.isAdmin) throw new ForbiddenError(wording("incidents.errors.adminOnly"));
}

function checkStatus(status: string): IncidentStatus {
  if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) throw new InvalidError(wording("incidents.errors.status", { statuses: INCIDENT_STATUSES.join(", ") }), { field: "status" });
  return status as IncidentStatus;
}

function checkImpact(impact: string): IncidentImpact {
  if (!(INCIDENT_IMPACTS as readonly string[]).includes(impact)) throw new InvalidError(wording("incidents.errors.impact", { impacts: INCIDENT_IMPACTS.join(", ") }), { field: "impact" });
  return impact as IncidentImpact;
}

function checkText(value: string, field: "title" | "body", max: number): string {
  // Line breaks as \n, no other control characters: the text goes into pages, JSON and the Atom feed.
  let text = value.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, "").trim();
  if (field === "title") text = text.replace(/\s+/g, " ");
  if (!text) throw new InvalidError(wording(field === "title" ? "incidents.errors.titleNeeded" : "incidents.errors.textNeeded"), { field });
  if (text.length > max) throw new InvalidError(wording(field === "title" ? "incidents.errors.titleTooLong" : "incidents.errors.bodyTooLong", { max }), { field });
  return text;
}

/**
 * Incidents (posted and updated by admins), the live state of each part of the site, and the
 * copy of the incidents on disk that keeps the status page and the outage page informative
 * while the database is down.
 */
export class StatusService {
  private timer: NodeJS.Timeout | null = null;
  /** Copies are written one at a time, so an older read never overwrites a newer copy. */
  private copying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: StatusServiceDeps) {}

  async postIncident(viewer: Viewer, input: NewIncident): Promise<IncidentView> {
    requireAdmin(viewer);
    const title = checkText(input.title, "title", 200);
    const impact = checkImpact(input.impact);
    const status = checkStatus(input.status);
    const body = checkText(input.body, "body", 10_000);
    const id = await this.deps.incidents.create({ title, impact, status, body, authorId: viewer.id, now: this.deps.clock.now() });
    await this.refreshCopy();
    return this.get(id);
  }

  /** A resolved incident takes only "resolved" updates (a postscript); a problem that returns is a new incident. */
  async postUpdate(viewer: Viewer, incidentId: number, input: { status: string; body: string }): Promise<IncidentView> {
    requireAdmin(viewer);
    const status = checkStatus(input.status);
    const body = checkText(input.body, "body", 10_000);
    const incident = await this.deps.incidents.find(incidentId);
    if (!incident) throw new NotFoundError(wording("incidents.errors.notFound"));
    if (incident.status === "resolved" && status !== "resolved") {
      throw new ConflictError(wording("incidents.errors.resolved"), { field: "status" });
    }
    await this.deps.incidents.addUpdate(incidentId, { status, body, authorId: viewer.id, now: this.deps.clock.now() });
    await this.refreshCopy();
    return this.get(incidentId);
  }

  /** From the database, or from the disk copy when the database does not answer (then throws only if there is no copy). */
  async listIncidents(limit = RECENT_INCIDENTS): Promise<IncidentList> {
    try {
      return { incidents: await this.fromDatabase(limit), source: "database", copiedAt: null };
    } catch (error) {
      const copy = await this.deps.copy.read();
      if (!copy) throw error;
      this.deps.log.warn({ err: (error as Error).message }, "incidents read from the disk copy: the database did not answer");
      return { incidents: keepRecent(copy.incidents, limit), source: "copy", copiedAt: copy.copiedAt };
    }
  }

  async page(): Promise<StatusPage> {
    const [measurements, incidents] = await Promise.all([this.deps.probe.measure(), this.listIncidents().catch(() => null)]);
    return { components: describeComponents(measurements), checkedAt: new Date(measurements.checkedAt).toISOString(), incidents };
  }

  /** Unresolved incidents from the disk copy, for the page shown when the database is down. */
  async openIncidents(): Promise<IncidentView[]> {
    const copy = await this.deps.copy.read();
    return (copy?.incidents ?? []).filter((i) => i.status !== "resolved");
  }

  /**
   * Writes the copy from the database. A failure is logged, not thrown: the incident itself
   * is saved, and the next refresh (within a minute) writes the copy.
   */
  refreshCopy(): Promise<void> {
    this.copying = this.copying.then(async () => {
      try {
        await this.deps.copy.write(await this.fromDatabase(COPIED_INCIDENTS), this.deps.clock.now());
      } catch (error) {
        this.deps.log.warn({ err: (error as Error).message, file: this.deps.copy.file }, "could not refresh the incidents copy");
      }
    });
    return this.copying;
  }

  /** Writes the copy now and then every minute, so the copy of every server stays fresh. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.refreshCopy();
    this.timer = setInterval(() => void this.refreshCopy(), this.deps.copyRefreshMs ?? COPY_REFRESH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.copying;
  }

  private async get(id: number): Promise<IncidentView> {
    const found = await this.deps.incidents.findWithUpdates(id);
    if (!found) throw new NotFoundError(wording("incidents.errors.notFound"));
    return presentIncident(found.incident, found.updates, this.deps.baseUrl);
  }

  private async fromDatabase(limit: number): Promise<IncidentView[]> {
    const rows = await this.deps.incidents.listRecent(limit);
    return rows.map((r) => presentIncident(r.incident, r.updates, this.deps.baseUrl));
  }
}

/** Unresolved incidents and the `limit` newest, as the database query picks them. */
function keepRecent(incidents: IncidentView[], limit: number): IncidentView[] {
  const newest = new Set(incidents.slice(0, limit).map((i) => i.id));
  return incidents.filter((i) => newest.has(i.id) || i.status !== "resolved");
}

/** The status service with its real parts, from what start-up has at hand. */
export function buildStatusService(deps: {
  config: Config;
  database: DatabaseHandle;
  store: BlobStore;
  storageId: string;
  backlog: BacklogSource;
  clock: Clock;
  log: Logger;
}): StatusService {
  const { config, database, store, storageId, backlog, clock, log } = deps;
  const probe = new ComponentProbe({
    database,
    store,
    storageId,
    dataDir: config.dataDir,
    minFreeDiskBytes: config.minFreeDiskBytes,
    backlog,
    now: () => clock.now(),
  });
  return new StatusService({ incidents: new IncidentsRepository(database.db), copy: new IncidentCopy(config.dataDir), probe, clock, log, baseUrl: config.baseUrl });
}
