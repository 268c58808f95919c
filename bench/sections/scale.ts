import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import { derivativeKey } from "../../src/images/keys.ts";
import { LocalDiskStore } from "../../src/storage/local-disk.ts";
import { startHaproxy } from "../../test/helpers/haproxy.ts";
import { api, buildMember, photoForm } from "../../test/helpers/client.ts";
import { distinctJpeg } from "../../test/helpers/images.ts";
import type { Row } from "../lib/report.ts";
import { seededSite } from "../lib/seeded-site.ts";
import { freePort, startServerProcess, type ServerProcess } from "../lib/server-process.ts";
import { wrk } from "../lib/wrk.ts";

const MEMBERS = Number(process.env.BENCH_SCALE_MEMBERS ?? 100_000);
const PHOTOS = Number(process.env.BENCH_SCALE_PHOTOS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 32);
/** Photos given real image files: every image URL of the mix is one of theirs. */
const PHOTOS_WITH_FILES = 400;
const UPLOAD_EVERY_MS = 500;

interface PagePhoto {
  id: string;
  username: string;
  secret: string;
}

/**
 * The request mix, as paths wrk picks from at random (an entry repeated is a weight): photo
 * pages 35%, image URLs 30% (thumbnails and the 500 px size most, as grids and pages ask),
 * photostreams 15%, tag pages 10%, search 10%. Uploads run beside wrk (`uploadLoop`).
 */
function mix(photos: PagePhoto[], tags: string[], words: string[]): string[] {
  const pick = <T>(list: T[], i: number) => list[i % list.length]!;
  const paths: string[] = [];
  for (let i = 0; i < 350; i++) {
    const p = pick(photos, i * 7);
    paths.push(`/photos/${p.username}/${p.id}`);
  }
  const sizes = ["sq150", "sq150", "240", "500", "500", "1024"];
  for (let i = 0; i < 300; i++) {
    const p = pick(photos, i * 13);
    paths.push(`/img/${p.id}/${p.secret}/${pick(sizes, i)}.jpg`);
  }
  for (let i = 0; i < 150; i++) paths.push(`/photos/${pick(photos, i * 11).username}`);
  for (let i = 0; i < 100; i++) paths.push(`/photos/tags/${encodeURIComponent(pick(tags, i))}`);
  for (let i = 0; i < 100; i++) paths.push(`/search?q=${encodeURIComponent(pick(words, i))}`);
  return paths;
}

/** CPU seconds used so far by every PostgreSQL process on this machine (backends that exit take theirs along). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.split(") ")[1]!.split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
}

/** Uploads through the load balancer, one at a time, every `UPLOAD_EVERY_MS`, until stopped: the write share of the mix. */
function uploadLoop(url: string, token: string): { stop: () => Promise<{ created: number; failed: number }> } {
  let running = true;
  let created = 0;
  let failed = 0;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const answer = await api({ url }, "POST", "/api/v1/photos", { token, form: photoForm(await distinctJpeg(1200, 800), { title: "scale bench upload" }, "upload.jpg") });
        if (answer.status === 201) created++;
        else failed++;
      } catch {
        failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, UPLOAD_EVERY_MS - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { created, failed };
    },
  };
}

/**
 * Real image files for a few hundred seeded photos (the seed writes rows only): one set of
 * JPEGs made once, stored under each of these photos' keys, so their image URLs answer 200.
 */
async function writeImageFiles(dataDir: string, photos: PagePhoto[]): Promise<void> {
  const store = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
  const source = sharp({ create: { width: 2048, height: 1365, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg();
  const base = await source.toBuffer();
  const sizes: Array<[string, number, number]> = [["sq75", 75, 75], ["sq150", 150, 150], ["100", 100, 67], ["240", 240, 160], ["320", 320, 213], ["500", 500, 333], ["640", 640, 427], ["800", 800, 533], ["1024", 1024, 683], ["1600", 1600, 1067], ["2048", 2048, 1365]];
  const bytes = await Promise.all(sizes.map(async ([size, width, height]) => [size, await sharp(base).resize(width, height).jpeg({ quality: 80 }).toBuffer()] as const));
  for (const photo of photos) for (const [size, data] of bytes) await store.put(derivativeKey(photo.id, photo.secret, size, "jpeg"), data);
}

async function samplePhotos(url: string): Promise<{ photos: PagePhoto[]; tags: string[]; words: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Spread over the whole id range, public and visible to anyone.
    const photos = await client.query<{ id: string; username: string; secret: string }>(
      `select p.id::text as id, u.username, p.secret from photos p join users u on u.id = p.owner_id
       where p.visibility = 'public' and p.restricted = 0 and p.hidden_at is null and p.id % 97 = 0 order by p.id limit $1`,
      [PHOTOS_WITH_FILES],
    );
    const tags = await client.query<{ tag: string }>(`select tag from photo_tags group by tag order by count(*) desc limit 50`);
    const words = await client.query<{ word: string }>(`select word from search_postings where level = 2 group by word order by count(*) desc offset 20 limit 50`);
    return { photos: photos.rows, tags: tags.rows.map((r) => r.tag), words: words.rows.map((r) => r.word) };
  } finally {
    await client.end();
  }
}

/**
 * The scale run (issue: scale out): a site of `BENCH_SCALE_MEMBERS` members and
 * `BENCH_SCALE_PHOTOS` photos on PostgreSQL (the discover seed at that size, cached as a
 * template database), served by one and then two `pinhole serve` processes behind HAProxy
 * running deploy/haproxy.cfg, under the mix above plus an upload every half second. Per
 * server count: req/s, p50 and p99, non-2xx answers, CPU seconds per 1,000 requests of each
 * app server and of PostgreSQL, uploads acknowledged. On one shared 2-core machine the load
 * generator, HAProxy, PostgreSQL and the servers compete for the same cores, so these are the
 * costs per request, not the throughput of a real deployment (deploy/README.md).
 */
export async function benchScale(): Promise<Row[]> {
  const rows: Row[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-scale-"));
  const { url, drop } = await seededSite("postgres", dataDir, { photos: PHOTOS, members: MEMBERS });
  try {
    const { photos, tags, words } = await samplePhotos(url!);
    await writeImageFiles(dataDir, photos);
    const paths = mix(photos, tags, words);
    for (const count of [1, 2]) {
      const servers: ServerProcess[] = [];
      for (let i = 0; i < count; i++) servers.push(await startServerProcess({ PINHOLE_DATA_DIR: dataDir, DATABASE_URL: url!, PINHOLE_TRUST_PROXY: "1" }));
      const lbPort = await freePort();
      const lb = await startHaproxy({ port: lbPort, apps: servers.map((s) => new URL(s.url).host) });
      try {
        for (let i = 0; i < servers.length; i++) await lb.waitFor(`app${i + 1}`, "UP");
        const member = await buildMember({ url: lb.url });
        // Warm-up: caches filled and connections made, as on a site that has been running.
        await wrk({ url: lb.url, paths, seconds: 3, connections: CONNECTIONS });
        const cpuBefore = servers.map((s) => s.cpuSeconds());
        const pgBefore = postgresCpuSeconds();
        const uploads = uploadLoop(lb.url, member.token);
        const result = await wrk({ url: lb.url, paths, seconds: SECONDS, connections: CONNECTIONS, threads: 2 });
        const uploaded = await uploads.stop();
        const requests = result.requestsPerSecond * SECONDS + uploaded.created;
        const perThousand = (seconds: number) => (seconds / requests) * 1000;
        const label = `scale, ${MEMBERS} members and ${PHOTOS} photos on PostgreSQL, ${count} app server${count > 1 ? "s" : ""} behind HAProxy, ${CONNECTIONS} connections`;
        rows.push({ section: "scale", measure: `${label}: requests/s`, value: result.requestsPerSecond, unit: "req/s" });
        rows.push({ section: "scale", measure: `${label}: p50`, value: result.p50Ms, unit: "ms" });
        rows.push({ section: "scale", measure: `${label}: p99`, value: result.p99Ms, unit: "ms" });
        rows.push({ section: "scale", measure: `${label}: answers not 2xx/3xx, socket errors`, value: result.non2xx + result.errors, unit: "requests" });
        servers.forEach((server, i) => rows.push({ section: "scale", measure: `${label}: app server ${i + 1} CPU per 1,000 requests`, value: perThousand(server.cpuSeconds() - cpuBefore[i]!), unit: "s" }));
        rows.push({ section: "scale", measure: `${label}: PostgreSQL CPU per 1,000 requests`, value: perThousand(postgresCpuSeconds() - pgBefore), unit: "s" });
        rows.push({ section: "scale", measure: `${label}: uploads acknowledged (one every ${UPLOAD_EVERY_MS} ms asked; failed ${uploaded.failed})`, value: uploaded.created, unit: "uploads" });
      } finally {
        await lb.stop();
        for (const server of servers) await server.stop();
      }
    }
    return rows;
  } finally {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
