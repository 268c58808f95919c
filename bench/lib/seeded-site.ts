import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../../src/db/database.ts";
import { MIGRATIONS, migrateToLatest } from "../../src/db/migrate.ts";
import { seedDiscover, type DiscoverSite, type DiscoverSize } from "./discover-seed.ts";

export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/postgres";
const CACHE_DIR = path.join(import.meta.dirname, "..", ".cache");
const MIGRATIONS_DIR = path.join(import.meta.dirname, "..", "..", "src", "db", "migrations");

/**
 * The site is seeded once per (seed code, migrations, size) and kept: a copy of the SQLite
 * file, or a PostgreSQL database used as the template of each run's fresh database.
 */
function cacheKey(size: DiscoverSize): string {
  const seedSource = fs.readFileSync(path.join(import.meta.dirname, "..", "lib", "discover-seed.ts"), "utf8");
  const digest = crypto.createHash("sha256").update(seedSource).update(`${size.photos}/${size.members}`);
  for (const name of Object.keys(MIGRATIONS)) digest.update(fs.readFileSync(path.join(MIGRATIONS_DIR, `${name}.ts`)));
  return digest.digest("hex").slice(0, 12);
}

export async function adminQuery<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The seeded site in `dataDir` (SQLite) or in a fresh PostgreSQL database copied from the cached template. */
export async function seededSite(kind: "sqlite" | "postgres", dataDir: string, size: DiscoverSize): Promise<{ site: DiscoverSite; url: string | null; drop: () => Promise<void> }> {
  const key = cacheKey(size);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const siteFile = path.join(CACHE_DIR, `discover-${kind}-${key}.json`);
  const sqliteFile = path.join(CACHE_DIR, `discover-${key}.sqlite`);
  const template = `pinhole_bench_discover_${key}`;
  const cached =
    fs.existsSync(siteFile) && (kind === "sqlite" ? fs.existsSync(sqliteFile) : (await adminQuery(`select 1 from pg_database where datname = '${template}'`)).length > 0);
  if (!cached) {
    const url = kind === "postgres" ? databaseUrl(template) : null;
    if (kind === "postgres") {
      await adminQuery(`drop database if exists ${template} with (force)`);
      await adminQuery(`create database ${template}`);
    }
    const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-discover-seed-"));
    const database = openDatabase({ databaseUrl: url, dataDir: seedDir });
    await migrateToLatest(database.db);
    const start = performance.now();
    console.error(`  seeding ${size.photos} photos of ${size.members} members on ${kind} (cached for later runs) …`);
    const site = await seedDiscover(database.db, kind, size, (line) => console.error(line));
    console.error(`  seeded in ${((performance.now() - start) / 1000).toFixed(0)} s`);
    await database.close();
    if (kind === "sqlite") fs.copyFileSync(path.join(seedDir, "pinhole.sqlite"), sqliteFile);
    fs.rmSync(seedDir, { recursive: true, force: true });
    fs.writeFileSync(siteFile, JSON.stringify(site));
  } else {
    console.error(`  using the cached ${kind} site ${key}`);
  }
  const site = JSON.parse(fs.readFileSync(siteFile, "utf8")) as DiscoverSite;
  if (kind === "sqlite") {
    fs.copyFileSync(sqliteFile, path.join(dataDir, "pinhole.sqlite"));
    return { site, url: null, drop: async () => {} };
  }
  const fresh = `pinhole_bench_discover_run_${crypto.randomBytes(4).toString("hex")}`;
  await adminQuery(`create database ${fresh} template ${template}`);
  return { site, url: databaseUrl(fresh), drop: async () => void (await adminQuery(`drop database if exists ${fresh} with (force)`)) };
}

