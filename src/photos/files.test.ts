import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { ImageCache } from "../images/image-cache.ts";
import { derivativeKey, originalKey } from "../images/keys.ts";
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
