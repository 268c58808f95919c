import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { BLOB_STORE_CONTRACT } from "./blob-store-contract.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { NO_S3_SERVER, testS3Store } from "../../test/helpers/s3.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-contract-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the local disk store keeps the storage contract", () => {
  const store = new LocalDiskStore(path.join(scratch, "files"), path.join(scratch, "tmp"));
  for (const [name, check] of BLOB_STORE_CONTRACT) test(name, () => check(store));
});

describe("the S3 store keeps the storage contract", () => {
  // Each run works under its own prefix, so runs and other tests sharing the bucket never meet.
  const store = testS3Store(`contract-${crypto.randomBytes(6).toString("hex")}/`, path.join(scratch, "s3-tmp"));
  after(async () => {
    if (!store) return;
    for (const top of ["originals/", "derivatives/", "health/"]) await store.deletePrefix(top);
    store.close();
  });
  for (const [name, check] of BLOB_STORE_CONTRACT) {
    test(name, { skip: store ? false : NO_S3_SERVER }, () => check(store!));
  }
});
