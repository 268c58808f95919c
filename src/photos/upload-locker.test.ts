import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { systemClock } from "../clock.ts";
import { UploadLocker, type UploadLockTimings } from "./upload-locker.ts";
import { UploadLocksRepository } from "./upload-locks-repository.ts";

// Short times so that a lease runs out within a test; the shapes are those of the defaults.
const TIMINGS: UploadLockTimings = { leaseMs: 800, renewMs: 100, pollMs: 20, waitMs: 2_000 };
const log = pino({ level: "silent" });

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let locks: UploadLocksRepository;
before(async () => {
  database = await openTestDatabase("upload-locks");
  locks = new UploadLocksRepository(database.handle.db);
});
after(async () => database.close());

/** Two servers of one site: each its own locker over the one database. */
function servers(timings: UploadLockTimings = TIMINGS): [UploadLocker, UploadLocker] {
  return [new UploadLocker({ locks, clock: systemClock, log }, timings), new UploadLocker({ locks, clock: systemClock, log }, timings)];
}

const never = () => new AbortController().signal;

test("a request for a held lock asks the holder to let go, and gets the lock once it has", async () => {
  const [a, b] = servers();
  const first = a.newLock("upload-asked");
  let asked = 0;
  let released = false;
  await first.lock(never(), async () => {
    asked++;
    // As tus does: the holder's request stops, keeps what it got, then unlocks.
    await first.unlock();
    released = true;
  });
  const second = b.newLock("upload-asked");
  const started = Date.now();
  await second.lock(never(), () => undefined);
  assert.equal(asked, 1, "the holder was asked once");
  assert.ok(released, "the newcomer got the lock only after the holder let go");
  assert.ok(Date.now() - started < TIMINGS.leaseMs, "it did not wait for the lease to run out");
  assert.match((await locks.holderOf("upload-asked"))?.holder ?? "", /:[0-9a-f]{8}$/);
  await second.unlock();
  assert.equal(await locks.holderOf("upload-asked"), null, "unlocking gives the row back");
});

test("while the holder keeps it, no other server gets the lock: it waits, then is refused with 423", async () => {
  const [a, b] = servers();
  const holder = a.newLock("upload-busy");
  let asked = 0;
  await holder.lock(never(), () => {
    asked++;
  });
  const refused = await b
    .newLock("upload-busy")
    .lock(never(), () => undefined)
    .then(
      () => null,
      (error: unknown) => error as { status_code: number },
    );
  assert.equal(refused?.status_code, 423);
  assert.equal(asked, 1, "the holder was asked to let go (and chose not to)");
  // Held well beyond its lease: the holder renewed it all along.
  const row = await locks.holderOf("upload-busy");
  assert.ok(row && row.expiresAt > Date.now(), "the lease is still running");
  await holder.unlock();
});

test("a dead server's lock runs out with its lease and another server takes it over", async () => {
  const [, b] = servers();
  // A holder that took the lock and died: nobody renews it, nobody answers the ask.
  assert.ok(await locks.take("upload-dead", "other-machine:4242:deadbeef", Date.now(), Date.now() + TIMINGS.leaseMs));
  const started = Date.now();
  const lock = b.newLock("upload-dead");
  await lock.lock(never(), () => undefined);
  const waited = Date.now() - started;
  assert.ok(waited >= TIMINGS.leaseMs - 100 && waited < TIMINGS.waitMs, `taken over once the lease ran out (${waited} ms)`);
  assert.notEqual((await locks.holderOf("upload-dead"))?.holder, "other-machine:4242:deadbeef");
  await lock.unlock();
});

test("a holder whose lock was taken over (it could not renew in time) is told to stop", async () => {
  const [a] = servers();
  const lock = a.newLock("upload-lost");
  let stopped = false;
  await lock.lock(never(), () => {
    stopped = true;
  });
  // Another server took it over after the lease had run out (as if this holder had stalled).
  await database.handle.db.updateTable("upload_locks").set({ holder: "elsewhere:1:00000000" }).where("upload_id", "=", "upload-lost").execute();
  const deadline = Date.now() + 1000;
  while (!stopped && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(stopped, "the holder's request was asked to stop");
  await lock.unlock();
  assert.equal((await locks.holderOf("upload-lost"))?.holder, "elsewhere:1:00000000", "unlocking leaves the new holder's lock alone");
});

test("a request that goes away while it waits stops waiting; expired locks are pruned", async () => {
  const [a, b] = servers();
  const holder = a.newLock("upload-gone");
  await holder.lock(never(), () => undefined);
  const controller = new AbortController();
  const waiting = b.newLock("upload-gone").lock(controller.signal, () => undefined);
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(waiting, (error: { status_code?: number }) => error.status_code === 400);
  await holder.unlock();

  await locks.take("upload-old", "gone:1:00000000", Date.now() - 10_000, Date.now() - 5_000);
  assert.ok((await locks.pruneExpired(Date.now())) >= 1);
  assert.equal(await locks.holderOf("upload-old"), null);
});
