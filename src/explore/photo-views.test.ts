import path from "node:path";
import { Worker } from "node:worker_threads";
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedSite } from "../../bench/lib/seed.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { PhotoViews, utcDay } from "./photo-views.ts";
import { PhotoViewsRepository } from "./photo-views-repository.ts";

const DAY = 24 * 60 * 60_000;

test("views are written many to a statement; each photo's counter moves by the rows really inserted, never twice for the same visitor and day", async () => {
  const database = await openTestDatabase("photo-views");
  try {
    await seedSite(database.handle.db, 2, 600);
    const ids = (await database.handle.db.selectFrom("photos").select("id").orderBy("id").execute()).map((r) => Number(r.id));
    const views = new PhotoViewsRepository(database.handle.db);
    // 1,200 views, more than two statements' worth, 400 a photo.
    const batch = Array.from({ length: 1200 }, (_, i) => ({ photoId: ids[i % 3]!, viewerKey: `v:${Math.floor(i / 3)}`, day: 20_000 }));
    await views.recordMany(batch);
    assert.deepEqual(await Promise.all(ids.slice(0, 3).map((id) => views.count(id))), [400, 400, 400]);

    // The same views again, and as many new ones on the first photo only.
    const again = [...batch, ...Array.from({ length: 700 }, (_, i) => ({ photoId: ids[0]!, viewerKey: `w:${i}`, day: 20_000 }))];
    await views.recordMany(again);
    assert.deepEqual(await Promise.all(ids.slice(0, 3).map((id) => views.count(id))), [1100, 400, 400]);

    await views.recordMany([{ photoId: ids[1]!, viewerKey: "v:0", day: 20_001 }]);
    assert.equal(await views.count(ids[1]!), 401, "the next day counts again");

    // More photos than one statement updates.
    await views.recordMany(ids.map((photoId) => ({ photoId, viewerKey: "x", day: 20_002 })));
    const counts = await Promise.all(ids.map((id) => views.count(id)));
    assert.deepEqual(counts.slice(0, 3), [1101, 402, 401]);
    assert.ok(counts.slice(3).every((count) => count === 1), "every other photo counted once");
  } finally {
    await database.close();
  }
});

test("a photo deleted since its visit loses its views, and only its own: the rest of the batch is written", async () => {
  const database = await openTestDatabase("photo-views-deleted");
  try {
    await seedSite(database.handle.db, 1, 3);
    const db = database.handle.db;
    const ids = (await db.selectFrom("photos").select("id").orderBy("id").execute()).map((r) => Number(r.id));
    await db.deleteFrom("photo_tags").where("photo_id", "=", ids[1]!).execute();
    await db.deleteFrom("photos").where("id", "=", ids[1]!).execute();
    const views = new PhotoViewsRepository(db);
    await views.recordMany(ids.flatMap((photoId) => [{ photoId, viewerKey: "a", day: 20_000 }, { photoId, viewerKey: "b", day: 20_000 }]));
    assert.deepEqual([await views.count(ids[0]!), await views.count(ids[2]!)], [2, 2]);
    const rows = await db.selectFrom("photo_views").select("photo_id").execute();
    assert.equal(rows.length, 4);
    assert.ok(rows.every((row) => Number(row.photo_id) !== ids[1]));
  } finally {
    await database.close();
  }
});

test("on SQLite, views written while another process holds the write lock wait for it instead of failing", { skip: process.env.PINHOLE_TEST_DATABASE_URL ? "SQLite only" : false }, async () => {
  const database = await openTestDatabase("photo-views-lock");
  try {
    await seedSite(database.handle.db, 1, 2);
    const ids = (await database.handle.db.selectFrom("photos").select("id").orderBy("id").execute()).map((r) => Number(r.id));
    // Another process (here a thread with its own connection) writes for 300 ms.
    const holder = new Worker(
      `const Database = require("better-sqlite3"); const { parentPort, workerData } = require("node:worker_threads");
       const db = new Database(workerData); db.pragma("busy_timeout = 5000");
       db.exec("begin immediate"); db.prepare("update photos set title = title where id = ?").run(${ids[0]});
       parentPort.postMessage("locked"); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); db.exec("commit"); db.close();`,
      { eval: true, workerData: path.join(database.dataDir, "pinhole.sqlite") },
    );
    await new Promise((resolve) => holder.once("message", resolve));
    const views = new PhotoViewsRepository(database.handle.db);
    await views.recordMany(ids.map((photoId) => ({ photoId, viewerKey: "a", day: 20_000 })));
    assert.deepEqual(await Promise.all(ids.map((id) => views.count(id))), [1, 1]);
    await new Promise((resolve) => holder.once("exit", resolve));
  } finally {
    await database.close();
  }
});

test("a visit this process has written today is not sent again; the next day it is", async () => {
  const batches: Array<Array<{ photoId: number; viewerKey: string; day: number }>> = [];
  const repository = { recordMany: async (views: (typeof batches)[number]) => void batches.push(views), count: async () => 0 };
  let now = 1_000 * DAY + 5;
  const views = new PhotoViews({ views: repository as unknown as PhotoViewsRepository, clock: { now: () => now } });
  const visitor = { ip: "192.0.2.1", userAgent: "browser" };

  assert.equal(await views.visit(1, false, visitor), true);
  assert.equal(await views.visit(1, false, visitor), true, "still waiting to be written: taken again, sent once");
  assert.equal(await views.visit(2, true, visitor), false, "the owner's visit is not counted");
  await views.flush();
  assert.deepEqual(batches.map((b) => b.length), [1]);
  assert.equal(batches[0]![0]!.day, utcDay(now));

  assert.equal(await views.visit(1, false, visitor), false, "already written today");
  await views.visit(1, false, { memberId: 7 });
  await views.flush();
  assert.deepEqual(batches.map((b) => b.length), [1, 1], "only the new visitor was sent");

  now += DAY;
  assert.equal(await views.visit(1, false, visitor), true, "a new day");
  await views.flush();
  assert.deepEqual(batches.map((b) => b.length), [1, 1, 1]);
});

test("a batch the database refused is not remembered as written", async () => {
  let fail = true;
  const sent: number[] = [];
  const repository = {
    recordMany: async (views: unknown[]) => {
      if (fail) throw new Error("database is locked");
      sent.push(views.length);
    },
    count: async () => 0,
  };
  const views = new PhotoViews({ views: repository as unknown as PhotoViewsRepository, clock: { now: () => 5 * DAY } });
  await views.visit(1, false, { memberId: 3 });
  await assert.rejects(views.flush(), /locked/);
  fail = false;
  await views.visit(1, false, { memberId: 3 });
  await views.flush();
  assert.deepEqual(sent, [1], "the visit is sent again once the database answers");
});
