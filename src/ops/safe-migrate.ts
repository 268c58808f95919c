import path from "node:path";
import type { Clock } from "../clock.ts";
import { ProgramMissingError } from "../db/backup.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { appliedMigrations, hasTables, MigrationFailedError, MIGRATIONS, migrateToLatest, pendingMigrations, type MigrationSet } from "../db/migrate.ts";
import { backupName } from "./backup-folder.ts";
import { backupDatabaseOnly } from "./backup.ts";
import { SettingsRepository } from "./settings-repository.ts";

export const PRE_MIGRATION_DIR = "pre-migration";

export interface SafeMigrateOptions {
  database: DatabaseHandle;
  databaseUrl: string | null;
  dataDir: string;
  /** PINHOLE_MIGRATE_WITHOUT_BACKUP=1: migrate even when no backup could be made. */
  allowWithoutBackup: boolean;
  clock: Clock;
  /** What is said along the way (the server's log, the command's output). */
  say: (level: "info" | "warn", message: string) => void;
  /** The shipped history unless a test appends to it. */
  migrations?: MigrationSet;
  /** Where pg_dump is looked for (default: PATH). */
  pathEnv?: string;
  /** Apply post-deployment migrations too (`pinhole migrate up --post-deployment`). */
  postDeployment?: boolean;
}

export interface SafeMigrateResult {
  applied: string[];
  /** The backup made before migrating, or null (nothing pending, a new site, or allowed without). */
  backup: string | null;
}

/** Start-up stops here: no migration ran, the database is as it was. */
export class MigrationRefusedError extends Error {}

/**
 * Migrations with a way back: when migrations are pending on a database that already holds a
 * site, the database alone is first copied to <dataDir>/pre-migration/<time>-<from>-to-<to>
 * (kept apart from scheduled backups, never pruned). Without that copy nothing is migrated,
 * unless the operator said PINHOLE_MIGRATE_WITHOUT_BACKUP=1. Each migration runs in its own
 * transaction; a failing one stops start-up with its name and where the backup is.
 */
export async function migrateWithBackup(options: SafeMigrateOptions): Promise<SafeMigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const { db } = options.database;
  const plan = { postDeployment: options.postDeployment ?? false };
  const pending = await pendingMigrations(db, migrations, plan);
  if (pending.length === 0) return { applied: [], backup: null };
  if (!(await hasTables(db))) {
    // A brand-new site: nothing to lose.
    return { applied: await migrateToLatest(db, migrations, plan), backup: null };
  }

  const from = (await appliedMigrations(db, migrations)).at(-1) ?? "none";
  const to = pending[pending.length - 1] as string;
  const dir = path.join(options.dataDir, PRE_MIGRATION_DIR, `${backupName(options.clock.now())}-${from}-to-${to}`);
  let backup: string | null = dir;
  try {
    // The settings table is itself made by a migration; before it there is no storage id.
    const storageId = await new SettingsRepository(db).get("storage_id").catch(() => null);
    await backupDatabaseOnly({ database: options.database, databaseUrl: options.databaseUrl, clock: options.clock }, dir, {
      schemaVersion: from === "none" ? null : from,
      storageId,
      dataDir: options.dataDir,
      pathEnv: options.pathEnv,
    });
    options.say("info", `backed up the database before migrating ${from} → ${to}: ${dir}`);
  } catch (error) {
    const reason = error instanceof ProgramMissingError ? `${error.message} so a backup can be made first` : `the backup before migrating failed: ${(error as Error).message}`;
    if (!options.allowWithoutBackup) {
      throw new MigrationRefusedError(`not migrating ${from} → ${to} without a backup: ${reason}; or set PINHOLE_MIGRATE_WITHOUT_BACKUP=1 to migrate without one`);
    }
    options.say("warn", `migrating ${from} → ${to} WITHOUT a backup (PINHOLE_MIGRATE_WITHOUT_BACKUP=1): ${reason}`);
    backup = null;
  }

  try {
    return { applied: await migrateToLatest(db, migrations, plan), backup };
  } catch (error) {
    if (!(error instanceof MigrationFailedError)) throw error;
    const where = backup ? `the database as it was before is backed up in ${backup}` : "no backup was made (PINHOLE_MIGRATE_WITHOUT_BACKUP=1)";
    throw new MigrationFailedError(`${error.message}; start-up stopped; ${where}`, error.migrationName);
  }
}
