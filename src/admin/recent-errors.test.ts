import { test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { RecentErrors } from "./recent-errors.ts";
import type { RecentErrorRow, RecentErrorsRepository } from "./recent-errors-repository.ts";

const silent = pino({ level: "silent" });
const failure = { message: "boom", route: "GET /x", requestId: "req-1" };
const settle = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/** A repository that keeps rows in memory, or fails (like a database that is down), or never answers. */
function fakeRepository(mode: { fail?: boolean; hang?: boolean } = {}) {
  const rows: Array<Omit<RecentErrorRow, "id">> = [];
  let calls = 0;
  const repository = {
    async insert(entry: Omit<RecentErrorRow, "id">) {
      calls++;
      if (mode.hang) return new Promise<void>(() => {});
      if (mode.fail) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      rows.push(entry);
    },
  } as unknown as RecentErrorsRepository;
  return { repository, rows, calls: () => calls };
}

test("recording returns at once and writes after the current turn, with the time and a capped message", async () => {
  const fake = fakeRepository();
  const errors = new RecentErrors(fake.repository, { now: () => 1_000 }, silent);
  errors.record({ ...failure, message: "x".repeat(5000) });
  assert.equal(fake.calls(), 0, "nothing is written while the error response is being made");
  await settle();
  assert.equal(fake.rows.length, 1);
  assert.equal(fake.rows[0]?.occurred_at, 1_000);
  assert.equal(fake.rows[0]?.route, "GET /x");
  assert.equal(fake.rows[0]?.request_id, "req-1");
  assert.equal(fake.rows[0]?.message.length, 2000);
});

test("a database that fails never makes recording throw, and recording pauses for a while after a failure", async () => {
  let now = 0;
  const fake = fakeRepository({ fail: true });
  const errors = new RecentErrors(fake.repository, { now: () => now }, silent);
  assert.doesNotThrow(() => errors.record(failure));
  await settle();
  assert.equal(fake.calls(), 1);
  errors.record(failure);
  errors.record(failure);
  await settle();
  assert.equal(fake.calls(), 1, "skipped while the database is failing");
  now += 31_000;
  errors.record(failure);
  await settle();
  assert.equal(fake.calls(), 2, "tried again after the pause");
});

test("a database that hangs holds at most a few recordings; the rest are skipped", async () => {
  const fake = fakeRepository({ hang: true });
  const errors = new RecentErrors(fake.repository, { now: () => 0 }, silent);
  for (let i = 0; i < 100; i++) errors.record(failure);
  await settle();
  assert.equal(fake.calls(), 8);
});
