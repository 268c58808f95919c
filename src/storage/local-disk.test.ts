import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { LocalDiskStore } from "./local-disk.ts";

test("putFile moves a file into place and refuses to replace an existing key", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-store-"));
  try {
    const store = new LocalDiskStore(path.join(root, "files"), path.join(root, "tmp"));
    const first = path.join(store.scratchDir, "a");
    fs.writeFileSync(first, "first original");
    await store.putFile("originals/001/1.jpg", first);
    assert.equal(fs.existsSync(first), false, "the temporary file is gone");
    const second = path.join(store.scratchDir, "b");
    fs.writeFileSync(second, "second original");
    await assert.rejects(store.putFile("originals/001/1.jpg", second), { code: "EEXIST" });
    assert.equal((await store.get("originals/001/1.jpg"))?.toString(), "first original");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("keys that are not plain server-made keys are refused", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-store-"));
  try {
    const store = new LocalDiskStore(path.join(root, "files"), path.join(root, "tmp"));
    for (const key of ["../etc/passwd", "/abs", "a/../b", "A/B", "a//b", ""]) {
      await assert.rejects(store.get(key), /invalid storage key/, key);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("list gives each key's size and modification time, and leaves out keys deleted while it runs", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-store-"));
  try {
    const store = new LocalDiskStore(path.join(root, "files"), path.join(root, "tmp"));
    for (const name of ["a", "b", "c"]) await store.put(`health/${name}`, Buffer.from(name.repeat(3)));
    fs.writeFileSync(path.join(root, "files", "health", "d.123.part"), "half written");
    const seen: Array<{ key: string; size: number; modifiedAt: number }> = [];
    for await (const entry of store.list("")) {
      seen.push(entry);
      // The directory is already read: the other keys vanish between readdir and stat, as when
      // a file job or a health probe deletes them during a backup's listing.
      for (const name of ["a", "b", "c"]) if (`health/${name}` !== entry.key) await store.delete(`health/${name}`);
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.size, 3);
    assert.ok(Math.abs(seen[0]!.modifiedAt - Date.now()) < 60_000);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("usedBytes adds up every stored file, nested at any depth, and nothing in the scratch dir", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-store-"));
  try {
    const store = new LocalDiskStore(path.join(root, "files"), path.join(root, "tmp"));
    assert.equal(await store.usedBytes(), 0);
    await store.put("derivatives/001/1/s/100.jpg", Buffer.alloc(100));
    await store.put("derivatives/001/1/s/2048.jpg", Buffer.alloc(2048));
    const original = path.join(store.scratchDir, "o");
    fs.writeFileSync(original, Buffer.alloc(5000));
    await store.putFile("originals/001/1.jpg", original);
    fs.writeFileSync(path.join(store.scratchDir, "upload.part"), Buffer.alloc(777));
    assert.equal(await store.usedBytes(), 100 + 2048 + 5000);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
