import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Column types are chosen to mean the same on SQLite and PostgreSQL: BIGINT epoch ms for
// times, INTEGER 0/1 for flags, TEXT for strings (SQLite ignores VARCHAR lengths anyway).

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable("users")
    .addColumn("id", serial as never)
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("username_key", "text", (c) => c.notNull().unique())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_key", "text", (c) => c.notNull())
    .addColumn("email_confirmed_at", "bigint")
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("users_email_key").on("users").column("email_key").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", serial as never)
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_seen_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("account_tokens")
    .addColumn("id", serial as never)
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();

  await db.schema
    .createTable("login_failures")
    .addColumn("id", serial as never)
    .addColumn("throttle_key", "text", (c) => c.notNull())
    .addColumn("failed_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("login_failures_key").on("login_failures").columns(["throttle_key", "failed_at"]).execute();

  await db.schema
    .createTable("photos")
    // On SQLite only INTEGER PRIMARY KEY is the rowid itself (one lookup, not two); both hold 64 bits.
    .addColumn("id", pg ? "bigint" : "integer", (c) => c.primaryKey())
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("original_key", "text", (c) => c.notNull())
    .addColumn("original_format", "text", (c) => c.notNull())
    .addColumn("original_bytes", "bigint", (c) => c.notNull())
    .addColumn("original_name", "text", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("width", "integer", (c) => c.notNull())
    .addColumn("height", "integer", (c) => c.notNull())
    .addColumn("taken_at", "text")
    .addColumn("taken_at_offset", "text")
    .addColumn("taken_at_utc", "bigint")
    .addColumn("uploaded_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("camera_make", "text")
    .addColumn("camera_model", "text")
    .addColumn("lens", "text")
    .addColumn("exposure_time", "text")
    .addColumn("exposure_seconds", "double precision")
    .addColumn("f_number", "double precision")
    .addColumn("iso", "integer")
    .addColumn("focal_length", "double precision")
    .addColumn("focal_length_35mm", "double precision")
    .addColumn("latitude", "double precision")
    .addColumn("longitude", "double precision")
    .addColumn("altitude", "double precision")
    .addColumn("sizes", "text", (c) => c.notNull())
    // The photo's tags as JSON [{tag, raw}] in order, so reading a photo needs no join;
    // photo_tags holds the same tags for finding photos by tag.
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("dominant_color", "text")
    .addUniqueConstraint("photos_owner_sha256", ["owner_id", "sha256"])
    .execute();
  await db.schema.createIndex("photos_owner_id").on("photos").columns(["owner_id", "id"]).execute();
  await db.schema.createIndex("photos_visibility_id").on("photos").columns(["visibility", "id"]).execute();

  await db.schema
    .createTable("photo_tags")
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("tag", "text", (c) => c.notNull())
    .addColumn("raw", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("photo_tags_pk", ["photo_id", "tag"])
    .execute();
  await db.schema.createIndex("photo_tags_tag").on("photo_tags").columns(["tag", "photo_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["photo_tags", "photos", "login_failures", "account_tokens", "sessions", "users"]) {
    await db.schema.dropTable(table).execute();
  }
}
