import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new tables.

/**
 * The Flickr-compatible API: API keys members create for their apps (key and secret, as Flickr
 * shows them), OAuth 1.0a tokens (request tokens until exchanged, then access tokens with
 * read, write or delete; the token is stored hashed, its secret as issued because HMAC-SHA1
 * needs it), the nonces seen (a nonce is refused a second time while it could still be
 * replayed), and upload tickets for async uploads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable("api_keys")
    .addColumn("id", serial)
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("consumer_key", "text", (c) => c.notNull().unique())
    .addColumn("consumer_secret", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema.createIndex("api_keys_owner").on("api_keys").columns(["owner_id", "created_at"]).execute();

  await db.schema
    .createTable("oauth_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("api_key_id", "bigint", (c) => c.notNull().references("api_keys.id").onDelete("cascade"))
    .addColumn("token_secret", "text", (c) => c.notNull())
    .addColumn("user_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("perms", "text")
    .addColumn("callback", "text")
    .addColumn("verifier_hash", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .execute();
  await db.schema.createIndex("oauth_tokens_user").on("oauth_tokens").columns(["user_id", "kind"]).execute();

  await db.schema
    .createTable("oauth_nonces")
    .addColumn("consumer_key", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("oauth_nonces_pk", ["consumer_key", "nonce"])
    .execute();
  await db.schema.createIndex("oauth_nonces_expiry").on("oauth_nonces").column("expires_at").execute();

  await db.schema
    .createTable("upload_tickets")
    .addColumn("id", serial)
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("photo_id", "bigint")
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("upload_tickets").execute();
  await db.schema.dropTable("oauth_nonces").execute();
  await db.schema.dropTable("oauth_tokens").execute();
  await db.schema.dropTable("api_keys").execute();
}
