import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { systemClock } from "../../src/clock.ts";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";

const WORKER = path.join(import.meta.dirname, "..", "helpers", "cluster-worker.ts");
const PERIOD_MS = 1000;
/** Shorter than the long jobs below: only the renewal keeps them from being taken over. */
const LEASE_MS = 900;

interface Worker {
  name: string;
  output: string[];
  child: ChildProcess;
  exited: Promise<unknown>;
}

async function startWorker(url: string, name: string): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
    env: { ...process.env, DATABASE_URL: url, WORKER_NAME: name, PERIOD_MS: String(PERIOD_MS), LEASE_MS: String(LEASE_MS) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output.push(chunk.toString("utf8"));
      if (output.join("").includes("ready")) resolve();
    });
    void exited.then(() => reject(new Error(`worker ${name} exited before it was ready`)));
  });
  return { name, output, child, exited };
}

async function until<T>(what: string, check: () => Promise<T | false>, timeoutMs = 30_000, explain: () => Promise<string> = async () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() >= deadline) assert.fail(`${what} within ${timeoutMs / 1000} s ${await explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Execution {
  job_id: number;
  worker: string;
  attempt: number;
  started_at: number;
  finished_at: number | null;
}

test("two server processes on one PostgreSQL: a periodic task runs once per period, a job never runs twice, and a SIGKILLed worker's job is taken over after its lease", { timeout: 120_000 }, async (t) => {
  if (!TEST_POSTGRES_URL) {
    t.skip("PostgreSQL only: set PINHOLE_TEST_DATABASE_URL=postgres://… to run this test (.ci/run does)");
    return;
  }
  const created = await createPostgresDatabase(TEST_POSTGRES_URL);
  const handle = openDatabase({ databaseUrl: created.url, dataDir: process.cwd() });
  const counts = new pg.Pool({ connectionString: created.url, max: 2 });
  const workers: Worker[] = [];
  try {
    await migrateToLatest(handle.db);
    await counts.query("create table executions (job_id bigint not null, worker text not null, attempt int not null, started_at bigint not null, finished_at bigint)");
    await counts.query("create table ticks (worker text not null, slot bigint not null, at bigint not null)");
    const jobs = new JobsRepository(handle.db);
    const enqueue = (payload: object) => jobs.enqueue({ kind: "test.count", payload, runAfter: systemClock.now() }, systemClock.now());
    const started = Date.now();

    // Many short jobs, and a few that run three leases long.
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(await enqueue({ ms: 100 }));
    for (let i = 0; i < 3; i++) ids.push(await enqueue({ ms: 3 * LEASE_MS }));
    workers.push(await startWorker(created.url, "a"), await startWorker(created.url, "b"));
    const executions = async (): Promise<Execution[]> => (await counts.query<Execution>("select job_id::int, worker, attempt, started_at::float8 as started_at, finished_at::float8 as finished_at from executions order by started_at")).rows;
    await until("every job done", async () => (await jobs.backlog()).pending + (await jobs.backlog()).running === 0);
    const done = await executions();
    for (const id of ids) {
      const runs = done.filter((e) => e.job_id === id);
      assert.equal(runs.length, 1, `job ${id} ran once: ${JSON.stringify(runs)}`);
      assert.ok(runs[0]!.finished_at !== null);
    }
    const byWorker = (name: string) => done.filter((e) => e.worker === name).length;
    assert.equal(byWorker("a") + byWorker("b"), ids.length);

    // A job whose first run never ends: its worker is killed with SIGKILL in the middle of it.
    const stuck = await enqueue({ ms: 50, firstAttemptMs: 600_000 });
    const first = await until("the stuck job started", async () => (await executions()).find((e) => e.job_id === stuck) ?? false);
    const victim = workers.find((w) => w.name === first.worker)!;
    const survivor = workers.find((w) => w.name !== first.worker)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    const killedAt = Date.now();
    assert.equal(survivor.child.exitCode, null, "the other worker still runs");
    await until("the survivor finished the dead worker's job", async () => (await executions()).some((e) => e.job_id === stuck && e.finished_at !== null), 20_000, async () => JSON.stringify({ jobs: await jobs.list(5), now: Date.now(), killedAt, executions: (await executions()).filter((e) => e.job_id === stuck), survivor: survivor.output.join("").slice(-3000), locks: (await counts.query("select pid, state, query, wait_event_type from pg_stat_activity where datname = current_database()")).rows }));
    const runs = (await executions()).filter((e) => e.job_id === stuck);
    assert.equal(runs.length, 2, JSON.stringify(runs));
    assert.equal(runs[1]!.worker, survivor.name, "taken over by the live worker");
    assert.ok(runs[1]!.started_at >= killedAt - 50, "only after its worker died: the lease was renewed until then");
    assert.equal(runs[1]!.attempt, 2);

    // Periodic ticks go on, on the survivor alone now, for a few more periods.
    await new Promise((resolve) => setTimeout(resolve, 3 * PERIOD_MS));
    survivor.child.kill("SIGTERM");
    await survivor.exited;
    const elapsedPeriods = (Date.now() - started) / PERIOD_MS;

    const ticks = (await counts.query<{ worker: string; slot: number; at: number }>("select worker, slot::float8 as slot, at::float8 as at from ticks order by at")).rows;
    const claimed = (await counts.query<{ slot: number; started_by: string }>("select slot::float8 as slot, started_by from periodic_runs where task = 'test.tick' order by slot")).rows;
    const slots = ticks.map((tick) => tick.slot);
    assert.equal(new Set(slots).size, slots.length, `no period ran twice: ${JSON.stringify(ticks)}`);
    // Each claimed period ran exactly once (the killed worker may have claimed one and died before its tick).
    assert.ok(claimed.length - ticks.length <= 1 && claimed.length >= ticks.length, `${claimed.length} periods claimed, ${ticks.length} ran`);
    assert.ok(ticks.length >= elapsedPeriods / 2, `${ticks.length} runs in ${elapsedPeriods.toFixed(1)} periods`);
    assert.ok(ticks.some((tick) => tick.worker === survivor.name && tick.at > killedAt + PERIOD_MS), "the survivor kept running the periodic task");
    console.log(`# jobs: a ran ${byWorker("a")}, b ran ${byWorker("b")}; ${ticks.length} periodic runs in ${elapsedPeriods.toFixed(1)} periods (a ${ticks.filter((x) => x.worker === "a").length}, b ${ticks.filter((x) => x.worker === "b").length}); the SIGKILLed worker's job taken over ${Math.round(runs[1]!.started_at - killedAt)} ms after the kill`);
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await counts.end();
    await handle.close();
    await created.drop();
  }
});
