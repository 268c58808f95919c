import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * The activity page picks "recent photos from your contacts" among every photo of every member
 * the viewer follows (thousands for a member following 500). This index holds, per owner, the
 * order (upload time, id) and every column the visibility rule reads, so the page is chosen
 * from the index alone and only its rows are read from the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("photos_owner_uploaded").ifNotExists().on("photos").columns(["owner_id", "uploaded_at", "id", "visibility", "restricted", "hidden_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("photos_owner_uploaded").ifExists().execute();
}
