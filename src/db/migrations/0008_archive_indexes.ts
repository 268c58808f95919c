import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * A member's archive counts their photos per year, month and day taken, and a camera page
 * lists the photos of one camera model: each reads an index range rather than the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("photos_owner_taken").on("photos").columns(["owner_id", "taken_at"]).execute();
  await db.schema.createIndex("photos_camera_model").on("photos").columns(["camera_model", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("photos_camera_model").ifExists().execute();
  await db.schema.dropIndex("photos_owner_taken").ifExists().execute();
}
