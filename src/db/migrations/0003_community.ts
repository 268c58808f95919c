import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new tables, and new columns with defaults.

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  // A row (owner, contact) means owner added contact: owner follows contact's photos, and the
  // flags say whether owner counts contact as a friend or family, which opens owner's
  // friends/family photos to contact.
  await db.schema
    .createTable("contacts")
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("contact_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("is_friend", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("is_family", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("contacts_pk", ["owner_id", "contact_id"])
    .execute();
  await db.schema.createIndex("contacts_contact").on("contacts").columns(["contact_id", "owner_id"]).execute();

  await db.schema
    .createTable("blocks")
    .addColumn("blocker_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("blocked_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("blocks_pk", ["blocker_id", "blocked_id"])
    .execute();
  await db.schema.createIndex("blocks_blocked").on("blocks").columns(["blocked_id", "blocker_id"]).execute();

  await db.schema
    .createTable("faves")
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("faves_pk", ["photo_id", "user_id"])
    .execute();
  await db.schema.createIndex("faves_user").on("faves").columns(["user_id", "created_at"]).execute();

  await db.schema
    .createTable("comments")
    .addColumn("id", serial as never)
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("hidden_at", "bigint")
    .execute();
  await db.schema.createIndex("comments_photo").on("comments").columns(["photo_id", "id"]).execute();
  await db.schema.createIndex("comments_author").on("comments").columns(["author_id", "created_at"]).execute();

  // Rectangles on a photo, as fractions of its width and height, so they fit every size.
  await db.schema
    .createTable("notes")
    .addColumn("id", serial as never)
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("x", "double precision", (c) => c.notNull())
    .addColumn("y", "double precision", (c) => c.notNull())
    .addColumn("width", "double precision", (c) => c.notNull())
    .addColumn("height", "double precision", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("notes_photo").on("notes").columns(["photo_id", "id"]).execute();

  await db.schema
    .createTable("groups")
    .addColumn("id", serial as never)
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("privacy", "text", (c) => c.notNull())
    .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("group_members")
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("joined_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_members_pk", ["group_id", "user_id"])
    .execute();
  await db.schema.createIndex("group_members_user").on("group_members").columns(["user_id", "group_id"]).execute();
  await db.schema
    .createTable("group_invitations")
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("invited_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_invitations_pk", ["group_id", "user_id"])
    .execute();
  await db.schema
    .createTable("group_pool")
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("added_by", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("added_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_pool_pk", ["group_id", "photo_id"])
    .execute();
  await db.schema.createIndex("group_pool_recent").on("group_pool").columns(["group_id", "added_at"]).execute();
  await db.schema.createIndex("group_pool_photo").on("group_pool").columns(["photo_id"]).execute();
  await db.schema
    .createTable("group_threads")
    .addColumn("id", serial as never)
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_reply_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("group_threads_recent").on("group_threads").columns(["group_id", "last_reply_at"]).execute();
  await db.schema
    .createTable("group_replies")
    .addColumn("id", serial as never)
    .addColumn("thread_id", "bigint", (c) => c.notNull().references("group_threads.id").onDelete("cascade"))
    .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("group_replies_thread").on("group_replies").columns(["thread_id", "id"]).execute();

  // One row per photo, visitor and UTC day: a view is counted once a day per visitor.
  await db.schema
    .createTable("photo_views")
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("viewer_key", "text", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("photo_views_pk", ["photo_id", "viewer_key", "day"])
    .execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", serial as never)
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("actor_id", "bigint", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("photo_id", "bigint", (c) => c.references("photos.id").onDelete("cascade"))
    .addColumn("group_id", "bigint", (c) => c.references("groups.id").onDelete("cascade"))
    .addColumn("comment_id", "bigint", (c) => c.references("comments.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("read_at", "bigint")
    .execute();
  await db.schema.createIndex("notifications_user").on("notifications").columns(["user_id", "id"]).execute();

  await db.schema
    .createTable("reports")
    .addColumn("id", serial as never)
    .addColumn("reporter_id", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("target_kind", "text", (c) => c.notNull())
    .addColumn("target_id", "bigint", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("resolved_at", "bigint")
    .addColumn("resolved_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("resolution", "text")
    .execute();
  await db.schema.createIndex("reports_open").on("reports").columns(["resolved_at", "id"]).execute();

  // Explore: the day's ranking, computed periodically and read as is.
  await db.schema
    .createTable("explore_entries")
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("rank", "integer", (c) => c.notNull())
    .addColumn("photo_id", "bigint", (c) => c.notNull().references("photos.id").onDelete("cascade"))
    .addColumn("score", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("explore_entries_pk", ["day", "rank"])
    .execute();

  // Counters kept in the same transaction as the rows they count, for pages and for Explore.
  await db.schema.alterTable("photos").addColumn("fave_count", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("photos").addColumn("comment_count", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("photos").addColumn("view_count", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // Not for all audiences: hidden from visitors and from members who have not opted in.
  await db.schema.alterTable("photos").addColumn("restricted", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // Hidden by a moderator: gone from every path but kept for the record.
  await db.schema.alterTable("photos").addColumn("hidden_at", "bigint").execute();
  await db.schema.alterTable("users").addColumn("shows_restricted", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // Who may add notes to the member's photos: owner, contacts, friends (friends or family), everyone.
  await db.schema.alterTable("users").addColumn("note_permission", "text", (c) => c.notNull().defaultTo("contacts")).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ["note_permission", "shows_restricted"]) await db.schema.alterTable("users").dropColumn(column).execute();
  for (const column of ["hidden_at", "restricted", "view_count", "comment_count", "fave_count"]) await db.schema.alterTable("photos").dropColumn(column).execute();
  for (const table of ["explore_entries", "reports", "notifications", "photo_views", "group_replies", "group_threads", "group_pool", "group_invitations", "group_members", "groups", "notes", "comments", "faves", "blocks", "contacts"]) {
    await db.schema.dropTable(table).execute();
  }
}
