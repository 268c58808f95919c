import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, corpusFile, photoForm, type PhotoJson } from "../helpers/client.ts";
import { S3BlobStore } from "../../src/storage/s3.ts";

const ENDPOINT = process.env.PINHOLE_TEST_S3_ENDPOINT;
const SKIP = ENDPOINT ? false : "no S3 server: set PINHOLE_TEST_S3_ENDPOINT (and _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY); .ci/run starts one";
const prefix = `site-${crypto.randomBytes(6).toString("hex")}`;
const s3Env = {
  PINHOLE_STORAGE: "s3",
  PINHOLE_S3_ENDPOINT: ENDPOINT ?? "",
  PINHOLE_S3_BUCKET: process.env.PINHOLE_TEST_S3_BUCKET ?? "test-bucket",
  PINHOLE_S3_ACCESS_KEY_ID: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
  PINHOLE_S3_SECRET_ACCESS_KEY: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
  PINHOLE_S3_PREFIX: prefix,
};
/** The bucket seen directly, to check what the site put there. */
const bucket = ENDPOINT
  ? new S3BlobStore({ endpoint: ENDPOINT, region: "us-east-1", bucket: s3Env.PINHOLE_S3_BUCKET, prefix: `${prefix}/`, accessKeyId: s3Env.PINHOLE_S3_ACCESS_KEY_ID, secretAccessKey: s3Env.PINHOLE_S3_SECRET_ACCESS_KEY, forcePathStyle: true, scratchDir: fs.mkdtempSync("/tmp/pinhole-s3-view-") })
  : null;

let server: TestServer | null = null;
before(async () => {
  if (ENDPOINT) server = await startServer(s3Env);
});
after(async () => {
  await server?.close();
  if (bucket) {
    for (const top of ["originals/", "derivatives/", "health/"]) await bucket.deletePrefix(top);
    await bucket.delete("pinhole-storage.json");
    bucket.close();
  }
});

const keysUnder = async (under: string) => {
  const keys: string[] = [];
  for await (const entry of bucket!.list(under)) keys.push(entry.key);
  return keys.sort();
};

test("on S3 storage, an upload's original and sizes land in the bucket, its image URLs serve them, and nothing is written to the local files dir", { skip: SKIP }, async () => {
  const member = await buildMember(server!);
  const answer = await api(server!, "POST", "/api/v1/photos", { token: member.token, form: photoForm(corpusFile("photos/evening-boats.jpg"), { title: "on s3" }) });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const photo = answer.body as PhotoJson;
  const originals = await keysUnder("originals/");
  assert.equal(originals.length, 1);
  const original = await bucket!.get(originals[0]!);
  assert.ok(original?.equals(fs.readFileSync(corpusFile("photos/evening-boats.jpg"))), "the original in the bucket is the file sent");
  for (const size of photo.sizes) {
    const response = await fetch(size.url);
    assert.equal(response.status, 200, size.url);
    const secret = new URL(size.url).pathname.split("/")[3];
    assert.ok((await keysUnder("derivatives/")).some((k) => k.includes(`/${secret}/`)), "the sizes are in the bucket");
  }
  assert.deepEqual(fs.existsSync(path.join(server!.dataDir, "files")) ? fs.readdirSync(path.join(server!.dataDir, "files")) : [], [], "no photo file on local disk");
  assert.ok(await bucket!.exists("pinhole-storage.json"), "the storage marker pairs the bucket with this site's database");
});

test("on S3 storage, making a photo private moves its sizes to a new secret and deleting it empties the bucket of it", { skip: SKIP }, async () => {
  const member = await buildMember(server!);
  const photo = (await api(server!, "POST", "/api/v1/photos", { token: member.token, form: photoForm(corpusFile("photos/forest-path.jpg")) })).body as PhotoJson;
  const oldSecret = new URL(photo.sizes[0]!.url).pathname.split("/")[3]!;
  assert.equal((await api(server!, "PATCH", `/api/v1/photos/${photo.id}`, { token: member.token, json: { visibility: "private" } })).status, 200);
  for (const size of photo.sizes) assert.equal((await fetch(size.url)).status, 404, "old URLs stop working");
  const now = (await api(server!, "GET", `/api/v1/photos/${photo.id}`, { token: member.token })).body as PhotoJson;
  for (const size of now.sizes) assert.equal((await fetch(size.url)).status, 200);
  const derivatives = await keysUnder("derivatives/");
  assert.ok(!derivatives.some((k) => k.includes(`/${oldSecret}/`)), "the old secret's copies are gone from the bucket");
  assert.equal((await api(server!, "DELETE", `/api/v1/photos/${photo.id}`, { token: member.token })).status, 204);
  const newSecret = new URL(now.sizes[0]!.url).pathname.split("/")[3]!;
  assert.ok(!(await keysUnder("derivatives/")).some((k) => k.includes(`/${newSecret}/`)), "a deleted photo's sizes leave the bucket");
  assert.ok(!(await keysUnder("originals/")).some((k) => k.endsWith(`/${photo.id}.jpg`)), "and its original");
});
