import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.
// Expand only: new tables and nullable or defaulted columns, so the previous release keeps
// working against this schema during a rolling upgrade.

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const serial = pg ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  // Small site-wide switches shared by every server: maintenance mode, the storage marker id,
  // the backup lock that holds back file deletions.
  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("incidents")
    .addColumn("id", serial as never)
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("impact", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("resolved_at", "bigint")
    .execute();
  await db.schema
    .createTable("incident_updates")
    .addColumn("id", serial as never)
    .addColumn("incident_id", "bigint", (c) => c.notNull().references("incidents.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("author_id", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("incident_updates_incident").on("incident_updates").columns(["incident_id", "id"]).execute();

  // Work that must survive a crash: finishing an upload (derivatives durable or made again),
  // deleting files. Claimed with a lease; a lease that runs out makes the job claimable again.
  await db.schema
    .createTable("jobs")
    .addColumn("id", serial as never)
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("run_after", "bigint", (c) => c.notNull())
    .addColumn("locked_by", "text")
    .addColumn("locked_until", "bigint")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("jobs_due").on("jobs").columns(["state", "run_after"]).execute();

  await db.schema
    .createTable("recent_errors")
    .addColumn("id", serial as never)
    .addColumn("occurred_at", "bigint", (c) => c.notNull())
    .addColumn("request_id", "text")
    .addColumn("route", "text")
    .addColumn("message", "text", (c) => c.notNull())
    .execute();

  // Quotas and suspension. Counters are kept with each photo insert and delete so an upload
  // can be checked against its quota without a scan of the member's photos.
  await db.schema.alterTable("users").addColumn("suspended_at", "bigint").execute();
  await db.schema.alterTable("users").addColumn("is_pro", "integer", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("quota_photos", "bigint").execute();
  await db.schema.alterTable("users").addColumn("quota_bytes", "bigint").execute();
  await db.schema.alterTable("users").addColumn("photo_count", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("users").addColumn("bytes_stored", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await sql`update users set
      photo_count = (select count(*) from photos where photos.owner_id = users.id),
      bytes_stored = coalesce((select sum(original_bytes) from photos where photos.owner_id = users.id), 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ["bytes_stored", "photo_count", "quota_bytes", "quota_photos", "is_pro", "suspended_at"]) {
    await db.schema.alterTable("users").dropColumn(column).execute();
  }
  for (const table of ["recent_errors", "jobs", "incident_updates", "incidents", "settings"]) {
    await db.schema.dropTable(table).execute();
  }
}
