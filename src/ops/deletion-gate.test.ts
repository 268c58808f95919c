import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { DatabaseHandle } from "../db/database.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { DeletionGate } from "./deletion-gate.ts";
import { SettingsRepository } from "./settings-repository.ts";

let handle: DatabaseHandle;
let closeDatabase: () => Promise<void>;
let settings: SettingsRepository;

before(async () => {
  ({ handle, close: closeDatabase } = await openTestDatabase("gate"));
  settings = new SettingsRepository(handle.db);
});
after(async () => closeDatabase());

test("compare-and-set: of many writers starting from the same value exactly one wins", async () => {
  await settings.set("cas_test", "v0", 1);
  const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => settings.compareAndSet("cas_test", "v0", `v${i + 1}`, 2)));
  assert.equal(wins.filter(Boolean).length, 1);
  assert.equal(await settings.compareAndSet("cas_absent", null, "first", 3), true, "null expected: only when absent");
  assert.equal(await settings.compareAndSet("cas_absent", null, "second", 3), false);
  assert.equal(await settings.compareAndSet("cas_absent", "first", null, 3), true, "null value deletes");
  assert.equal(await settings.get("cas_absent"), null);
});

test("a hold lasts until the last of its holders lets go, and no holder's share is lost to a race", async () => {
  const now = 1_000_000;
  const gate = new DeletionGate(settings, { now: () => now });
  assert.equal(await gate.heldUntil(), null);
  await gate.hold("scheduled backup", 120_000);
  await gate.hold("manual backup", 60_000);
  assert.equal(await gate.heldUntil(), now + 120_000);
  await gate.release("scheduled backup");
  assert.equal(await gate.heldUntil(), now + 60_000, "the other backup still holds");
  await gate.release("manual backup");
  assert.equal(await gate.heldUntil(), null);
  assert.equal(await settings.get("file_deletions_held"), null, "nothing left behind");

  // Ten backups holding at the same moment: every one of them is recorded.
  await Promise.all(Array.from({ length: 10 }, (_, i) => gate.hold(`holder ${i}`, 10_000 + i)));
  const state = JSON.parse((await settings.get("file_deletions_held"))!) as { holders: Record<string, number> };
  assert.equal(Object.keys(state.holders).length, 10);
  for (let i = 0; i < 10; i++) await gate.release(`holder ${i}`);
  assert.equal(await gate.heldUntil(), null);
});

test("a hold its holder stopped renewing runs out on its own", async () => {
  let now = 5_000_000;
  const gate = new DeletionGate(settings, { now: () => now });
  await gate.hold("a backup that died", 120_000);
  now += 119_000;
  assert.notEqual(await gate.heldUntil(), null);
  now += 2_000;
  assert.equal(await gate.heldUntil(), null);
  // The next holder's write drops the dead one.
  await gate.hold("next backup", 1000);
  const state = JSON.parse((await settings.get("file_deletions_held"))!) as { holders: Record<string, number> };
  assert.deepEqual(Object.keys(state.holders), ["next backup"]);
  await gate.release("next backup");
});
