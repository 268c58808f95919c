import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { withoutFirstBytes, writeHashed, writeHashedThenSync } from "./upload-receiver.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-receiver-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const openDescriptors = () => fs.readdirSync("/proc/self/fd").length;
// The hashing worker's own descriptors (its event loop, its message port) are there from its
// first job on: counted after one.
before(async () => {
  await writeHashed((async function* () { yield Buffer.from("warm"); })(), path.join(dir, "warm-up"));
});

test("a streamed file is written whole, hashed and synced, its descriptor closed", async () => {
  const chunks = Array.from({ length: 9 }, () => crypto.randomBytes(700_000));
  const whole = Buffer.concat(chunks);
  const before = openDescriptors();
  const target = path.join(dir, "whole");
  const written = await writeHashed((async function* () { yield* chunks; })(), target);
  assert.deepEqual(written, { sha256: crypto.createHash("sha256").update(whole).digest("hex"), bytes: whole.length });
  assert.ok(fs.readFileSync(target).equals(whole));
  assert.equal(openDescriptors(), before);
  await assert.rejects(writeHashed((async function* () { yield Buffer.from("x"); })(), target), { code: "EEXIST" }, "never over an existing file");
});

test("a source that fails mid-way (a body over the limit, a client gone) keeps its own error, and no descriptor is left open", async () => {
  const before = openDescriptors();
  for (let i = 0; i < 10; i++) {
    async function* failing() {
      for (let sent = 0; sent < 3; sent++) yield crypto.randomBytes(600_000);
      throw new Error("over the limit");
    }
    await assert.rejects(writeHashed(failing(), path.join(dir, `failed-${i}`)), { message: "over the limit" });
  }
  assert.equal(openDescriptors(), before);
});

test("after a partial write, the rest starts at the first byte not written", () => {
  const buffers = [Buffer.from("abc"), Buffer.from(""), Buffer.from("defg"), Buffer.from("h")];
  const rest = (count: number) => Buffer.concat(withoutFirstBytes(buffers, count)).toString();
  for (let count = 0; count <= 8; count++) assert.equal(rest(count), "abcdefgh".slice(count), `after ${count} bytes`);
  assert.deepEqual(withoutFirstBytes(buffers, 8), []);
});

test("many tiny chunks are written whole", async () => {
  const chunks = Array.from({ length: 5000 }, (_, i) => Buffer.from([i % 251]));
  const target = path.join(dir, "tiny");
  const written = await writeHashed((async function* () { yield* chunks; })(), target);
  assert.equal(written.bytes, 5000);
  assert.ok(fs.readFileSync(target).equals(Buffer.concat(chunks)));
});

test("written and hashed first, synced after: the descriptor closes once the fsync is done", async () => {
  const chunks = Array.from({ length: 5 }, () => crypto.randomBytes(900_000));
  const before = openDescriptors();
  const target = path.join(dir, "then-sync");
  const { sha256, bytes, synced } = await writeHashedThenSync((async function* () { yield* chunks; })(), target);
  assert.equal(sha256, crypto.createHash("sha256").update(Buffer.concat(chunks)).digest("hex"));
  assert.equal(bytes, 4_500_000);
  assert.ok(fs.readFileSync(target).equals(Buffer.concat(chunks)), "every byte is in the file before the fsync ends");
  await synced;
  assert.equal(openDescriptors(), before);
});
