import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";

/** The PostgreSQL server the suite runs against, or null for SQLite. */
export const TEST_POSTGRES_URL = process.env.PINHOLE_TEST_DATABASE_URL || null;

/** A fresh, empty PostgreSQL database for one test server; dropped by the returned function. */
export async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pinhole_t_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A migrated database for a unit test of a repository or a service: SQLite in a fresh folder,
 * or a fresh PostgreSQL database when PINHOLE_TEST_DATABASE_URL is set. `close` removes it.
 */
export async function openTestDatabase(prefix: string): Promise<{ handle: DatabaseHandle; dataDir: string; close: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pinhole-${prefix}-`));
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  const handle = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir });
  await migrateToLatest(handle.db);
  return {
    handle,
    dataDir,
    async close() {
      await handle.close();
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
