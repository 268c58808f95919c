import type { Kysely } from "kysely";
import type { Database, IncidentRow, IncidentUpdateRow } from "../db/schema.ts";
import type { IncidentImpact, IncidentStatus } from "./presenter.ts";

export interface IncidentWithUpdates {
  incident: IncidentRow;
  /** Newest first. */
  updates: IncidentUpdateRow[];
}

export interface NewUpdate {
  status: IncidentStatus;
  body: string;
  authorId: number | null;
  now: number;
}

/** Every query about incidents and their updates. */
export class IncidentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The incident and its first update, together or not at all. */
  async create(incident: { title: string; impact: IncidentImpact } & NewUpdate): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto("incidents")
        .values({
          title: incident.title,
          impact: incident.impact,
          status: incident.status,
          created_at: incident.now,
          updated_at: incident.now,
          resolved_at: incident.status === "resolved" ? incident.now : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("incident_updates")
        .values({ incident_id: id, status: incident.status, body: incident.body, author_id: incident.authorId, created_at: incident.now })
        .execute();
      return id;
    });
  }

  /** Adds an update and moves the incident to its status; the first "resolved" sets resolved_at. */
  async addUpdate(incidentId: number, update: NewUpdate): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("incidents")
        .set((eb) => ({
          status: update.status,
          updated_at: update.now,
          resolved_at: update.status === "resolved" ? eb.fn.coalesce("resolved_at", eb.val(update.now)) : null,
        }))
        .where("id", "=", incidentId)
        .execute();
      await trx
        .insertInto("incident_updates")
        .values({ incident_id: incidentId, status: update.status, body: update.body, author_id: update.authorId, created_at: update.now })
        .execute();
    });
  }

  find(id: number): Promise<IncidentRow | undefined> {
    return this.db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async findWithUpdates(id: number): Promise<IncidentWithUpdates | undefined> {
    const incident = await this.find(id);
    if (!incident) return undefined;
    const updates = await this.db.selectFrom("incident_updates").selectAll().where("incident_id", "=", id).orderBy("created_at", "desc").orderBy("id", "desc").execute();
    return { incident, updates };
  }

  /** Every unresolved incident and the `limit` most recent ones, newest first, each with its updates. */
  async listRecent(limit: number): Promise<IncidentWithUpdates[]> {
    const incidents = await this.db
      .selectFrom("incidents")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb("resolved_at", "is", null),
          eb("id", "in", eb.selectFrom("incidents").select("id").orderBy("created_at", "desc").orderBy("id", "desc").limit(limit)),
        ]),
      )
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    if (incidents.length === 0) return [];
    const updates = await this.db
      .selectFrom("incident_updates")
      .selectAll()
      .where("incident_id", "in", incidents.map((i) => i.id))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return incidents.map((incident) => ({ incident, updates: updates.filter((u) => u.incident_id === incident.id) }));
  }
}
