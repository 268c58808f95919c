import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { ImageCache } from "../images/image-cache.ts";
import { derivativeKey, originalKey, replacementOriginalKey } from "../images/keys.ts";
import type { ImageProcessor } from "../images/processor.ts";
import { DeletionGate } from "../ops/deletion-gate.ts";
import { SettingsRepository } from "../ops/settings-repository.ts";
import { LocalDiskStore } from "../storage/local-disk.ts";
import { ABANDONED_UPLOAD_MS, PhotoFiles } from "./files.ts";
import { newPhotoId, newPhotoSecret } from "./ids.ts";
import { PhotosRepository } from "./repository.ts";

const noImages: ImageProcessor = {
  probe: async () => {
    throw new Error("not used");
  },
  process: async () => {
    throw new Error("not used");
  },
};

test("files of an upload that died before its row are kept while it may still run, then removed; a backup holds deletions back", async () => {
  const { handle: database, dataDir, close } = await openTestDatabase("files");
  try {
    const store = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
    let now = Date.UTC(2026, 5, 1);
    const clock = { now: () => now };
    const gate = new DeletionGate(new SettingsRepository(database.db), clock);
    const files = new PhotoFiles({ photos: new PhotosRepository(database.db), store, images: noImages, imageCache: new ImageCache(1 << 20), clock, deletionGate: gate });

    const photoId = newPhotoId(now);
    const secret = newPhotoSecret();
    const keys = [originalKey(photoId, "jpeg"), derivativeKey(photoId, secret, "500", "jpeg"), derivativeKey(photoId, secret, "sq75", "jpeg")];
    for (const key of keys) await store.put(key, Buffer.from("bytes"));
    const payload = { photoId, secret, originalKey: keys[0], sha256: "0".repeat(64) };

    now += 60_000;
    const early = await files.finishUpload.run(payload, {} as never);
    assert.equal(early.status, "later", "a minute-old upload may still be running");
    for (const key of keys) assert.ok(await store.exists(key));

    now += ABANDONED_UPLOAD_MS;
    await gate.hold("test backup", 5 * 60_000);
    const held = await files.finishUpload.run(payload, {} as never);
    assert.equal(held.status, "later", "no deletion while a backup copies files");
    for (const key of keys) assert.ok(await store.exists(key));

    await gate.release("test backup");
    assert.deepEqual(await files.finishUpload.run(payload, {} as never), { status: "done" });
    for (const key of keys) assert.equal(await store.exists(key), false, `${key} is removed`);
  } finally {
    await close();
  }
});

test("a replacement whose row never took it: its new files, original included, go once it surely died; one the row took is kept, and the replaced files go", async () => {
  const { handle: database, dataDir, close } = await openTestDatabase("files-replace");
  try {
    const store = new LocalDiskStore(path.join(dataDir, "files"), path.join(dataDir, "tmp"));
    let now = Date.UTC(2026, 5, 1);
    const clock = { now: () => now };
    const gate = new DeletionGate(new SettingsRepository(database.db), clock);
    const photos = new PhotosRepository(database.db);
    const files = new PhotoFiles({ photos, store, images: noImages, imageCache: new ImageCache(1 << 20), clock, deletionGate: gate });

    const user = await database.db.insertInto("users").values({ username: "replacer", username_key: "replacer", email: "r@example.test", email_key: "r@example.test", password_hash: "x", is_admin: 0, created_at: now }).returning("id").executeTakeFirstOrThrow();
    const photoId = newPhotoId(now);
    const oldSecret = newPhotoSecret();
    const oldOriginal = originalKey(photoId, "jpeg");
    const sizes = JSON.stringify([{ size: "500", format: "jpeg", width: 500, height: 400 }]);
    await database.db
      .insertInto("photos")
      .values({ id: photoId, owner_id: Number(user.id), title: "t", description: "", visibility: "public", secret: oldSecret, original_key: oldOriginal, original_format: "jpeg", original_bytes: 5, original_name: "a.jpg", sha256: "a".repeat(64), width: 500, height: 400, uploaded_at: now, updated_at: now, sizes })
      .execute();
    for (const key of [oldOriginal, derivativeKey(photoId, oldSecret, "500", "jpeg")]) await store.put(key, Buffer.from("old"));

    // A replacement that died before its row was updated.
    const lostSecret = newPhotoSecret();
    const lost = { photoId, secret: lostSecret, originalKey: replacementOriginalKey(photoId, lostSecret, "jpeg"), sha256: "b".repeat(64), replacingSince: now };
    for (const key of [lost.originalKey, derivativeKey(photoId, lostSecret, "500", "jpeg")]) await store.put(key, Buffer.from("new"));
    now += 60_000;
    assert.equal((await files.finishUpload.run(lost, {} as never)).status, "later", "the replacement may still be running");
    assert.ok(await store.exists(lost.originalKey));
    now += ABANDONED_UPLOAD_MS;
    assert.deepEqual(await files.finishUpload.run(lost, {} as never), { status: "done" });
    assert.equal(await store.exists(lost.originalKey), false, "its original is no row's, so it goes");
    assert.equal(await store.exists(derivativeKey(photoId, lostSecret, "500", "jpeg")), false);
    assert.ok(await store.exists(oldOriginal), "the photo's own original stays");

    // A replacement the row took: the job makes it durable; the replaced files' job removes them, original too.
    const newSecret = newPhotoSecret();
    const taken = { photoId, secret: newSecret, originalKey: replacementOriginalKey(photoId, newSecret, "jpeg"), sha256: "c".repeat(64), replacingSince: now };
    for (const key of [taken.originalKey, derivativeKey(photoId, newSecret, "500", "jpeg")]) await store.put(key, Buffer.from("newer"));
    assert.ok(await photos.replaceFile(photoId, oldSecret, { secret: newSecret, original_key: taken.originalKey, sha256: taken.sha256 }, 0));
    assert.equal(await photos.replaceFile(photoId, oldSecret, { secret: newPhotoSecret() }, 0), false, "a second change against the old secret loses");
    assert.deepEqual(await files.finishUpload.run(taken, {} as never), { status: "done" });
    assert.ok(await store.exists(taken.originalKey));
    assert.deepEqual(await files.deleteFiles.run({ photoId, secret: oldSecret, originalKey: oldOriginal }, {} as never), { status: "done" });
    assert.equal(await store.exists(oldOriginal), false, "the replaced original goes");
    assert.equal(await store.exists(derivativeKey(photoId, oldSecret, "500", "jpeg")), false);
    assert.ok(await store.exists(taken.originalKey) && (await store.exists(derivativeKey(photoId, newSecret, "500", "jpeg"))), "the row's files stay");
  } finally {
    await close();
  }
});
