import os from "node:os";
import { test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import type { DatabaseHandle } from "../db/database.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { JobsRepository } from "./repository.ts";
import { JobRunner, type JobResult } from "./runner.ts";

async function withDatabase(body: (database: DatabaseHandle) => Promise<void>): Promise<void> {
  const database = await openTestDatabase("jobs");
  try {
    await body(database.handle);
  } finally {
    await database.close();
  }
}

const silent = pino({ level: "silent" });

test("a failing job is retried with growing backoff and marked failed after its last attempt", async () => {
  await withDatabase(async (database) => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const jobs = new JobsRepository(database.db);
    let calls = 0;
    const runner = new JobRunner({
      jobs,
      clock,
      log: silent,
      maxAttempts: 3,
      handlers: {
        flaky: {
          run: async (): Promise<JobResult> => {
            calls++;
            throw new Error(`attempt ${calls} broke`);
          },
        },
      },
    });
    const id = await runner.enqueue("flaky", { n: 1 });
    await runner.drain();
    let [row] = await jobs.list(10);
    assert.equal(row?.state, "pending");
    assert.equal(row?.run_after, now + 5000, "first retry after 5 s");
    assert.equal(row?.last_error, "attempt 1 broke");
    now += 5000;
    await runner.drain();
    [row] = await jobs.list(10);
    assert.equal(row?.run_after, now + 10_000, "second retry after 10 s");
    now += 10_000;
    await runner.drain();
    [row] = await jobs.list(10);
    assert.equal(row?.id, id);
    assert.equal(row?.state, "failed");
    assert.equal(calls, 3);
    assert.deepEqual(await jobs.backlog(), { pending: 0, running: 0, failed: 1 });
  });
});

test("a job is claimed by one runner only, and a lease that runs out lets another take it over", async () => {
  await withDatabase(async (database) => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const jobs = new JobsRepository(database.db);
    const id = await jobs.enqueue({ kind: "slow", payload: {}, runAfter: now }, now);
    const first = await jobs.claimDue(["slow"], "a", now, 60_000, 10);
    const second = await jobs.claimDue(["slow"], "b", now, 60_000, 10);
    assert.deepEqual(first.map((j) => j.id), [id]);
    assert.deepEqual(second, [], "a held job is not handed out twice");
    now += 61_000;
    const takeover = await jobs.claimDue(["slow"], "b", now, 60_000, 10);
    assert.deepEqual(takeover.map((j) => j.id), [id], "the dead worker's job is taken over after its lease");
    await jobs.complete(id, "a");
    assert.equal((await jobs.list(10)).length, 1, "the worker that lost its lease cannot finish the job");
    await jobs.complete(id, "b");
    assert.equal((await jobs.list(10)).length, 0);
    void clock;
  });
});

test("leases of a dead process on this machine are handed back at start-up, live ones are kept", async () => {
  await withDatabase(async (database) => {
    const now = 1_000_000;
    const jobs = new JobsRepository(database.db);
    const runner = new JobRunner({ jobs, clock: { now: () => now }, log: silent, handlers: {} });
    const dead = await jobs.enqueue({ kind: "k", payload: {}, runAfter: now }, now);
    const live = await jobs.enqueue({ kind: "k", payload: {}, runAfter: now }, now);
    // A pid far above pid_max belongs to no running process.
    await jobs.claimById(dead, `${os.hostname()}:99999999:abc123`, now, 600_000);
    await jobs.claimById(live, `${os.hostname()}:${process.ppid}:abc123`, now, 600_000);
    assert.equal(await runner.releaseDeadLeases(), 1);
    const rows = await jobs.list(10);
    assert.equal(rows.find((r) => r.id === dead)?.state, "pending");
    assert.equal(rows.find((r) => r.id === live)?.state, "running");
  });
});

test("postponements do not use up a job's attempts: a job held back many times still gets its retries", async () => {
  await withDatabase(async (database) => {
    let now = 1_000_000;
    const jobs = new JobsRepository(database.db);
    let postpone = 12;
    let failures = 0;
    const runner = new JobRunner({
      jobs,
      clock: { now: () => now },
      log: silent,
      maxAttempts: 3,
      handlers: {
        held: {
          run: async (): Promise<JobResult> => {
            if (postpone-- > 0) return { status: "later", at: now + 1000, reason: "a backup is running" };
            failures++;
            throw new Error("a blip");
          },
        },
      },
    });
    await runner.enqueue("held", {});
    for (let i = 0; i < 13; i++) {
      await runner.drain();
      now += 1000;
    }
    const [row] = await jobs.list(10);
    assert.equal(failures, 1);
    assert.equal(row?.state, "pending", "one failure after twelve postponements is retried, not given up");
    assert.equal(row?.attempts, 1);
  });
});

test("a hand-off runner (a web-only server) runs nothing itself: work asked for now is made due at once, and a worker's runner does it", async () => {
  await withDatabase(async (database) => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const jobs = new JobsRepository(database.db);
    const ran: string[] = [];
    const handlers = { note: { run: async (payload: unknown): Promise<JobResult> => (ran.push((payload as { who: string }).who), { status: "done" }) } };
    const web = new JobRunner({ jobs, clock, log: silent, handlers, handOff: true });
    const worker = new JobRunner({ jobs, clock, log: silent, handlers: { ...handlers } });
    const later = await web.enqueue("note", { who: "later" }, 60_000);
    const soon = await web.enqueue("note", { who: "soon" }, 60_000);
    web.runSoon(soon);
    await web.runNow(later);
    await web.stop();
    assert.deepEqual(ran, [], "the web runner ran nothing");
    const rows = await jobs.list(10);
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.run_after, r.attempts]).sort(), [[later, "pending", now, 0], [soon, "pending", now, 0]].sort());
    now += 1;
    await worker.drain();
    assert.deepEqual(ran.sort(), ["later", "soon"]);
    assert.deepEqual(await jobs.backlog(), { pending: 0, running: 0, failed: 0 });
  });
});

test("a job running longer than its lease keeps it while its runner lives: the lease is renewed, and no other runner takes the job", async () => {
  await withDatabase(async (database) => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const jobs = new JobsRepository(database.db);
    let finish: () => void = () => {};
    const started = new Promise<void>((resolveStarted) => {
      const handlers = {
        slow: {
          run: () =>
            new Promise<JobResult>((resolve) => {
              finish = () => resolve({ status: "done" });
              resolveStarted();
            }),
        },
      };
      const runner = new JobRunner({ jobs, clock, log: silent, handlers, leaseMs: 60_000, renewEveryMs: 20 });
      void runner.enqueue("slow", {}).then((id) => runner.runNow(id));
    });
    await started;
    const [claimed] = await jobs.list(1);
    assert.equal(claimed?.locked_until, 1_060_000);
    // Later, the runner renews the lease it holds.
    now += 50_000;
    for (let i = 0; ; i++) {
      const [row] = await jobs.list(1);
      if (row?.locked_until === now + 60_000) break;
      assert.ok(i < 500, "the lease was renewed");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Past the first lease's end, another runner finds nothing to take over.
    now += 30_000;
    assert.deepEqual(await jobs.claimDue(["slow"], "other", now, 60_000, 10), []);
    finish();
    for (let i = 0; (await jobs.list(1)).length > 0; i++) {
      assert.ok(i < 500, "the job finished");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
});

test("a job's outcome the database could not take is written at the next poll, not left held until its lease runs out", async () => {
  await withDatabase(async (database) => {
    const now = 1_000_000;
    const clock = { now: () => now };
    // The database goes away for the moment the job ends: its completion fails as pg fails it.
    class Outage extends JobsRepository {
      down = true;
      override async complete(id: number, workerId: string): Promise<void> {
        if (this.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        return super.complete(id, workerId);
      }
    }
    const jobs = new Outage(database.db);
    let runs = 0;
    const runner = new JobRunner({ jobs, clock, log: silent, pollMs: 20, leaseMs: 60 * 60_000, handlers: { work: { run: async () => (runs++, { status: "done" }) } } });
    await runner.enqueue("work", {});
    runner.start();
    try {
      for (let i = 0; i < 200 && runs === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(runs, 1);
      assert.deepEqual(await jobs.backlog(), { pending: 0, running: 1, failed: 0 }, "held while the completion cannot be written");
      jobs.down = false;
      for (let i = 0; i < 200 && (await jobs.backlog()).running > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await jobs.backlog(), { pending: 0, running: 0, failed: 0 }, "completed once the database answers, an hour before the lease runs out");
      assert.equal(runs, 1, "and not run again");
    } finally {
      await runner.stop();
    }
  });
});
