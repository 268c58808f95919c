import fs from "node:fs";
import path from "node:path";
import { createMember, upload } from "../lib/client.ts";
import type { Row } from "../lib/report.ts";
import { startLoad } from "../../test/helpers/load.ts";
import { startServeProcess } from "../../test/helpers/serve-process.ts";

const CORPUS = process.env.PINHOLE_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** As an operator runs it on this 2-core machine. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const RELOADS = 2;
const CONCURRENCY = 16;
const RELOAD_COMPLETE = /^pinhole: reload complete in (\d+) ms/;
const STEP = /^pinhole: worker \d+ (listening (\d+) ms after fork|drained and exited in (\d+) ms)/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rolling reload under load: `serve --workers 2` on SQLite (PostgreSQL when
 * PINHOLE_TEST_DATABASE_URL is set), the test suite's keep-alive load generator on a photo
 * page, /healthz, an image URL and a small API GET, and SIGHUP twice while it runs. Counts
 * every failed request (a connection error or a 5xx; the target is none), times each reload
 * from SIGHUP until the primary says it is complete, and compares the request rate during
 * the reloads with the rate before.
 */
export async function benchReload(): Promise<Row[]> {
  const server = await startServeProcess(["--workers", String(WORKERS)], { PINHOLE_LOG_LEVEL: "warn" });
  try {
    await server.waitFor("stderr", /^pinhole: worker \d+ listening$/, WORKERS);
    const token = await createMember(server.url, "reloader");
    const photo = (await upload(server.url, token, new Uint8Array(fs.readFileSync(path.join(CORPUS, "photos/evening-boats.jpg"))))).body as {
      id: string;
      owner: { username: string };
      sizes: Array<{ url: string }>;
    };
    const load = startLoad({
      baseUrl: server.url,
      paths: [`/photos/${photo.owner.username}/${photo.id}`, "/healthz", new URL(photo.sizes[0]!.url).pathname, `/api/v1/photos/${photo.id}`],
      concurrency: CONCURRENCY,
      headers: { accept: "text/html" },
      maxMs: (SECONDS * 2 + 120) * 1000,
    });
    await load.reached(500); // warm-up
    const steadyStart = { at: performance.now(), count: load.completed() };
    await sleep((SECONDS * 1000) / 2);
    const steadyRate = (load.completed() - steadyStart.count) / ((performance.now() - steadyStart.at) / 1000);
    const durations: number[] = [];
    let reloadRequests = 0;
    let reloadSeconds = 0;
    for (let n = 1; n <= RELOADS; n++) {
      const start = { at: performance.now(), count: load.completed() };
      server.child.kill("SIGHUP");
      await server.waitFor("stderr", RELOAD_COMPLETE, n);
      const seconds = (performance.now() - start.at) / 1000;
      durations.push(seconds * 1000);
      reloadRequests += load.completed() - start.count;
      reloadSeconds += seconds;
      await sleep((SECONDS * 1000) / 4);
    }
    const result = await load.stop();
    if (result.failed > 0) console.error(`  failures: ${result.failures.join("; ")}`);
    const reloadRate = reloadRequests / reloadSeconds;
    const average = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
    const mean = average(durations);
    const steps = server.stderrLines.map((line) => STEP.exec(line)).filter((m) => m !== null);
    const starts = steps.filter((m) => m[2] !== undefined).map((m) => Number(m[2]));
    const drains = steps.filter((m) => m[3] !== undefined).map((m) => Number(m[3]));
    return [
      { section: "reload", measure: `requests sent through ${RELOADS} rolling reloads, ${CONCURRENCY} keep-alive connections, ${WORKERS} workers`, value: result.sent, unit: "requests" },
      { section: "reload", measure: "failed requests (connection errors or 5xx)", value: result.failed, unit: "requests", target: "0", met: result.failed === 0 },
      { section: "reload", measure: `reload duration, SIGHUP until "reload complete" (mean of ${RELOADS}; slowest ${Math.round(Math.max(...durations))} ms)`, value: mean, unit: "ms" },
      { section: "reload", measure: `of which: a new worker starting, fork until listening (mean of ${starts.length})`, value: average(starts), unit: "ms" },
      { section: "reload", measure: `of which: an old worker draining, SIGTERM until exit (mean of ${drains.length})`, value: average(drains), unit: "ms" },
      { section: "reload", measure: "request rate during reloads", value: reloadRate, unit: "req/s", reference: { name: "before the reloads", value: steadyRate }, ratio: reloadRate / steadyRate },
    ];
  } finally {
    await server.cleanUp();
  }
}
