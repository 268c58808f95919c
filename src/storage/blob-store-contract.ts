import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import type { BlobStore } from "./blob-store.ts";

/**
 * What every BlobStore must do, run against each implementation (local disk, S3): the rest of
 * Pinhole relies on these and on nothing else.
 */
export const BLOB_STORE_CONTRACT: Array<[string, (store: BlobStore) => Promise<void>]> = [
  [
    "putFile moves a local file in, durably, and never replaces an existing key",
    async (store) => {
      const first = path.join(store.scratchDir, `contract-${crypto.randomUUID()}`);
      fs.writeFileSync(first, "first original");
      await store.putFile("originals/001/1.jpg", first);
      assert.equal(fs.existsSync(first), false, "the local file is gone");
      assert.equal(await store.sync("originals/001/1.jpg"), true);
      const second = path.join(store.scratchDir, `contract-${crypto.randomUUID()}`);
      fs.writeFileSync(second, "second original");
      await assert.rejects(store.putFile("originals/001/1.jpg", second), { code: "EEXIST" });
      assert.equal((await store.get("originals/001/1.jpg"))?.toString(), "first original");
      fs.rmSync(second, { force: true });
    },
  ],
  [
    "a large original goes in whole (in parts where the store splits it)",
    async (store) => {
      const big = crypto.randomBytes(20 * 1024 * 1024 + 12345);
      const local = path.join(store.scratchDir, `contract-${crypto.randomUUID()}`);
      fs.writeFileSync(local, big);
      await store.putFile("originals/002/2.jpg", local);
      const found = await store.stream("originals/002/2.jpg");
      assert.ok(found);
      assert.equal(found.size, big.length);
      const chunks: Buffer[] = [];
      for await (const chunk of found.body) chunks.push(chunk as Buffer);
      assert.ok(Buffer.concat(chunks).equals(big), "byte for byte");
    },
  ],
  [
    "put, get, stream, exists and delete; missing keys are null or false, never errors",
    async (store) => {
      await store.put("derivatives/003/3/abc/500.jpg", Buffer.from("five hundred"));
      await store.put("derivatives/003/3/abc/500.jpg", Buffer.from("five hundred, again"));
      assert.equal((await store.get("derivatives/003/3/abc/500.jpg"))?.toString(), "five hundred, again");
      assert.equal(await store.exists("derivatives/003/3/abc/500.jpg"), true);
      const streamed = await store.stream("derivatives/003/3/abc/500.jpg");
      assert.equal(streamed?.size, 19);
      streamed?.body.resume();
      await store.delete("derivatives/003/3/abc/500.jpg");
      assert.equal(await store.exists("derivatives/003/3/abc/500.jpg"), false);
      assert.equal(await store.get("derivatives/003/3/abc/500.jpg"), null);
      assert.equal(await store.stream("derivatives/003/3/abc/500.jpg"), null);
      assert.equal(await store.sync("derivatives/003/3/abc/500.jpg"), false);
      await store.delete("derivatives/003/3/abc/500.jpg");
    },
  ],
  [
    "copyPrefix copies every key under a prefix; deletePrefix removes them and nothing else",
    async (store) => {
      const sizes = ["100.jpg", "240.jpg", "500.webp"];
      for (const name of sizes) await store.put(`derivatives/004/4/old/${name}`, Buffer.from(name));
      await store.put("derivatives/004/4/older/keep.jpg", Buffer.from("a neighbour with a longer name"));
      await store.copyPrefix("derivatives/004/4/old/", "derivatives/004/4/new/");
      await store.syncPrefix("derivatives/004/4/new/");
      for (const name of sizes) assert.equal((await store.get(`derivatives/004/4/new/${name}`))?.toString(), name);
      await store.deletePrefix("derivatives/004/4/old/");
      for (const name of sizes) assert.equal(await store.exists(`derivatives/004/4/old/${name}`), false);
      assert.equal(await store.exists("derivatives/004/4/older/keep.jpg"), true, "a prefix is a folder, not a string prefix");
      assert.equal(await store.exists("derivatives/004/4/new/100.jpg"), true);
    },
  ],
  [
    "list names every key with its size and time; usedBytes adds them up",
    async (store) => {
      await store.put("health/a", Buffer.from("aaa"));
      await store.put("health/b", Buffer.from("bbbbb"));
      const seen = new Map<string, { size: number; modifiedAt: number }>();
      for await (const entry of store.list("health/")) seen.set(entry.key, entry);
      assert.deepEqual([...seen.keys()].sort(), ["health/a", "health/b"]);
      assert.equal(seen.get("health/b")?.size, 5);
      assert.ok(Math.abs(seen.get("health/a")!.modifiedAt - Date.now()) < 5 * 60_000);
      const everything: string[] = [];
      for await (const entry of store.list("")) everything.push(entry.key);
      assert.ok(everything.includes("health/a") && everything.includes("derivatives/004/4/new/100.jpg"));
      let total = 0;
      for await (const entry of store.list("")) total += entry.size;
      assert.equal(await store.usedBytes(), total);
    },
  ],
  [
    "keys that are not plain server-made keys are refused",
    async (store) => {
      for (const key of ["../etc/passwd", "/abs", "a/../b", "A/B", "a//b", ""]) await assert.rejects(store.get(key), /invalid storage key/, key);
      await assert.rejects(store.deletePrefix("derivatives"), /must end with/);
    },
  ],
];
