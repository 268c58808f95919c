import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a new table.

/**
 * The lock on a resumable (tus) upload while one request writes or finishes it, shared by every
 * server of a site: one row per upload held, naming its holder and until when the holder's lease
 * runs (renewed while the request lives, so a dead server's lock runs out by itself), and
 * whether another request asked the holder to let go (tus: a client that lost its connection
 * comes back on a new one, often through another server).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("upload_locks")
    .addColumn("upload_id", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("release_requested", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("upload_locks").execute();
}
