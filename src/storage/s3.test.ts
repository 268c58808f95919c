import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { BLOB_STORE_CONTRACT } from "./blob-store-contract.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { S3BlobStore } from "./s3.ts";

const S3 = process.env.PINHOLE_TEST_S3_ENDPOINT;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-contract-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the local disk store keeps the storage contract", () => {
  const store = new LocalDiskStore(path.join(scratch, "files"), path.join(scratch, "tmp"));
  for (const [name, check] of BLOB_STORE_CONTRACT) test(name, () => check(store));
});

describe("the S3 store keeps the storage contract", () => {
  // Each run works under its own prefix, so runs and other tests sharing the bucket never meet.
  const store = S3
    ? new S3BlobStore({
        endpoint: S3,
        region: process.env.PINHOLE_TEST_S3_REGION ?? "us-east-1",
        bucket: process.env.PINHOLE_TEST_S3_BUCKET ?? "test-bucket",
        prefix: `contract-${crypto.randomBytes(6).toString("hex")}/`,
        accessKeyId: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
        secretAccessKey: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
        forcePathStyle: true,
        scratchDir: path.join(scratch, "s3-tmp"),
      })
    : null;
  after(async () => {
    if (!store) return;
    for (const top of ["originals/", "derivatives/", "health/"]) await store.deletePrefix(top);
    store.close();
  });
  for (const [name, check] of BLOB_STORE_CONTRACT) {
    test(name, { skip: store ? false : "no S3 server: set PINHOLE_TEST_S3_ENDPOINT (and _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY); .ci/run starts one" }, () => check(store!));
  }
});
