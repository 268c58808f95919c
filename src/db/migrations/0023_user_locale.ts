import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: a nullable column.

/**
 * The interface language a member chose in their settings (a BCP 47 tag the site ships, such
 * as "ja" or "ar"). NULL means they chose none, and pages follow their browser's
 * Accept-Language instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("locale", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("locale").execute();
}
