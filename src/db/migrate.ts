import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet, type Kysely } from "kysely";
import * as core from "./migrations/0001_core.ts";
import * as operations from "./migrations/0002_operations.ts";
import type { Database } from "./schema.ts";

/** The one migration history both databases share, in order. Append only. */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_core": core,
  "0002_operations": operations,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: new StaticMigrationProvider() });
}

export class MigrationFailedError extends Error {}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationFailedError(`migration ${failed} failed and was rolled back: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
