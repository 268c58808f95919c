import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { buildMember, corpusFile } from "../helpers/client.ts";
import { AppError } from "../../src/errors.ts";
import type { ReceivedUpload } from "../../src/photos/upload-receiver.ts";

// The original's fsync runs while the image is decoded; the photo is kept, and the 201 sent,
// only once it is done. These hold the fsync in the test's hand.
let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const jpeg = fs.readFileSync(corpusFile("photos/evening-boats.jpg"));
let distinct = 0;

async function receivedWithSync(synced: Promise<void>): Promise<ReceivedUpload> {
  const bytes = Buffer.concat([jpeg, Buffer.from(`durability-${distinct++}`)]);
  const tempPath = path.join(server.context.store.scratchDir, `durability-${distinct}.part`);
  fs.writeFileSync(tempPath, bytes);
  return { tempPath, sha256: crypto.createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length, synced, displayName: "boats.jpg", fields: {} };
}

function originals(): string[] {
  const root = path.join(server.dataDir, "files", "originals");
  return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
}

test("an upload is not stored, nor answered, before its original's fsync ends", async () => {
  const member = await buildMember(server);
  const viewer = (await server.context.users.authenticate(member.token, "bearer"))!;
  let finishSync!: () => void;
  const upload = await receivedWithSync(new Promise<void>((resolve) => (finishSync = resolve)));
  const before = originals();
  let settled = false;
  const stored = server.context.photos.upload(viewer, upload).finally(() => (settled = true));
  // Long enough for the decode and the derivatives of a small photo, here, many times over.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(settled, false, "the upload waits for the fsync");
  assert.deepEqual(originals(), before, "the original is not kept yet");
  finishSync();
  const { photo, created } = await stored;
  assert.equal(created, true);
  assert.equal(originals().length, before.length + 1);
  assert.equal((await server.context.photos.get(Number(photo.id), viewer)).id, photo.id);
});

test("an original whose fsync fails is not kept: the upload fails with the disk's error and leaves no photo", async () => {
  const member = await buildMember(server);
  const viewer = (await server.context.users.authenticate(member.token, "bearer"))!;
  const full = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
  const failedSync = Promise.reject(full);
  failedSync.catch(() => undefined); // as writeHashedThenSync marks it: awaited later
  const upload = await receivedWithSync(failedSync);
  const before = originals();
  await assert.rejects(server.context.photos.upload(viewer, upload), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.status, 507);
    return true;
  });
  assert.deepEqual(originals(), before);
  assert.equal(fs.existsSync(upload.tempPath), false, "the temp file is removed");
  const rows = await server.context.database.db.selectFrom("photos").select("id").where("owner_id", "=", viewer.id).execute();
  assert.deepEqual(rows, [], "no row");
});
