import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { DatabaseHandle } from "../db/database.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { startServer } from "../../test/helpers/server.ts";
import { listBackups } from "./backup-folder.ts";
import { BackupSchedule, SCHEDULE_KEY, type TickOutcome } from "./backup-schedule.ts";
import { SettingsRepository } from "./settings-repository.ts";
import { MIGRATIONS } from "../db/migrate.ts";

/** The newest shipped migration: the schema version of a database made today. */
const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) as string;

const HOUR = 60 * 60_000;

let handle: DatabaseHandle;
let closeDatabase: () => Promise<void>;
let settings: SettingsRepository;

before(async () => {
  ({ handle, close: closeDatabase } = await openTestDatabase("schedule"));
  settings = new SettingsRepository(handle.db);
});
after(async () => closeDatabase());

/** Several server processes sharing one database, each with its schedule; `runs` counts real backups. */
function cluster(size: number, clock: { now: () => number }, run: () => Promise<string>) {
  return Array.from({ length: size }, (_, i) => new BackupSchedule({ settings, clock, intervalMs: 24 * HOUR, retryMs: HOUR, holder: `server ${i}`, run, say: () => {} }));
}

test("of several servers looking at once, exactly one runs the due backup, and the next is due an interval later", async () => {
  await settings.delete(SCHEDULE_KEY);
  let now = 1_000_000_000;
  let runs = 0;
  const servers = cluster(4, { now: () => now }, async () => {
    runs++;
    return "/backups/x";
  });
  const first = await Promise.all(servers.map((s) => s.tick()));
  assert.equal(runs, 1, `one backup, not ${runs}: ${first.join(", ")}`);
  assert.equal(first.filter((o) => o === "ran").length, 1);
  assert.ok(first.every((o): o is TickOutcome => ["ran", "taken", "not-due"].includes(o)));

  now += 23 * HOUR;
  await Promise.all(servers.map((s) => s.tick()));
  assert.equal(runs, 1, "not due before the interval has passed");

  now += HOUR;
  const second = await Promise.all(servers.map((s) => s.tick()));
  assert.equal(runs, 2, second.join(", "));
  const state = JSON.parse((await settings.get(SCHEDULE_KEY))!);
  assert.equal(state.nextDueAt, now + 24 * HOUR);
});

test("a failed backup is tried again after the retry time, not a whole interval later", async () => {
  await settings.delete(SCHEDULE_KEY);
  let now = 2_000_000_000;
  let attempts = 0;
  const [server] = cluster(1, { now: () => now }, async () => {
    attempts++;
    if (attempts === 1) throw new Error("the backup disk is full");
    return "/backups/y";
  });
  assert.equal(await server!.tick(), "failed");
  assert.match(JSON.parse((await settings.get(SCHEDULE_KEY))!).lastError, /disk is full/);
  now += HOUR - 1;
  assert.equal(await server!.tick(), "not-due");
  now += 1;
  assert.equal(await server!.tick(), "ran");
});

test("a due time left by a longer interval does not hold the next backup back", async () => {
  const now = 3_000_000_000;
  await settings.set(SCHEDULE_KEY, JSON.stringify({ nextDueAt: now + 30 * 24 * HOUR }), now);
  let runs = 0;
  const [server] = cluster(1, { now: () => now }, async () => {
    runs++;
    return "/backups/z";
  });
  assert.equal(await server!.tick(), "ran");
  assert.equal(runs, 1);
});

test("a server with PINHOLE_BACKUP_DIR makes a scheduled backup on its own, with the pinhole command", async () => {
  const backups = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-scheduled-"));
  const server = await startServer({ PINHOLE_BACKUP_DIR: backups, PINHOLE_BACKUP_INTERVAL_HOURS: "24", PINHOLE_BACKUP_KEEP: "3" });
  try {
    assert.ok(server.context.backupSchedule);
    const deadline = Date.now() + 90_000;
    while ((await listBackups(backups)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const made = await listBackups(backups);
    assert.equal(made.length, 1);
    assert.equal(made[0]!.info.kind, "scheduled");
    assert.equal(made[0]!.info.schemaVersion, LATEST_MIGRATION);
    const state = JSON.parse((await server.context.settings.get(SCHEDULE_KEY))!);
    assert.ok(state.nextDueAt > Date.now() + 23 * HOUR, "the next one is a day away");
  } finally {
    await server.close();
    fs.rmSync(backups, { recursive: true, force: true });
  }
});
