import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a new table, and a new column with a default.

/**
 * Webmentions received for photos: a page elsewhere (source) that links to a photo page
 * (target), kept once fetched and found to link there, shown once the photo's owner allows it.
 * Each member says how: show at once, hold for approval (the default), or off.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable("webmentions")
    .addColumn("id", serial)
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("photo_owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("author_name", "text")
    .addColumn("author_url", "text")
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("verified_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("webmentions_photo_source", ["photo_id", "source"])
    .execute();
  await db.schema.createIndex("webmentions_photo_status").on("webmentions").columns(["photo_id", "status", "verified_at"]).execute();
  await db.schema.createIndex("webmentions_owner_status").on("webmentions").columns(["photo_owner_id", "status", "verified_at"]).execute();
  await db.schema.alterTable("users").addColumn("webmention_policy", "text", (c) => c.notNull().defaultTo("approve")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("webmention_policy").execute();
  await db.schema.dropTable("webmentions").execute();
}
