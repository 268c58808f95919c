import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { BLOB_STORE_CONTRACT } from "./blob-store-contract.ts";
import { FallbackStore } from "./fallback.ts";
import { LocalDiskStore } from "./local-disk.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-fallback-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let made = 0;
function stores(): { primary: LocalDiskStore; fallback: LocalDiskStore; both: FallbackStore } {
  const dir = path.join(root, String(++made));
  const primary = new LocalDiskStore(path.join(dir, "new"), path.join(dir, "tmp"));
  const fallback = new LocalDiskStore(path.join(dir, "old"), path.join(dir, "tmp"));
  return { primary, fallback, both: new FallbackStore(primary, fallback) };
}

describe("a store falling back to the one files move from keeps the storage contract", () => {
  const { both } = stores();
  for (const [name, check] of BLOB_STORE_CONTRACT) test(name, () => check(both));
});

test("while files move: written to the new store, read from the old one until copied, deleted from both, listed once", async () => {
  const { primary, fallback, both } = stores();
  await fallback.put("originals/001/1.jpg", Buffer.from("old original"));
  await fallback.put("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/500.jpg", Buffer.from("old 500"));
  await fallback.put("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/240.jpg", Buffer.from("old 240"));
  await primary.put("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/240.jpg", Buffer.from("copied 240"));
  assert.equal((await both.get("originals/001/1.jpg"))?.toString(), "old original");
  assert.equal((await both.get("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/240.jpg"))?.toString(), "copied 240", "the new store first");
  const local = path.join(both.scratchDir, "upload");
  fs.writeFileSync(local, "again");
  await assert.rejects(both.putFile("originals/001/1.jpg", local), { code: "EEXIST" }, "a key in the old store is taken");
  await both.put("derivatives/002/2/bbbbbbbbbbbbbbbbbbbb/500.jpg", Buffer.from("new"));
  assert.equal(await fallback.exists("derivatives/002/2/bbbbbbbbbbbbbbbbbbbb/500.jpg"), false);

  // A secret rotated mid-move: every size under the new secret, wherever it was.
  await both.copyPrefix("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/", "derivatives/001/1/cccccccccccccccccccc/");
  assert.equal((await primary.get("derivatives/001/1/cccccccccccccccccccc/500.jpg"))?.toString(), "old 500");
  assert.equal((await primary.get("derivatives/001/1/cccccccccccccccccccc/240.jpg"))?.toString(), "copied 240");

  const listed: string[] = [];
  for await (const { key } of both.list("derivatives/001/")) listed.push(key);
  assert.equal(listed.length, new Set(listed).size);
  assert.equal(listed.length, 4);

  await both.deletePrefix("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/");
  await both.delete("originals/001/1.jpg");
  for (const store of [primary, fallback]) {
    assert.equal(await store.exists("derivatives/001/1/aaaaaaaaaaaaaaaaaaaa/240.jpg"), false);
    assert.equal(await store.exists("originals/001/1.jpg"), false);
  }
});
