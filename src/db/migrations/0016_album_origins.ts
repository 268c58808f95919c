import type { Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new nullable columns and an index.

/**
 * Where an imported album came from (a Flickr export's album id, or another Pinhole's), so an
 * import run again, or resumed with the next zip of the same export, adds to the album it made
 * instead of making a second one. Null for albums made here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("albums").addColumn("import_source", "text").execute();
  await db.schema.alterTable("albums").addColumn("import_source_id", "text").execute();
  await db.schema.createIndex("albums_import_origin").on("albums").columns(["owner_id", "import_source", "import_source_id"]).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("albums_import_origin").execute();
  await db.schema.alterTable("albums").dropColumn("import_source_id").execute();
  await db.schema.alterTable("albums").dropColumn("import_source").execute();
}
