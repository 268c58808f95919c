import type { Kysely } from "kysely";
import type { Database, PeriodicRunsTable } from "../db/schema.ts";
import type { PeriodicRuns } from "./periodic.ts";

/** The runs of periodic tasks, one row per task and period (migration 0018). */
export class PeriodicRunsRepository implements PeriodicRuns {
  constructor(private readonly db: Kysely<Database>) {}

  /** One atomic insert: of any number of servers claiming the same period, exactly one gets the row. */
  async claim(task: string, slot: number, holder: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("periodic_runs")
      .values({ task, slot, started_by: holder, started_at: now, finished_at: null, error: null })
      .onConflict((oc) => oc.columns(["task", "slot"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async finish(task: string, slot: number, now: number, error: string | null): Promise<void> {
    await this.db.updateTable("periodic_runs").set({ finished_at: now, error }).where("task", "=", task).where("slot", "=", slot).execute();
  }

  /** Forgets runs of a task older than the given period: the table keeps the recent history only. */
  async prune(task: string, beforeSlot: number): Promise<void> {
    await this.db.deleteFrom("periodic_runs").where("task", "=", task).where("slot", "<", beforeSlot).execute();
  }

  async recent(task: string, limit: number): Promise<PeriodicRunsTable[]> {
    const rows = await this.db.selectFrom("periodic_runs").selectAll().where("task", "=", task).orderBy("slot", "desc").limit(limit).execute();
    return rows.map((row) => ({ ...row, slot: Number(row.slot), started_at: Number(row.started_at), finished_at: row.finished_at === null ? null : Number(row.finished_at) }));
  }
}
