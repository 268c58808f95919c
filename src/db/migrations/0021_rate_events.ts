import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a new table.

/**
 * One row per counted event of a rate limit (a webmention received from an address, …), kept
 * only for the limit's window: counters that every server of a cluster shares.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rate_events")
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rate_events_key_at").on("rate_events").columns(["key", "at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("rate_events").execute();
}
