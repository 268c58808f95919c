import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a new table.

/**
 * One row per run of a periodic task (Explore's ranking, clean-ups) across every server of a
 * site: the primary key (task, slot) lets exactly one server claim each period, on SQLite and
 * PostgreSQL alike, and the row tells the operator who ran it, when, and how it ended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("periodic_runs")
    .addColumn("task", "text", (c) => c.notNull())
    .addColumn("slot", "bigint", (c) => c.notNull())
    .addColumn("started_by", "text", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .addColumn("error", "text")
    .addPrimaryKeyConstraint("periodic_runs_pk", ["task", "slot"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("periodic_runs").execute();
}
