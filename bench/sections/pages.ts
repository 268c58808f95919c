import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createPostgresDatabase } from "../../test/helpers/database.ts";
import type { Row } from "../lib/report.ts";
import { seedSite } from "../lib/seed.ts";
import { startServerProcess } from "../lib/server-process.ts";
import { wrk } from "../lib/wrk.ts";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** As an operator runs it on this 2-core machine, and as nginx's "worker_processes auto" does. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONNECTIONS = 20;
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function measure(kind: "SQLite" | "PostgreSQL", target: number): Promise<Row[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-pages-"));
  const postgres = kind === "PostgreSQL" ? await createPostgresDatabase(POSTGRES_ADMIN_URL) : null;
  try {
    const database = openDatabase({ databaseUrl: postgres?.url ?? null, dataDir });
    await migrateToLatest(database.db);
    const seedStart = performance.now();
    const { photoPaths } = await seedSite(database.db, MEMBERS, PHOTOS);
    console.error(`  seeded ${MEMBERS} members and ${PHOTOS} photos on ${kind} in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    await database.close();
    const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir, ...(postgres ? { DATABASE_URL: postgres.url } : {}) }, ["--workers", String(WORKERS)]);
    try {
      const sample = photoPaths.filter((_, i) => i % Math.max(1, Math.floor(photoPaths.length / 5000)) === 0);
      const check = await fetch(server.url + sample[0]);
      if (check.status !== 200) throw new Error(`photo page answered ${check.status}`);
      await wrk({ url: server.url, paths: sample, seconds: 3, connections: CONNECTIONS }); // warm-up
      const result = await wrk({ url: server.url, paths: sample, seconds: SECONDS, connections: CONNECTIONS });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`photo page load had ${result.non2xx} non-2xx answers and ${result.errors} socket errors`);
      return [
        { section: "pages", measure: `photo page, ${kind}, ${PHOTOS} photos / ${MEMBERS} members, ${CONNECTIONS} connections, ${WORKERS} workers`, value: result.requestsPerSecond, unit: "req/s", target: `>= ${target} req/s`, met: result.requestsPerSecond >= target },
        { section: "pages", measure: `photo page p99 latency, ${kind}`, value: result.p99Ms, unit: "ms", target: "< 50 ms", met: result.p99Ms < 50 },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await postgres?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchPages(): Promise<Row[]> {
  return [...(await measure("SQLite", 2000)), ...(await measure("PostgreSQL", 1500))];
}
