import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new tables, and new nullable columns.

/**
 * Imports of a member's photos from a zip (a Flickr data export, or Pinhole's own export):
 * - imports: one uploaded zip, its progress and outcome;
 * - import_entries: what happened to each entry of the zip (done, skipped, failed with a reason),
 *   so a job that resumes after a crash skips what is done;
 * - import_items: (member, source system, source id) → the photo made of it, and the metadata of
 *   a source photo whose file has not arrived yet (Flickr splits metadata and files across zips);
 * - comments.imported_author, notes.imported_author: the name of the author on the source site
 *   when the comment or note was imported on the photo owner's behalf.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable("imports")
    .addColumn("id", serial)
    .addColumn("member_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("format", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("file_bytes", "bigint", (c) => c.notNull())
    .addColumn("stored_path", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("skipped", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("finished_at", "bigint")
    .execute();
  await db.schema.createIndex("imports_member").on("imports").columns(["member_id", "id"]).execute();
  await db.schema
    .createTable("import_entries")
    .addColumn("id", serial)
    .addColumn("import_id", "bigint", (c) => c.notNull().references("imports.id").onDelete("cascade"))
    .addColumn("entry", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("photo_id", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("import_entries_entry", ["import_id", "entry"])
    .execute();
  await db.schema
    .createTable("import_items")
    .addColumn("member_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("photo_id", "bigint")
    .addColumn("metadata", "text")
    .addColumn("applied_at", "bigint")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("import_items_pk", ["member_id", "source", "source_id"])
    .execute();
  await db.schema.createIndex("import_items_source").on("import_items").columns(["source", "source_id"]).execute();
  await db.schema.alterTable("comments").addColumn("imported_author", "text").execute();
  await db.schema.alterTable("notes").addColumn("imported_author", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("notes").dropColumn("imported_author").execute();
  await db.schema.alterTable("comments").dropColumn("imported_author").execute();
  await db.schema.dropTable("import_items").execute();
  await db.schema.dropTable("import_entries").execute();
  await db.schema.dropTable("imports").execute();
}
