import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { FallbackStore } from "./fallback.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { readMarker, writeStorageMarker } from "./marker.ts";
import { migrateStorage, MigrationRefused, type MigrationDeps } from "./migrate.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-migrate-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let made = 0;
const SECRET = "aaaaaaaaaaaaaaaaaaaa";

/** Two stores of one site ("site-1"), photo 1 in the old one, and what the command is given. */
async function site(rows: Map<number, { secret: string; original_key: string }> = new Map([[1, { secret: SECRET, original_key: "originals/001/1.jpg" }]])) {
  const dir = path.join(root, String(++made));
  const from = new LocalDiskStore(path.join(dir, "old"), path.join(dir, "tmp"));
  const to = new LocalDiskStore(path.join(dir, "new"), path.join(dir, "tmp"));
  await writeStorageMarker(from, "site-1", Date.now());
  await from.put("originals/001/1.jpg", Buffer.from("original one"));
  await from.put(`derivatives/001/1/${SECRET}/500.jpg`, Buffer.from("five hundred"));
  const deps: MigrationDeps = { from, to, storageId: "site-1", photoFiles: async (id) => rows.get(id), deletionsHeldUntil: async () => null, clock: { now: () => Date.now() } };
  return { dir, from, to, deps, journalDir: path.join(dir, "journal") };
}

test("every file is copied and read back, the marker last; a second run skips them by its journal", async () => {
  const { to, deps, journalDir } = await site();
  const stopped = new AbortController();
  stopped.abort(new Error("stopped by SIGINT"));
  await assert.rejects(migrateStorage(deps, { journalDir, signal: stopped.signal }), /stopped by SIGINT/);
  assert.equal(await readMarker(to), null, "a server started on the new store alone refuses to run while a move is unfinished");
  const first = await migrateStorage(deps, { journalDir });
  assert.deepEqual([first.copied, first.files, first.problems.length], [2, 2, 0]);
  assert.equal((await to.get("originals/001/1.jpg"))?.toString(), "original one");
  assert.equal(await readMarker(to), "site-1", "the new store is this site's once every file is there");
  const second = await migrateStorage(deps, { journalDir });
  assert.deepEqual([second.copied, second.skipped, second.passes], [0, 2, 1]);
});

test("a file deleted by the site while it is being copied does not come back in the new store", async () => {
  const { from, to, deps, journalDir } = await site();
  const serving = new FallbackStore(to, from);
  // The site's deletion job runs right after the command has read the file, before it is stored.
  const racing: MigrationDeps = {
    ...deps,
    from: Object.assign(Object.create(from) as LocalDiskStore, {
      stream: async (key: string) => {
        const read = await from.stream(key);
        if (key.startsWith("derivatives/")) await serving.deletePrefix(`derivatives/001/1/${SECRET}/`);
        return read;
      },
    }),
  };
  const result = await migrateStorage(racing, { journalDir });
  assert.equal(result.vanished, 1);
  assert.equal(await to.exists(`derivatives/001/1/${SECRET}/500.jpg`), false);
  assert.equal(await to.exists("originals/001/1.jpg"), true);
});

test("files in the new store no photo uses are removed once old enough; the site's new files stay", async () => {
  const rows = new Map([
    [1, { secret: SECRET, original_key: "originals/001/1.jpg" }],
    [2, { secret: "bbbbbbbbbbbbbbbbbbbb", original_key: "originals/002/2.jpg" }],
  ]);
  const { dir, to, deps, journalDir } = await site(rows);
  await to.put("originals/002/2.jpg", Buffer.from("uploaded during the move"));
  await to.put("originals/003/3.jpg", Buffer.from("a photo deleted since an earlier move"));
  await to.put("derivatives/001/1/cccccccccccccccccccc/500.jpg", Buffer.from("a secret given up"));
  await to.put("derivatives/004/4/dddddddddddddddddddd/500.jpg", Buffer.from("an upload whose row is not written yet"));
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const key of ["originals/002/2.jpg", "originals/003/3.jpg", "derivatives/001/1/cccccccccccccccccccc/500.jpg"]) fs.utimesSync(path.join(dir, "new", key), hourAgo, hourAgo);
  const result = await migrateStorage(deps, { journalDir });
  assert.equal(result.staleRemoved, 2);
  assert.equal(await to.exists("originals/002/2.jpg"), true);
  assert.equal(await to.exists("derivatives/004/4/dddddddddddddddddddd/500.jpg"), true);
  assert.equal(await to.exists("originals/003/3.jpg"), false);
  assert.equal(await to.exists("derivatives/001/1/cccccccccccccccccccc/500.jpg"), false);
});

test("a file in the old store that no photo uses is not copied: a photo deleted after the servers stopped deleting there stays deleted", async () => {
  const { dir, from, to, deps, journalDir } = await site();
  await from.put("originals/002/2.jpg", Buffer.from("deleted while only the new store was written"));
  await from.put("originals/003/3.jpg", Buffer.from("an upload whose row is not written yet"));
  const hourAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(dir, "old", "originals/002/2.jpg"), hourAgo, hourAgo);
  const result = await migrateStorage(deps, { journalDir });
  assert.equal(result.leftBehind, 1);
  assert.equal(await to.exists("originals/002/2.jpg"), false);
  assert.equal(await to.exists("originals/003/3.jpg"), true);
});

test("another site's store is refused, either way", async () => {
  const { from, to, deps, journalDir } = await site();
  await writeStorageMarker(to, "site-2", Date.now());
  await assert.rejects(migrateStorage(deps, { journalDir }), (error: unknown) => error instanceof MigrationRefused && /belongs to another site \(site-2\)/.test(error.message));
  await writeStorageMarker(from, "site-3", Date.now());
  await assert.rejects(migrateStorage(deps, { journalDir }), /belongs to another site \(site-3\)/);
  assert.equal(await to.exists("originals/001/1.jpg"), false);
});
