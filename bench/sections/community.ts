import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { ExploreRepository } from "../../src/explore/repository.ts";
import { ExploreService } from "../../src/explore/service.ts";
import { PeriodicRunsRepository } from "../../src/ops/periodic-repository.ts";
import { systemClock } from "../../src/clock.ts";
import type { Row } from "../lib/report.ts";
import { seedCommunity, seedSite } from "../lib/seed.ts";
import { startServerProcess } from "../lib/server-process.ts";
import { wrk, type WrkResult } from "../lib/wrk.ts";

// The full size is 10,000 members, 100,000 photos, 1,000,000 faves and 300,000 comments
// — the defaults, which seed in well under a minute on 2 cores (BENCH_FAVES, BENCH_COMMENTS to shrink it).
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const PHOTOS = Number(process.env.BENCH_PHOTOS ?? 100_000);
const FAVES = Number(process.env.BENCH_FAVES ?? 1_000_000);
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 300_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONNECTIONS = 20;
const FEATURED = { faves: 500, comments: 50, following: 500 };

/** Logs in through the form, as a browser does, and answers the cookie header of the session. */
async function logIn(baseUrl: string, username: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const form = await fetch(`${baseUrl}/login`, { headers: { accept: "text/html" } });
  remember(form);
  const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec(await form.text())?.[1] ?? "";
  const answer = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { accept: "text/html", cookie: header(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password, _csrf: csrf }),
    redirect: "manual",
  });
  remember(answer);
  await answer.arrayBuffer();
  if (answer.status !== 303) throw new Error(`logging in as ${username} answered ${answer.status}`);
  return header();
}

async function load(url: string, paths: string[], headers?: Record<string, string>): Promise<WrkResult> {
  await wrk({ url, paths, seconds: 3, connections: CONNECTIONS, headers }); // warm-up
  const result = await wrk({ url, paths, seconds: SECONDS, connections: CONNECTIONS, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${paths[0]}: ${result.non2xx} non-2xx answers and ${result.errors} socket errors`);
  return result;
}

export async function benchCommunity(): Promise<Row[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-community-"));
  try {
    const database = openDatabase({ databaseUrl: null, dataDir });
    await migrateToLatest(database.db);
    const seedStart = performance.now();
    const { photoPaths } = await seedSite(database.db, MEMBERS, PHOTOS);
    const community = await seedCommunity(database.db, { faves: FAVES, comments: COMMENTS, contacts: CONTACTS }, FEATURED);
    console.error(`  seeded ${MEMBERS} members, ${PHOTOS} photos, ${FAVES + FEATURED.faves} faves, ${COMMENTS + FEATURED.comments} comments, ${CONTACTS + FEATURED.following} contacts on SQLite in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    // One ranking through the service, as the server's timer runs it.
    const explore = new ExploreService({ explore: new ExploreRepository(database.db), runs: new PeriodicRunsRepository(database.db), holder: "bench", clock: systemClock, baseUrl: "http://localhost", say: () => {} });
    const rankStart = performance.now();
    const ranked = await explore.refresh();
    const rankMs = performance.now() - rankStart;
    console.error(`  Explore ranked ${ranked} photos in ${rankMs.toFixed(0)} ms`);
    await database.close();

    const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir }, ["--workers", String(WORKERS)]);
    try {
      const cookie = await logIn(server.url, community.follower.username, community.follower.password);
      const activity = await fetch(`${server.url}/activity`, { headers: { cookie, accept: "text/html" } });
      const activityHtml = await activity.text();
      if (activity.status !== 200 || !activityHtml.includes("/img/")) throw new Error(`the activity page answered ${activity.status} without photos`);
      const featured = await fetch(server.url + community.featuredPath);
      const featuredHtml = await featured.text();
      if (featured.status !== 200 || !featuredHtml.includes("500 faves")) throw new Error(`the featured photo page answered ${featured.status} without its 500 faves`);
      const explorePage = await fetch(`${server.url}/explore`);
      if (explorePage.status !== 200 || !(await explorePage.text()).includes("/img/")) throw new Error("the Explore page shows no photos");

      const sample = photoPaths.filter((_, i) => i % Math.max(1, Math.floor(photoPaths.length / 5000)) === 0);
      const plain = await load(server.url, sample);
      const size = `${PHOTOS} photos / ${MEMBERS} members, ${CONNECTIONS} connections, ${WORKERS} workers, SQLite`;
      const rows: Row[] = [
        { section: "community", measure: `plain photo page (random public photos), ${size}`, value: plain.requestsPerSecond, unit: "req/s" },
        { section: "community", measure: "plain photo page p99 latency", value: plain.p99Ms, unit: "ms" },
        { section: "community", measure: "Explore ranking (one run through the service)", value: rankMs, unit: "ms" },
      ];
      const against = async (name: string, paths: string[], headers?: Record<string, string>) => {
        const result = await load(server.url, paths, headers);
        const ratio = result.requestsPerSecond / plain.requestsPerSecond;
        rows.push(
          { section: "community", measure: name, value: result.requestsPerSecond, unit: "req/s", reference: { name: "plain photo page", value: plain.requestsPerSecond }, ratio, target: ">= 0.5× plain photo page", met: ratio >= 0.5 },
          { section: "community", measure: `${name} p99 latency`, value: result.p99Ms, unit: "ms", reference: { name: "plain photo page p99", value: plain.p99Ms } },
        );
      };
      await against(`photo page with ${FEATURED.comments} comments and ${FEATURED.faves} faves`, [community.featuredPath]);
      await against(`activity page of a member following ${FEATURED.following} (logged in)`, ["/activity"], { cookie });
      await against("Explore page (after one ranking)", ["/explore"]);
      return rows;
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
