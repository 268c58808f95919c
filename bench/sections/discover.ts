import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Row } from "../lib/report.ts";
import type { DiscoverSite } from "../lib/discover-seed.ts";
import { adminQuery, seededSite } from "../lib/seeded-site.ts";
import { startServerProcess } from "../lib/server-process.ts";

const PHOTOS = Number(process.env.BENCH_DISCOVER_PHOTOS ?? 1_000_000);
const MEMBERS = Number(process.env.BENCH_DISCOVER_MEMBERS ?? 3_000);
const REQUESTS = Number(process.env.BENCH_DISCOVER_REQUESTS ?? 200);
const TARGET_P95_MS = 50;

/** The queries measured, one row each: add a row to measure another. */
const QUERIES: Array<{ name: string; path: (site: DiscoverSite) => string }> = [
  { name: "text search, one word in ~1% of photos, by relevance", path: (s) => `/api/v1/search?q=${s.commonWord.word}` },
  { name: "text search, the same word, newest first", path: (s) => `/api/v1/search?q=${s.commonWord.word}&sort=uploaded` },
  { name: "tag search, a tag on ~1% of photos, newest first", path: (s) => `/api/v1/search?tags=${s.commonTag.tag}` },
  { name: "text search, the most frequent word, by relevance", path: () => "/api/v1/search?q=light" },
  { name: "search with a location in a city-sized box, newest first", path: () => "/api/v1/search?hasLocation=true&bbox=-10,40,10,60" },
  { name: "map of the whole world, clustered", path: () => "/api/v1/map?bbox=-180,-85,180,85&zoom=2" },
  { name: "map of a city, zoomed in", path: () => "/api/v1/map?bbox=-0.2,51.45,0,51.55&zoom=13" },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(kind: "sqlite" | "postgres"): Promise<Row[]> {
  const label = kind === "sqlite" ? "SQLite" : "PostgreSQL";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-discover-"));
  const { site, url, drop } = await seededSite(kind, dataDir, { photos: PHOTOS, members: MEMBERS });
  try {
    if (kind === "postgres") await adminQuery(`select 1`); // the template copy is complete once create database returns
    const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir, ...(url ? { DATABASE_URL: url } : {}) });
    try {
      const rows: Row[] = [];
      for (const query of QUERIES) {
        const target = server.url + query.path(site);
        // Warm-up: a fresh copy of the database starts with cold caches (its first requests may
        // even pass the 1.5 s request deadline); the measured requests must all answer 200.
        let failures = 0;
        for (let i = 0; i < 20 && failures < 3; i++) {
          const answer = await fetch(target);
          await answer.arrayBuffer();
          if (answer.status !== 200) failures++;
        }
        const first = await fetch(target);
        const body = (await first.json()) as { photos?: unknown[]; clusters?: unknown[]; points?: unknown[]; total?: number };
        if (first.status !== 200) {
          // Recorded, not thrown: the other rows are still worth having.
          console.error(`  ${query.name}, ${label}: answered ${first.status} ${JSON.stringify(body)}`);
          rows.push({ section: "discover", measure: `${query.name}, ${label}, ${PHOTOS} photos: answered ${first.status} (over the 1.5 s request deadline)`, value: NaN, unit: "ms", target: `p95 < ${TARGET_P95_MS} ms`, met: false });
          continue;
        }
        const times: number[] = [];
        failures = 0;
        for (let i = 0; i < REQUESTS; i++) {
          const start = performance.now();
          const answer = await fetch(target);
          await answer.arrayBuffer();
          times.push(performance.now() - start);
          if (answer.status !== 200) failures++;
        }
        times.sort((a, b) => a - b);
        const p95 = percentile(times, 95);
        const measure = `${query.name}, ${label}, ${PHOTOS} photos (${body.photos ? `${body.photos.length} a page` : `${body.clusters?.length ?? 0} clusters and ${body.points?.length ?? 0} points of ${body.total ?? 0} photos`}${failures ? `; ${failures} answers not 200` : ""})`;
        rows.push({ section: "discover", measure: `${measure}: p50`, value: percentile(times, 50), unit: "ms" });
        rows.push({ section: "discover", measure: `${measure}: p95`, value: p95, unit: "ms", target: `< ${TARGET_P95_MS} ms`, met: p95 < TARGET_P95_MS && failures === 0 });
      }
      console.error(`  ${label}: "${site.commonWord.word}" is in ${site.commonWord.photos} photos' titles or descriptions, tag "${site.commonTag.tag}" on ${site.commonTag.photos}`);
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchDiscover(): Promise<Row[]> {
  const kinds = (process.env.BENCH_DISCOVER_DATABASES ?? "sqlite,postgres").split(",") as Array<"sqlite" | "postgres">;
  const rows: Row[] = [];
  for (const kind of kinds) rows.push(...(await measure(kind)));
  return rows;
}
