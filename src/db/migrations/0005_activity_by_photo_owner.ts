import { sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * "Recent activity on your photos" read every fave, comment, note and pool addition on every
 * photo of the member and sorted them all: a member with thousands of photos and a million
 * faves would sort a million rows per page. Each of those tables now carries the photo's owner
 * (a photo never changes owner), indexed with the time, so a page is read newest first from
 * four index ranges and stops after the rows it shows.
 *
 * The column is filled here for existing rows and set by every insert from now on; rows that
 * servers still running the previous release insert during a rolling upgrade are filled in by
 * the activity service a moment later (`ActivityRepository.fillPhotoOwners`).
 */
const TABLES = [
  { table: "faves", at: "created_at" },
  { table: "comments", at: "created_at" },
  { table: "notes", at: "created_at" },
  { table: "group_pool", at: "added_at" },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, at } of TABLES) {
    await db.schema.alterTable(table).addColumn("photo_owner_id", "bigint", (c) => c.references("users.id").onDelete("cascade")).execute();
    await sql`update ${sql.table(table)} set photo_owner_id = (select owner_id from photos where photos.id = ${sql.ref(`${table}.photo_id`)})`.execute(db);
    await db.schema.createIndex(`${table}_photo_owner`).on(table).columns(["photo_owner_id", at]).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const { table } of TABLES) {
    await db.schema.dropIndex(`${table}_photo_owner`).ifExists().execute();
    await db.schema.alterTable(table).dropColumn("photo_owner_id").execute();
  }
}
