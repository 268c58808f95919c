import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createPostgresDatabase } from "../../test/helpers/database.ts";
import type { Row } from "../lib/report.ts";
import { seedSite } from "../lib/seed.ts";
import { startServerProcess } from "../lib/server-process.ts";
import { wrk, type WrkResult } from "../lib/wrk.ts";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** As an operator runs it on this 2-core machine, and as nginx's "worker_processes auto" does. */
/**
 * As an operator runs it on this 2-core machine: with SQLite, one worker per core, as nginx's
 * "worker_processes auto" does. With PostgreSQL on the same two cores, one worker fewer: its
 * backends need CPU too, and two workers measured both slower and later than one (2,200-2,500
 * req/s with p99 45-60 ms, against 2,300-2,850 with p99 23-37 ms and a fifth of the CPU idle).
 * The other count is measured beside it.
 */
const WORKERS = { SQLite: Number(process.env.BENCH_WORKERS ?? 2), PostgreSQL: Number(process.env.BENCH_WORKERS ?? 1) };
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
    const env = { PINHOLE_DATA_DIR: dataDir, ...(postgres ? { DATABASE_URL: postgres.url } : {}) };
    const sample = photoPaths.filter((_, i) => i % Math.max(1, Math.floor(photoPaths.length / 5000)) === 0);
    const workers = WORKERS[kind];
    const other = workers === 1 ? 2 : 1;
    const kept = await load(env, sample, workers);
    // The same load with no page kept (what a page costs when it is rendered), and with the other worker count.
    const rendered = await load({ ...env, PINHOLE_PAGE_CACHE_MB: "0" }, sample, workers);
    const otherCount = await load(env, sample, other);
    const label = `${kind}, ${PHOTOS} photos / ${MEMBERS} members, ${CONNECTIONS} connections, ${workers} worker${workers === 1 ? "" : "s"}`;
    return [
      { section: "pages", measure: `photo page, ${label}`, value: kept.requestsPerSecond, unit: "req/s", target: `>= ${target} req/s`, met: kept.requestsPerSecond >= target },
      { section: "pages", measure: `photo page p99 latency, ${kind}`, value: kept.p99Ms, unit: "ms", target: "< 50 ms", met: kept.p99Ms < 50 },
      { section: "pages", measure: `photo pages shown from the page cache, ${kind}`, value: kept.hitPercent, unit: "%" },
      { section: "pages", measure: `photo page with no page cache (PINHOLE_PAGE_CACHE_MB=0), ${kind}`, value: rendered.requestsPerSecond, unit: "req/s" },
      { section: "pages", measure: `photo page p99 latency with no page cache, ${kind}`, value: rendered.p99Ms, unit: "ms" },
      { section: "pages", measure: `photo page with ${other} worker${other === 1 ? "" : "s"}, ${kind}`, value: otherCount.requestsPerSecond, unit: "req/s" },
      { section: "pages", measure: `photo page p99 latency with ${other} worker${other === 1 ? "" : "s"}, ${kind}`, value: otherCount.p99Ms, unit: "ms" },
    ];
  } finally {
    await postgres?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `pinhole serve` on the seeded site, warmed until it runs as a site that has been up a while,
 * then measured. A server just started is slower for its first seconds: V8 compiles the hot
 * code on the way, each worker renders every page once before it can keep it, and every first
 * view of a photo is written. On PostgreSQL, windows of 4 s measured 852, 1,541, 2,172, 2,393
 * and 2,435 req/s while each worker's cache filled (misses 2,001, 2,242, 1,567, 759, 329). The
 * warm-up lasts at least 12 s and until a 3 s window gains under 5% on the one before and under
 * 2% of its pages were rendered afresh (at most 60 s); its windows are printed, and the figure with no page
 * cache is measured beside it.
 */
async function load(env: Record<string, string>, sample: string[], workers: number): Promise<WrkResult & { hitPercent: number }> {
  const server = await startServerProcess(env, ["--workers", String(workers)]);
  try {
    const check = await fetch(server.url + sample[0]);
    if (check.status !== 200) throw new Error(`photo page answered ${check.status}`);
    const warm: string[] = [];
    let previous = 0;
    for (let window = 0; window < 20; window++) {
      const before = await pageOutcomes(server.url);
      // Each window walks the pages in another order: with one seed every window asked for the
      // same first few thousand pages, and the measurement then reached pages none had shown.
      const { requestsPerSecond } = await wrk({ url: server.url, paths: sample, seconds: 3, connections: CONNECTIONS, seed: 1000 + window });
      const after = await pageOutcomes(server.url);
      const shown = after.hit + after.miss + after.bypass - (before.hit + before.miss + before.bypass);
      const missPercent = shown === 0 ? 0 : (100 * (after.miss - before.miss)) / shown;
      warm.push(`${Math.round(requestsPerSecond)} (${missPercent.toFixed(1)}% rendered)`);
      // At least 12 s: a server still compiling its code can gain under 5% for a window or two.
      if (window >= 3 && requestsPerSecond < previous * 1.05 && missPercent < 2) break;
      previous = requestsPerSecond;
    }
    console.error(`  ${workers} worker${workers === 1 ? "" : "s"}${env.PINHOLE_PAGE_CACHE_MB === "0" ? ", no page cache" : ""}: warm-up windows of 3 s, req/s: ${warm.join(", ")}`);
    const before = await pageOutcomes(server.url);
    const result = await wrk({ url: server.url, paths: sample, seconds: SECONDS, connections: CONNECTIONS });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`photo page load had ${result.non2xx} non-2xx answers and ${result.errors} socket errors`);
    const after = await pageOutcomes(server.url);
    const shown = (k: keyof typeof after) => after[k] - before[k];
    const all = shown("hit") + shown("miss") + shown("bypass");
    return { ...result, hitPercent: all === 0 ? 0 : (100 * shown("hit")) / all };
  } finally {
    await server.stop();
  }
}

/** The server's count of photo pages by how they were shown, from /metrics (every worker's, summed by the primary). */
async function pageOutcomes(url: string): Promise<{ hit: number; miss: number; bypass: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (outcome: string) => Number(new RegExp(`^pinhole_photo_page_cache_total\\{outcome="${outcome}"\\} (\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { hit: count("hit"), miss: count("miss"), bypass: count("bypass") };
}

export async function benchPages(): Promise<Row[]> {
  return [...(await measure("SQLite", 2000)), ...(await measure("PostgreSQL", 1500))];
}
