import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet, type Kysely } from "kysely";
import * as core from "./migrations/0001_core.ts";
import * as operations from "./migrations/0002_operations.ts";
import * as community from "./migrations/0003_community.ts";
import * as activityIndex from "./migrations/0004_activity_index.ts";
import * as activityByPhotoOwner from "./migrations/0005_activity_by_photo_owner.ts";
import * as licenses from "./migrations/0007_licenses.ts";
import * as archiveIndexes from "./migrations/0008_archive_indexes.ts";
import * as locationPrivacy from "./migrations/0009_location_privacy.ts";
import * as albums from "./migrations/0010_albums.ts";
import * as search from "./migrations/0011_search.ts";
import * as map from "./migrations/0012_map.ts";
import * as webmentions from "./migrations/0013_webmentions.ts";
import * as imports from "./migrations/0014_imports.ts";
import * as flickrApi from "./migrations/0015_flickr_api.ts";
import * as albumOrigins from "./migrations/0016_album_origins.ts";
import * as periodicRuns from "./migrations/0018_periodic_runs.ts";
import * as altText from "./migrations/0019_alt_text.ts";
import * as rateEvents from "./migrations/0021_rate_events.ts";
import * as searchPostings from "./migrations/0022_search_postings.ts";
import * as userLocale from "./migrations/0023_user_locale.ts";
import * as uploadLocks from "./migrations/0025_upload_locks.ts";
import * as photoCountersInPlace from "./migrations/0026_photo_counters_in_place.ts";
import type { Database } from "./schema.ts";

/** Migrations by name, applied in name order. */
export type MigrationSet = Record<string, Migration>;

/** The one migration history both databases share, in order. Append only. */
export const MIGRATIONS: MigrationSet = {
  "0001_core": core,
  "0002_operations": operations,
  "0003_community": community,
  "0004_activity_index": activityIndex,
  "0005_activity_by_photo_owner": activityByPhotoOwner,
  "0007_licenses": licenses,
  "0008_archive_indexes": archiveIndexes,
  "0009_location_privacy": locationPrivacy,
  "0010_albums": albums,
  "0011_search": search,
  "0012_map": map,
  "0013_webmentions": webmentions,
  "0014_imports": imports,
  "0015_flickr_api": flickrApi,
  "0016_album_origins": albumOrigins,
  "0018_periodic_runs": periodicRuns,
  "0019_alt_text": altText,
  "0021_rate_events": rateEvents,
  "0022_search_postings": searchPostings,
  "0023_user_locale": userLocale,
  "0025_upload_locks": uploadLocks,
  "0026_photo_counters_in_place": photoCountersInPlace,
};

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: MigrationSet) {}

  async getMigrations(): Promise<MigrationSet> {
    return this.migrations;
  }
}

/** `migrations` is the shipped history; tests may pass it with a migration appended. */
export function migrator(db: Kysely<Database>, migrations: MigrationSet = MIGRATIONS): Migrator {
  return new Migrator({ db, provider: new StaticMigrationProvider(migrations) });
}

export class MigrationFailedError extends Error {
  constructor(message: string, readonly migrationName: string) {
    super(message);
  }
}

/**
 * A post-deployment migration (its name ends in `_post`) holds a destructive step — dropping a
 * column the previous release still reads, say. Start-up never applies one: during a rolling
 * upgrade the old release keeps running against the schema. The operator applies it with
 * `pinhole migrate up --post-deployment` once every server runs the new release.
 */
export function isPostDeployment(name: string): boolean {
  return name.endsWith("_post");
}

export interface MigrateOptions {
  /** Apply post-deployment migrations too (default: stop before the first pending one). */
  postDeployment?: boolean;
}

/** The migrations that `migrateToLatest` with these options would apply now, in order. */
export async function pendingMigrations(db: Kysely<Database>, migrations: MigrationSet = MIGRATIONS, options: MigrateOptions = {}): Promise<string[]> {
  const all = await migrator(db, migrations).getMigrations();
  const pending = all.filter((m) => !m.executedAt).map((m) => m.name);
  if (options.postDeployment) return pending;
  const stop = pending.findIndex(isPostDeployment);
  return stop === -1 ? pending : pending.slice(0, stop);
}

export async function migrateToLatest(db: Kysely<Database>, migrations: MigrationSet = MIGRATIONS, options: MigrateOptions = {}): Promise<string[]> {
  const due = await pendingMigrations(db, migrations, options);
  if (due.length === 0) return [];
  const result: MigrationResultSet = await migrator(db, migrations).migrateTo(due[due.length - 1] as string);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationFailedError(`migration ${failed} failed and was rolled back: ${cause}`, failed);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Names of the migrations this database has applied, in order; the last one is its schema version. */
export async function appliedMigrations(db: Kysely<Database>, migrations: MigrationSet = MIGRATIONS): Promise<string[]> {
  const all = await migrator(db, migrations).getMigrations();
  return all.filter((m) => m.executedAt).map((m) => m.name);
}

/** Whether the database holds any table besides the migrator's own: not a brand-new site. */
export async function hasTables(db: Kysely<Database>): Promise<boolean> {
  return (await db.introspection.getTables()).length > 0;
}

export async function hasTable(db: Kysely<Database>, name: string): Promise<boolean> {
  return (await db.introspection.getTables()).some((t) => t.name === name);
}
