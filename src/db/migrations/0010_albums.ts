import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new tables.

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Albums (a member's sets of their own photos, in an order they choose, or a smart album whose
 * `rule` picks the photos at read time) and collections (albums grouped under a name). A photo
 * that goes leaves every album (cascade); an album that goes leaves every collection; neither
 * ever deletes a photo or an album.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const serial = isPostgres(db) ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable("albums")
    .addColumn("id", serial as never)
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cover_photo_id", "bigint", (c) => c.references("photos.id").onDelete("set null"))
    // A smart album's rule as JSON; null for an album whose photos are chosen by hand.
    .addColumn("rule", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("albums_owner").on("albums").columns(["owner_id", "id"]).execute();

  await db.schema
    .createTable("album_photos")
    .addColumn("album_id", "bigint", (c) => c.notNull().references("albums.id").onDelete("cascade"))
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("position", "bigint", (c) => c.notNull())
    .addColumn("added_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("album_photos_pk", ["album_id", "photo_id"])
    .execute();
  await db.schema.createIndex("album_photos_order").on("album_photos").columns(["album_id", "position", "photo_id"]).execute();
  await db.schema.createIndex("album_photos_photo").on("album_photos").columns(["photo_id"]).execute();

  await db.schema
    .createTable("collections")
    .addColumn("id", serial as never)
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("collections_owner").on("collections").columns(["owner_id", "id"]).execute();

  await db.schema
    .createTable("collection_albums")
    .addColumn("collection_id", "bigint", (c) => c.notNull().references("collections.id").onDelete("cascade"))
    .addColumn("album_id", "bigint", (c) => c.notNull().references("albums.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("collection_albums_pk", ["collection_id", "album_id"])
    .execute();
  await db.schema.createIndex("collection_albums_album").on("collection_albums").columns(["album_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["collection_albums", "collections", "album_photos", "albums"]) {
    await db.schema.dropTable(table).execute();
  }
}
