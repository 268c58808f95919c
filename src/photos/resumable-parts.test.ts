import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Upload } from "@tus/server";
import type { BlobStore } from "../storage/blob-store.ts";
import { LocalDiskStore } from "../storage/local-disk.ts";
import { NO_S3_SERVER, testS3Store } from "../../test/helpers/s3.ts";
import { SHARED_PARTS_FOLDER, SharedPartsStore } from "./resumable-parts.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-parts-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const EXPIRY_MS = 60_000;
/** Small pieces, so that a few hundred kilobytes already make several parts per request. */
const PIECE = 64 * 1024;

function newId(): string {
  return crypto.randomBytes(16).toString("hex");
}

/** A request's body as tus hands it over: chunks of whatever size the network gave. */
function body(bytes: Buffer, chunk = 10_000): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) chunks.push(bytes.subarray(at, at + chunk));
  return Readable.from(chunks);
}

async function keysUnder(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of store.list(prefix)) keys.push(entry.key);
  return keys.sort();
}

async function created(parts: SharedPartsStore, size: number, metadata: Record<string, string> = {}): Promise<Upload> {
  return parts.create(new Upload({ id: newId(), size, offset: 0, metadata }));
}

function checks(store: () => BlobStore): Array<[string, () => Promise<void>]> {
  return [
    [
      "parts written by several requests, each in pieces, add up to the file, byte for byte",
      async () => {
        const parts = new SharedPartsStore(store(), EXPIRY_MS, Date.now, PIECE);
        const file = crypto.randomBytes(300_000);
        const upload = await created(parts, file.length, { filename: "a.jpg", pinholeOwner: "7" });
        let offset = 0;
        for (const end of [1, 150_000, 150_001, file.length]) {
          offset = await parts.write(body(file.subarray(offset, end)), upload.id, offset);
          assert.equal(offset, end);
          assert.equal((await parts.getUpload(upload.id)).offset, end, "the offset as any server reads it");
        }
        const again = await parts.getUpload(upload.id);
        assert.deepEqual([again.size, again.metadata], [file.length, { filename: "a.jpg", pinholeOwner: "7" }]);
        const whole = await parts.wholeFile(again, scratch);
        assert.ok((await fsp.readFile(whole.tempPath)).equals(file));
        assert.equal(whole.sha256, crypto.createHash("sha256").update(file).digest("hex"));
        assert.equal(whole.bytes, file.length);
        await fsp.rm(whole.tempPath);
        assert.ok((await keysUnder(store(), `${SHARED_PARTS_FOLDER}${upload.id}/`)).length > 5, "several parts");
        await parts.discard(upload.id);
        assert.deepEqual(await keysUnder(store(), `${SHARED_PARTS_FOLDER}${upload.id}/`), [], "nothing is left");
      },
    ],
    [
      "a request cut short keeps what it sent; overlapping parts still make the file once",
      async () => {
        const parts = new SharedPartsStore(store(), EXPIRY_MS, Date.now, PIECE);
        const file = crypto.randomBytes(200_000);
        const upload = await created(parts, file.length);
        // The client went away after 70,000 bytes: tus ends the body, and they are kept.
        assert.equal(await parts.write(body(file.subarray(0, 70_000)), upload.id, 0), 70_000);
        // Two writers from the same offset (what the lock prevents): the same bytes at the same place.
        await parts.write(body(file.subarray(70_000, 120_000)), upload.id, 70_000);
        await parts.write(body(file.subarray(70_000, 200_000)), upload.id, 70_000);
        assert.equal((await parts.getUpload(upload.id)).offset, file.length);
        const whole = await parts.wholeFile(await parts.getUpload(upload.id), scratch);
        assert.ok((await fsp.readFile(whole.tempPath)).equals(file));
        await fsp.rm(whole.tempPath);
        await parts.discard(upload.id);
      },
    ],
    [
      "a request that fails keeps its whole pieces, never half of one, and no scratch file",
      async () => {
        const parts = new SharedPartsStore(store(), EXPIRY_MS, Date.now, PIECE);
        const file = crypto.randomBytes(200_000);
        const upload = await created(parts, file.length);
        const failing = Readable.from(
          (async function* () {
            yield file.subarray(0, 100_000);
            throw new Error("the connection broke");
          })(),
        );
        await assert.rejects(parts.write(failing, upload.id, 0), /the connection broke/);
        assert.equal((await parts.getUpload(upload.id)).offset, PIECE, "only the whole piece was stored");
        assert.deepEqual((await fsp.readdir(store().scratchDir)).filter((name) => name.startsWith("resumable-")), []);
        await parts.discard(upload.id);
      },
    ],
    [
      "termination removes an upload; an unknown or malformed id does not exist",
      async () => {
        const parts = new SharedPartsStore(store(), EXPIRY_MS, Date.now, PIECE);
        const upload = await created(parts, 1000);
        await parts.write(body(crypto.randomBytes(500)), upload.id, 0);
        await parts.remove(upload.id);
        await assert.rejects(parts.getUpload(upload.id), (error: { status_code?: number }) => error.status_code === 404);
        await assert.rejects(parts.remove(upload.id), (error: { status_code?: number }) => error.status_code === 404);
        await assert.rejects(parts.getUpload("../originals"), (error: { status_code?: number }) => error.status_code === 404);
        await assert.rejects(parts.getUpload("ABC"), (error: { status_code?: number }) => error.status_code === 404);
      },
    ],
    [
      "expiry removes uploads older than the expiry and folders left without a record, and nothing else",
      async () => {
        let now = Date.now();
        const parts = new SharedPartsStore(store(), EXPIRY_MS, () => now, PIECE);
        await store().put("originals/000/kept.jpg", Buffer.from("a photo's original"));
        const old = await parts.create(new Upload({ id: newId(), size: 1000, offset: 0, creation_date: new Date(now - EXPIRY_MS - 1000).toISOString() }));
        await parts.write(body(crypto.randomBytes(300)), old.id, 0);
        const fresh = await created(parts, 1000);
        await parts.write(body(crypto.randomBytes(300)), fresh.id, 0);
        // A removal cut short after the record went: parts with nothing saying whose they are.
        const orphan = await created(parts, 1000);
        await parts.write(body(crypto.randomBytes(300)), orphan.id, 0);
        await store().delete(`${SHARED_PARTS_FOLDER}${orphan.id}/info.json`);
        assert.equal(await parts.deleteExpired(), 1, "only the old upload has expired");
        await assert.rejects(parts.getUpload(old.id));
        assert.equal((await parts.getUpload(fresh.id)).offset, 300);
        now += EXPIRY_MS + 60_000;
        assert.equal(await parts.deleteExpired(), 2, "later the fresh one and the orphaned parts go");
        for (const id of [old.id, fresh.id, orphan.id]) assert.deepEqual(await keysUnder(store(), `${SHARED_PARTS_FOLDER}${id}/`), []);
        assert.ok(await store().exists("originals/000/kept.jpg"), "files outside the parts' folder are left alone");
        await store().delete("originals/000/kept.jpg");
      },
    ],
  ];
}

describe("the shared parts store over the local disk store", () => {
  const store = new LocalDiskStore(path.join(scratch, "files"), path.join(scratch, "tmp"));
  for (const [name, check] of checks(() => store)) test(name, check);
});

describe("the shared parts store over a real S3 bucket", () => {
  const store = testS3Store(`parts-${crypto.randomBytes(6).toString("hex")}/`, path.join(scratch, "s3-tmp"));
  after(async () => {
    if (!store) return;
    await store.deletePrefix(SHARED_PARTS_FOLDER);
    store.close();
  });
  for (const [name, check] of checks(() => store!)) {
    test(name, { skip: store ? false : NO_S3_SERVER }, check);
  }
});
