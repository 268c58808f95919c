import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * A photo's own text alternative for people who cannot see it, written by its owner. Empty
 * means none was written, and pages describe the photo by its title or description instead.
 * (The tile placeholder colour needs no migration: `dominant_color` has been stored at upload
 * since 0001.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("photos").addColumn("alt_text", "text", (c) => c.notNull().defaultTo("")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("photos").dropColumn("alt_text").execute();
}
