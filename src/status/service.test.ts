import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { systemClock } from "../clock.ts";
import type { Viewer } from "../users/service.ts";
import { IncidentCopy } from "./incident-copy.ts";
import { IncidentsRepository } from "./repository.ts";
import { StatusService } from "./service.ts";

const admin: Viewer = { id: 1, username: "admin", isAdmin: true, emailConfirmed: true, showsRestricted: false, via: "bearer", tokenHash: "x" };
const probe = { measure: async () => { throw new Error("not measured in these tests"); } };

async function setUp(copyRefreshMs = 60_000) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-status-"));
  const database = openDatabase({ databaseUrl: null, dataDir });
  await migrateToLatest(database.db);
  const repository = new IncidentsRepository(database.db);
  const copy = new IncidentCopy(dataDir);
  const service = new StatusService({ incidents: repository, copy, probe, clock: systemClock, log: pino({ level: "silent" }), baseUrl: "https://photos.example", copyRefreshMs });
  return {
    dataDir, database, repository, copy, service,
    async tearDown() {
      await service.stop();
      await database.close().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test("each server refreshes its copy from the database, so a change made on another server reaches it", async () => {
  const t = await setUp(50);
  try {
    await t.service.start();
    assert.deepEqual((await t.copy.read())?.incidents, [], "written at start");
    // Another server posts an incident: straight into the shared database.
    await t.repository.create({ title: "Seen elsewhere", impact: "minor", status: "investigating", body: "From server B", authorId: null, now: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await t.copy.read())?.incidents[0]?.title, "Seen elsewhere");
  } finally {
    await t.tearDown();
  }
});

test("when the database fails, incidents come from the copy; with no copy the failure is reported", async () => {
  const t = await setUp();
  try {
    await t.service.postIncident(admin, { title: "Before the failure", impact: "major", status: "identified", body: "Known." });
    await t.database.close();
    const list = await t.service.listIncidents();
    assert.equal(list.source, "copy");
    assert.equal(list.incidents[0]?.title, "Before the failure");
    assert.deepEqual((await t.service.openIncidents()).map((i) => i.title), ["Before the failure"]);
    fs.rmSync(t.copy.file);
    await assert.rejects(t.service.listIncidents(), /destroyed/);
    assert.deepEqual(await t.service.openIncidents(), []);
  } finally {
    await t.tearDown();
  }
});

test("a copy that cannot be parsed counts as no copy", async () => {
  const t = await setUp();
  try {
    fs.mkdirSync(path.dirname(t.copy.file), { recursive: true });
    fs.writeFileSync(t.copy.file, '{"format":1,"incidents":[');
    assert.equal(await t.copy.read(), null);
  } finally {
    await t.tearDown();
  }
});

test("titles and texts are trimmed, titles kept on one line, control characters dropped", async () => {
  const t = await setUp();
  try {
    const incident = await t.service.postIncident(admin, { title: "  Two\nlines\u0007 ", impact: "minor", status: "investigating", body: "a\r\nb\u0000" });
    assert.equal(incident.title, "Two lines");
    assert.equal(incident.updates[0]?.body, "a\nb");
    await assert.rejects(t.service.postIncident({ ...admin, isAdmin: false }, { title: "x", impact: "minor", status: "investigating", body: "y" }), /Only an admin/);
  } finally {
    await t.tearDown();
  }
});
