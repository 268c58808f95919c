import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { SettingsRepository } from "../ops/settings-repository.ts";
import { openTestDatabase } from "../../test/helpers/database.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { checkStorageMarker, readMarker, StorageMismatchError, type StorageIdentity } from "./marker.ts";

/** Settings whose first reads wait for one another, so both servers see a new site. */
function racingSettings(settings: SettingsRepository, racers: number): StorageIdentity {
  let waiting = 0;
  let release!: () => void;
  const allIn = new Promise<void>((resolve) => (release = resolve));
  return {
    get: async (key) => {
      const value = await settings.get(key);
      if (waiting < racers) {
        if (++waiting === racers) release();
        await allIn;
      }
      return value;
    },
    setIfAbsent: (key, value, now) => settings.setIfAbsent(key, value, now),
  };
}

test("two servers of a new cluster starting at once pair the storage with one id, the database's, and both pass the check afterwards", async () => {
  const database = await openTestDatabase("marker");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-marker-"));
  try {
    const settings = new SettingsRepository(database.handle.db);
    const store = new LocalDiskStore(path.join(dir, "store"), path.join(dir, "tmp"));
    const racing = racingSettings(settings, 2);
    const [a, b] = await Promise.all([checkStorageMarker(store, racing, 1), checkStorageMarker(store, racing, 1)]);
    assert.equal(a, b, "both servers hold the same storage id");
    assert.equal(await settings.get("storage_id"), a);
    assert.equal(await readMarker(store), a, "the marker in the storage is the database's id");
    assert.equal(await checkStorageMarker(store, settings, 2), a, "a later start passes");

    await store.delete("pinhole-storage.json");
    await assert.rejects(checkStorageMarker(store, settings, 3), StorageMismatchError, "a paired site refuses storage without its marker");
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
