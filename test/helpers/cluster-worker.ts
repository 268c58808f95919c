/**
 * One "server" of a cluster for test/ops/cluster-jobs.test.ts, as its own process: the real
 * JobRunner and PeriodicTask over the real repositories, on the database in DATABASE_URL with
 * the web server's deadlines. Its job and its periodic task write each execution to tables the
 * test made, so the test counts executions in the database. Prints "ready" once running.
 */
import pg from "pg";
import pino from "pino";
import { systemClock } from "../../src/clock.ts";
import { openDatabase, REQUEST_DEADLINE_MS } from "../../src/db/database.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { JobRunner, type JobResult } from "../../src/jobs/runner.ts";
import { PeriodicTask } from "../../src/ops/periodic.ts";
import { PeriodicRunsRepository } from "../../src/ops/periodic-repository.ts";

const url = process.env.DATABASE_URL!;
const name = process.env.WORKER_NAME!;
const periodMs = Number(process.env.PERIOD_MS);
const leaseMs = Number(process.env.LEASE_MS);

const database = openDatabase({ databaseUrl: url, dataDir: process.cwd(), requestDeadlineMs: REQUEST_DEADLINE_MS });
const record = new pg.Pool({ connectionString: url, max: 4 });
record.on("error", () => {});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const runner = new JobRunner({
  jobs: new JobsRepository(database.db),
  clock: systemClock,
  log: pino({ level: "warn" }),
  pollMs: 50,
  concurrency: 3,
  leaseMs,
  handlers: {
    "test.count": {
      run: async (raw, job): Promise<JobResult> => {
        const payload = raw as { ms: number; firstAttemptMs?: number };
        await record.query("insert into executions (job_id, worker, attempt, started_at) values ($1, $2, $3, $4)", [job.id, name, job.attempts, Date.now()]);
        await sleep(job.attempts === 1 && payload.firstAttemptMs ? payload.firstAttemptMs : payload.ms);
        await record.query("update executions set finished_at = $1 where job_id = $2 and worker = $3 and attempt = $4", [Date.now(), job.id, name, job.attempts]);
        return { status: "done" };
      },
    },
  },
});

const task = new PeriodicTask({
  task: "test.tick",
  intervalMs: periodMs,
  runs: new PeriodicRunsRepository(database.db),
  clock: systemClock,
  holder: name,
  say: () => {},
  work: async (slot) => {
    await record.query("insert into ticks (worker, slot, at) values ($1, $2, $3)", [name, slot, Date.now()]);
    return undefined;
  },
});

runner.start();
task.start(0);
// The runner's and the task's timers do not keep a process alive (a server's listener does).
const alive = setInterval(() => {}, 60_000);
process.stdout.write("ready\n");

process.on("SIGTERM", () => {
  void (async () => {
    clearInterval(alive);
    await task.stop();
    await runner.stop();
    await database.close();
    await record.end();
    process.exit(0);
  })();
});
