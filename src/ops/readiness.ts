import fsp from "node:fs/promises";
import type { DatabaseHandle } from "../db/database.ts";
import { pingDatabase } from "../db/database.ts";
import { pendingMigrations } from "../db/migrate.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { storageMarkerPresent } from "../storage/marker.ts";

export const CHECK_TIMEOUT_MS = 2000;

export interface CheckResult {
  status: "ok" | "failed";
  detail?: string;
  ms: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<"database" | "storage" | "migrations" | "disk", CheckResult>;
}

export interface ReadinessDeps {
  database: DatabaseHandle;
  store: BlobStore;
  storageId: string;
  dataDir: string;
  minFreeDiskBytes: number;
}

class CheckFailed extends Error {}

/** Runs one check with a deadline: a check that hangs is a failed check, never a hung probe. */
async function timed(check: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    const detail = await Promise.race([check(), deadline]);
    return { status: "ok", ...(detail ? { detail } : {}), ms: Date.now() - started };
  } catch (error) {
    return { status: "failed", detail: error instanceof Error ? error.message : String(error), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this server can do its work: each check really exercises what it names. */
export async function checkReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const [database, storage, migrations, disk] = await Promise.all([
    timed(async () => {
      await pingDatabase(deps.database);
      return undefined;
    }),
    timed(async () => {
      if (!(await storageMarkerPresent(deps.store, deps.storageId))) throw new CheckFailed(`the storage marker is missing at ${deps.store.location}: is the disk mounted?`);
      const key = `health/probe-${process.pid}`;
      await deps.store.put(key, Buffer.from(String(Date.now())));
      await deps.store.delete(key);
      return undefined;
    }),
    timed(async () => {
      const pending = await pendingMigrations(deps.database.db);
      if (pending.length > 0) throw new CheckFailed(`pending migrations: ${pending.join(", ")}; run pinhole migrate up`);
      return undefined;
    }),
    timed(async () => {
      const stats = await fsp.statfs(deps.dataDir);
      const free = stats.bavail * stats.bsize;
      const mb = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)} MB`;
      if (free < deps.minFreeDiskBytes) throw new CheckFailed(`${mb(free)} free, below the ${mb(deps.minFreeDiskBytes)} threshold`);
      return `${mb(free)} free`;
    }),
  ]);
  const checks = { database, storage, migrations, disk };
  return { ready: Object.values(checks).every((c) => c.status === "ok"), checks };
}
