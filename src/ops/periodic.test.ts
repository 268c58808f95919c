import { test } from "node:test";
import assert from "node:assert/strict";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { PeriodicTask } from "./periodic.ts";
import { PeriodicRunsRepository } from "./periodic-repository.ts";

const clock = { now: () => Date.now() };

test("of several servers' tasks looking at once, one claims the period and runs it; the period's row records who and how it ended", async () => {
  const database = await openTestDatabase("periodic");
  try {
    const runs = new PeriodicRunsRepository(database.handle.db);
    let ran = 0;
    const tasks = ["a", "b", "c"].map((holder) => new PeriodicTask({ task: "t", intervalMs: 60 * 60_000, runs, clock, holder, say: () => {}, work: async () => (ran++, undefined) }));
    const outcomes = await Promise.all(tasks.map((task) => task.runIfDue()));
    assert.deepEqual(outcomes.filter((o) => o === "ran").length, 1);
    assert.deepEqual(outcomes.filter((o) => o === "taken").length, 2);
    assert.equal(ran, 1);
    const [row] = await runs.recent("t", 5);
    assert.equal(row?.slot, Math.floor(Date.now() / (60 * 60_000)));
    assert.ok(row?.finished_at !== null && row?.error === null);

    const failing = new PeriodicTask({ task: "broken", intervalMs: 60 * 60_000, runs, clock, holder: "a", say: () => {}, work: async () => Promise.reject(new Error("disk full")) });
    assert.equal(await failing.runIfDue(), "failed");
    assert.equal((await runs.recent("broken", 1))[0]?.error, "disk full", "a failed run is recorded, and not tried again in the same period");
    assert.equal(await failing.runIfDue(), "taken");
  } finally {
    await database.close();
  }
});

test("a task that could not ask the database (it was down) asks again soon, not a whole period later, and runs once it answers", async () => {
  const database = await openTestDatabase("periodic");
  try {
    class Outage extends PeriodicRunsRepository {
      down = true;
      override async claim(task: string, slot: number, holder: string, now: number): Promise<boolean> {
        if (this.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        return super.claim(task, slot, holder, now);
      }
    }
    const runs = new Outage(database.handle.db);
    const said: string[] = [];
    let ran = 0;
    const task = new PeriodicTask({ task: "t", intervalMs: 60 * 60_000, retryMs: 50, runs, clock, holder: "a", say: (_, message) => said.push(message), work: async () => (ran++, undefined) });
    task.start(0);
    try {
      for (let i = 0; i < 200 && said.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(said.length >= 2 && said.every((m) => /could not look whether t is due/.test(m)), said.join("; "));
      assert.equal(ran, 0);
      runs.down = false;
      for (let i = 0; i < 200 && ran === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(ran, 1, "ran once the database answered, within the hour-long period");
    } finally {
      await task.stop();
    }
  } finally {
    await database.close();
  }
});
