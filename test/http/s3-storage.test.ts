import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, corpusFile, photoForm, type PhotoJson } from "../helpers/client.ts";
import { S3BlobStore } from "../../src/storage/s3.ts";
import { SHARED_PARTS_FOLDER } from "../../src/photos/resumable-parts.ts";
import { noiseJpeg } from "../helpers/images.ts";

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
    for (const top of ["originals/", "derivatives/", "health/", SHARED_PARTS_FOLDER]) await bucket.deletePrefix(top);
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

test("on S3 storage, a resumable upload's parts wait in the bucket, not on this server's disk, are its owner's alone, and become the photo whole", { skip: SKIP }, async () => {
  const owner = await buildMember(server!);
  const other = await buildMember(server!);
  const file = await noiseJpeg(1000, 800);
  const tus = (member: typeof owner, extra: Record<string, string> = {}) => ({ "tus-resumable": "1.0.0", authorization: `Bearer ${member.token}`, ...extra });
  const created = await fetch(`${server!.url}/api/v1/uploads/`, { method: "POST", headers: tus(owner, { "upload-length": String(file.length), "upload-metadata": `title ${Buffer.from("in parts").toString("base64")}` }) });
  assert.equal(created.status, 201);
  const location = new URL(created.headers.get("location")!, server!.url).toString();
  const id = location.split("/").pop()!;
  const half = Math.floor(file.length / 2);
  const first = await fetch(location, { method: "PATCH", headers: tus(owner, { "upload-offset": "0", "content-type": "application/offset+octet-stream" }), body: new Uint8Array(file.subarray(0, half)) });
  assert.equal(first.status, 204);
  const waiting = await keysUnder(`${SHARED_PARTS_FOLDER}${id}/`);
  assert.equal(waiting.length, 2, `its record and one part: ${waiting.join(", ")}`);
  const localParts = path.join(server!.dataDir, "resumable-uploads");
  assert.deepEqual(fs.existsSync(localParts) ? fs.readdirSync(localParts) : [], [], "nothing of it on this server's disk");
  assert.equal((await fetch(location, { method: "HEAD", headers: tus(other) })).status, 404, "someone else's upload does not exist for them");
  const last = await fetch(location, { method: "PATCH", headers: tus(owner, { "upload-offset": String(half), "content-type": "application/offset+octet-stream" }), body: new Uint8Array(file.subarray(half)) });
  assert.equal(last.status, 201, await last.clone().text());
  const photo = (await last.json()) as PhotoJson;
  assert.equal(photo.title, "in parts");
  const original = await fetch(`${server!.url}/photos/${owner.username}/${photo.id}/original`, { headers: { authorization: `Bearer ${owner.token}` } });
  assert.ok(Buffer.from(await original.arrayBuffer()).equals(file), "the original is byte for byte what was sent");
  assert.deepEqual(await keysUnder(`${SHARED_PARTS_FOLDER}${id}/`), [], "the parts are gone once the photo is made");
});
