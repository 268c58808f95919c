import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * Who may see where a photo was taken, apart from who may see the photo: everyone, contacts,
 * friends and family, or only the owner; and each member's default for new uploads. Until now
 * only owners saw locations, so every existing photo and member starts at "private": nothing
 * becomes visible that was not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("photos").addColumn("location_visibility", "text", (c) => c.notNull().defaultTo("private")).execute();
  await db.schema.alterTable("users").addColumn("default_location_visibility", "text", (c) => c.notNull().defaultTo("private")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("default_location_visibility").execute();
  await db.schema.alterTable("photos").dropColumn("location_visibility").execute();
}
