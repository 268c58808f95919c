import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * Licences and downloads. Every photo carries a licence (all rights reserved until its owner
 * chooses otherwise) and whether people who may see it may also download its original; each
 * member has defaults for new uploads. Existing photos keep all rights reserved and no downloads:
 * nothing becomes more open than its owner said.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("photos").addColumn("license", "text", (c) => c.notNull().defaultTo("all-rights-reserved")).execute();
  await db.schema.alterTable("photos").addColumn("download_allowed", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("default_license", "text", (c) => c.notNull().defaultTo("all-rights-reserved")).execute();
  await db.schema.alterTable("users").addColumn("default_download_allowed", "integer", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("default_download_allowed").execute();
  await db.schema.alterTable("users").dropColumn("default_license").execute();
  await db.schema.alterTable("photos").dropColumn("download_allowed").execute();
  await db.schema.alterTable("photos").dropColumn("license").execute();
}
