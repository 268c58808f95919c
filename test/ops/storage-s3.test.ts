import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { buildApp, type AppContext } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { derivativeKey } from "../../src/images/keys.ts";
import { S3BlobStore } from "../../src/storage/s3.ts";
import { api, buildMember, type PhotoJson } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { freePort } from "../helpers/server-process.ts";

const S3 = process.env.PINHOLE_TEST_S3_ENDPOINT;
const skip = S3 ? false : "no S3 server: set PINHOLE_TEST_S3_ENDPOINT (and _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY); .ci/run starts one";
const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The bucket's settings under a prefix of this run's own, so runs sharing the bucket never meet. */
function s3Env(prefix: string): Record<string, string> {
  return {
    PINHOLE_S3_ENDPOINT: S3 ?? "",
    PINHOLE_S3_BUCKET: process.env.PINHOLE_TEST_S3_BUCKET ?? "test-bucket",
    PINHOLE_S3_ACCESS_KEY_ID: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
    PINHOLE_S3_SECRET_ACCESS_KEY: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
    PINHOLE_S3_REGION: process.env.PINHOLE_TEST_S3_REGION ?? "us-east-1",
    PINHOLE_S3_PREFIX: prefix,
  };
}

function bucket(prefix: string): S3BlobStore {
  const env = s3Env(prefix);
  const store = new S3BlobStore({
    endpoint: env.PINHOLE_S3_ENDPOINT!,
    region: env.PINHOLE_S3_REGION!,
    bucket: env.PINHOLE_S3_BUCKET!,
    prefix: `${prefix}/`,
    accessKeyId: env.PINHOLE_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.PINHOLE_S3_SECRET_ACCESS_KEY!,
    forcePathStyle: true,
    scratchDir: fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-s3-scratch-")),
  });
  cleanups.push(async () => {
    for await (const { key } of store.list("")) await store.delete(key);
    store.close();
    fs.rmSync(store.scratchDir, { recursive: true, force: true });
  });
  return store;
}

interface Running {
  url: string;
  context: AppContext;
  close(): Promise<void>;
}

/** One site (data dir and database) that servers are started on again and again with other storage settings, as an operator restarts one. */
async function site(): Promise<{ env: Record<string, string>; start(env: Record<string, string>): Promise<Running> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-storage-"));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  if (postgres) cleanups.push(postgres.drop);
  const env = { PINHOLE_DATA_DIR: dataDir, DATABASE_URL: postgres?.url ?? "", PINHOLE_LOG_LEVEL: "silent", PINHOLE_MAP_TILES_URL: "" };
  return {
    env,
    async start(extra) {
      const port = await freePort();
      const config = loadConfig({ ...env, PORT: String(port), HOST: "127.0.0.1", ...extra });
      const { app, context } = await buildApp(config, { logger: pino({ level: "silent" }) });
      await app.listen({ port, host: "127.0.0.1" });
      return { url: config.baseUrl, context, close: () => app.close() };
    },
  };
}

/** The real `pinhole` command in its own process; `onStderr` sees its progress lines as they come. */
function pinhole(args: string[], env: Record<string, string>, onStderr?: (text: string, kill: () => void) => void): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      onStderr?.(stderr, () => child.kill("SIGKILL"));
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code: code ?? signal, stdout, stderr }));
  });
}

async function bytesOf(url: string, init?: RequestInit): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const answer = await fetch(url, init);
  return { status: answer.status, body: Buffer.from(await answer.arrayBuffer()), headers: answer.headers };
}

function imagePaths(photo: PhotoJson): string[] {
  return photo.sizes.map((size) => new URL(size.url).pathname);
}

/** Waits (bounded) for something the server does after answering, such as a file job. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const started = Date.now(); !(await check()); ) {
    if (Date.now() - started > 30_000) throw new Error(`not within 30 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("image URLs on S3: streamed, redirected to a signed URL or to a CDN's; the same bytes each way, and a 404 for a wrong or given-up secret", { skip }, async () => {
  const prefix = `serve-${crypto.randomBytes(6).toString("hex")}`;
  const objects = bucket(prefix);
  const s = await site();
  const storage = { PINHOLE_STORAGE: "s3", ...s3Env(prefix) };
  let server = await s.start(storage);
  const member = await buildMember(server);
  const photo = await buildDistinctPhoto(server, member, {}, { width: 700, height: 500 });
  const other = await buildDistinctPhoto(server, member);
  const expected = new Map<string, Buffer>();
  for (const urlPath of imagePaths(photo)) {
    const answer = await bytesOf(server.url + urlPath);
    assert.equal(answer.status, 200, urlPath);
    expected.set(urlPath, answer.body);
  }
  const foreign = `/img/${photo.id}/${"0".repeat(20)}/500.jpg`;
  assert.equal((await fetch(server.url + foreign)).status, 404);
  await server.close();

  // A CDN in front of the bucket, with its own access to it (as CloudFront's origin access).
  const cdn = http.createServer((request, response) => {
    const key = (request.url ?? "").slice(`/${prefix}/`.length);
    objects.get(key).then(
      (data) => (data ? response.writeHead(200, { "content-type": "image/jpeg" }).end(data) : response.writeHead(404).end()),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => cdn.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => cdn.close(() => resolve())));
  const cdnUrl = `http://127.0.0.1:${(cdn.address() as { port: number }).port}/`;

  const modes: Array<[string, Record<string, string>]> = [
    ["presign", { PINHOLE_S3_SERVE: "presign", PINHOLE_S3_PRESIGN_SECONDS: "120" }],
    ["public", { PINHOLE_S3_SERVE: "public", PINHOLE_S3_PUBLIC_BASE_URL: cdnUrl }],
  ];
  for (const [mode, settings] of modes) {
    server = await s.start({ ...storage, ...settings });
    for (const [urlPath, bytes] of expected) {
      const redirect = await fetch(server.url + urlPath, { redirect: "manual" });
      assert.equal(redirect.status, 302, `${mode} ${urlPath}`);
      const location = redirect.headers.get("location") ?? "";
      const maxAge = Number(/max-age=(\d+)/.exec(redirect.headers.get("cache-control") ?? "")?.[1]);
      if (mode === "presign") {
        assert.ok(location.startsWith(`${S3}/`) && location.includes("X-Amz-Expires=120"), location);
        const signed = /X-Amz-Date=(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(location)!;
        const expiresAt = Date.UTC(+signed[1]!, +signed[2]! - 1, +signed[3]!, +signed[4]!, +signed[5]!, +signed[6]!) + 120_000;
        assert.ok(maxAge > 0 && maxAge * 1000 < expiresAt - Date.now(), `a redirect is kept for less than what is left of its signature: ${maxAge} s`);
        assert.equal((await fetch(location.split("?")[0]!)).status, 403, "the bucket itself stays private: only the signature opens it");
      } else {
        assert.ok(location.startsWith(`${cdnUrl}${prefix}/derivatives/`), location);
      }
      // A real client following the redirect gets the bytes the streaming server sent.
      const followed = await bytesOf(server.url + urlPath);
      assert.equal(followed.status, 200, `${mode} ${urlPath}`);
      assert.ok(followed.body.equals(bytes), `${mode} ${urlPath}: the same bytes`);
    }
    assert.equal((await fetch(server.url + foreign, { redirect: "manual" })).status, 404, `${mode}: a wrong secret`);
    assert.equal((await fetch(server.url + "/img/1/abc/500.jpg", { redirect: "manual" })).status, 404, `${mode}: not an image URL`);
    // A size whose file is missing is a 404 here, never a redirect to a URL that fails there.
    const lost = imagePaths(other)[0]!;
    const [, , id, secret, file] = lost.split("/");
    const [size, extension] = file!.split(".");
    await objects.delete(derivativeKey(id!, secret!, size!, extension === "webp" ? "webp" : "jpeg"));
    assert.equal((await fetch(server.url + lost, { redirect: "manual" })).status, 404, `${mode}: a missing file`);
    other.sizes.shift();
    await server.close();
  }

  // A photo made private gets a new secret: its old URLs stop redirecting once the files go.
  server = await s.start({ ...storage, ...modes[0]![1] });
  const old = imagePaths(other)[0]!;
  assert.equal((await fetch(server.url + old, { redirect: "manual" })).status, 302);
  const changed = await api(server, "PATCH", `/api/v1/photos/${other.id}`, { token: member.token, json: { visibility: "private" } });
  assert.equal(changed.status, 200);
  await eventually(async () => (await fetch(server.url + old, { redirect: "manual" })).status === 404, "the old secret's URL answers 404");
  await server.close();
});

test("a bad serving setting stops start-up with one line naming the variable", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-storage-"));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const bucketSettings = { PINHOLE_S3_ENDPOINT: "http://127.0.0.1:9", PINHOLE_S3_BUCKET: "photos", PINHOLE_S3_ACCESS_KEY_ID: "id", PINHOLE_S3_SECRET_ACCESS_KEY: "secret" };
  const result = await pinhole(["serve"], { ...bucketSettings, PINHOLE_STORAGE: "s3", PINHOLE_S3_SERVE: "public", PINHOLE_DATA_DIR: dataDir, PORT: "0" });
  assert.equal(result.code, 1);
  assert.match(result.stderr.trim(), /^pinhole: PINHOLE_S3_PUBLIC_BASE_URL must be set when PINHOLE_S3_SERVE=public[^\n]*$/);
});

test("pinhole storage migrate moves a serving site from local disk to S3 and back: every image URL the same bytes, resumed after a kill, nothing deleted comes back", { skip }, async () => {
  const prefix = `migrate-${crypto.randomBytes(6).toString("hex")}`;
  const objects = bucket(prefix);
  const s = await site();
  // Redirects while moving: a file in the bucket is redirected to, one still on disk is sent by the server.
  const toS3 = { PINHOLE_STORAGE: "s3", PINHOLE_STORAGE_FALLBACK: "local", PINHOLE_S3_SERVE: "presign", ...s3Env(prefix) };
  const onS3 = { PINHOLE_STORAGE: "s3", ...s3Env(prefix) };
  const toLocal = { PINHOLE_STORAGE: "local", PINHOLE_STORAGE_FALLBACK: "s3", ...s3Env(prefix) };
  const expected = new Map<string, Buffer>();
  const gone: string[] = [];
  let server = await s.start({});
  const record = async (photo: PhotoJson) => {
    for (const urlPath of imagePaths(photo)) {
      const answer = await bytesOf(server.url + urlPath);
      assert.equal(answer.status, 200, urlPath);
      expected.set(urlPath, answer.body);
    }
  };
  const remove = async (photo: PhotoJson) => {
    assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: member.token })).status, 204);
    for (const urlPath of imagePaths(photo)) {
      expected.delete(urlPath);
      gone.push(urlPath);
    }
  };
  const checkAll = async (where: string) => {
    for (const [urlPath, bytes] of expected) {
      const answer = await bytesOf(server.url + urlPath);
      assert.equal(answer.status, 200, `${where}: ${urlPath}`);
      assert.ok(answer.body.equals(bytes), `${where}: ${urlPath} byte for byte`);
    }
    for (const urlPath of gone) assert.equal((await fetch(server.url + urlPath)).status, 404, `${where}: ${urlPath} of a deleted photo`);
  };
  // Refused while the servers do not write to the bucket yet (run meanwhile: a process starts slowly).
  const refusal = pinhole(["storage", "migrate", "--to", "s3"], { ...s.env, ...onS3 });
  const member = await buildMember(server);
  const photos: PhotoJson[] = [];
  for (let i = 0; i < 4; i++) photos.push(await buildDistinctPhoto(server, member, {}, { width: 1100, height: 800 }));
  for (const photo of photos) await record(photo);
  await server.close();
  const refused = await refusal;
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /set PINHOLE_STORAGE=s3 and PINHOLE_STORAGE_FALLBACK=local/);

  // 1. The servers write to the bucket and read local disk where it has not got a file yet.
  server = await s.start(toS3);
  await checkAll("falling back to local disk");
  const added = await buildDistinctPhoto(server, member, {}, { width: 1100, height: 800 });
  await record(added);
  assert.equal((await fetch(server.url + imagePaths(photos[0]!)[0]!, { redirect: "manual" })).status, 200, "still on disk: sent by the server");
  assert.equal((await fetch(server.url + imagePaths(added)[0]!, { redirect: "manual" })).status, 302, "in the bucket: redirected to");
  await remove(photos.pop()!);
  await eventually(async () => (await fetch(server.url + gone[0]!)).status === 404, "a deleted photo's files go from both stores");

  // 2. The copy, killed partway and run again: it goes on from where it was.
  const killed = await pinhole(["storage", "migrate", "--to", "s3"], { ...s.env, ...toS3 }, (stderr, kill) => {
    if (/migrate files \(pass 1\): [1-9]\d*%/.test(stderr)) kill();
  });
  assert.equal(killed.code, "SIGKILL", killed.stderr);
  const resumed = await pinhole(["storage", "migrate", "--to", "s3"], { ...s.env, ...toS3 });
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /each checked by sha256/);
  assert.ok(Number(/(\d+) copied and verified by an earlier run/.exec(resumed.stdout)?.[1]) > 0, resumed.stdout);
  await checkAll("while migrating");
  await server.close();

  // 3. The bucket alone: every URL as before; every original as the database recorded it; a backup of it.
  server = await s.start(onS3);
  await checkAll("on S3");
  const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-backup-"));
  cleanups.push(() => fs.rmSync(backupDir, { recursive: true, force: true }));
  const [verified, backup] = await Promise.all([pinhole(["verify"], { ...s.env, ...onS3 }), pinhole(["backup", backupDir], { ...s.env, ...onS3 })]);
  assert.equal(verified.code, 0, verified.stderr + verified.stdout);
  assert.match(verified.stdout, /verified 4 photo\(s\): all well/);
  assert.equal(backup.code, 0, backup.stderr + backup.stdout);
  let keys = 0;
  for await (const entry of objects.list("")) if (!entry.key.startsWith("health/")) keys++;
  assert.equal(Number(/files: (\d+) /.exec(backup.stdout)?.[1]), keys, backup.stdout);
  // The backup restored into a new site whose files go straight into a bucket (checked at the end).
  const restoredPrefix = `restored-${crypto.randomBytes(6).toString("hex")}`;
  bucket(restoredPrefix);
  const restoredSite = await site();
  const restoredEnv = { ...restoredSite.env, PINHOLE_STORAGE: "s3", ...s3Env(restoredPrefix) };
  const restoring = pinhole(["restore", backupDir], restoredEnv);
  const backedUp = new Map(expected);
  // Deleted while on S3: the copy on local disk from before must not come back.
  await remove(photos.pop()!);
  await eventually(async () => (await fetch(server.url + gone.at(-1)!)).status === 404, "deleted on S3");
  await server.close();

  // 4. Back to local disk. Its files were written an hour ago by now, as on a real site.
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const entry of fs.readdirSync(path.join(s.env.PINHOLE_DATA_DIR!, "files"), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) fs.utimesSync(path.join(entry.parentPath, entry.name), hourAgo, hourAgo);
  }
  server = await s.start(toLocal);
  const back = await pinhole(["storage", "migrate", "--to", "local"], { ...s.env, ...toLocal });
  assert.equal(back.code, 0, back.stderr + back.stdout);
  assert.ok(Number(/(\d+) no longer used removed/.exec(back.stdout)?.[1]) > 0, back.stdout);
  await server.close();
  server = await s.start({});
  await checkAll("back on local disk");
  await server.close();

  const restored = await restoring;
  assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  assert.match(restored.stdout, new RegExp(`the files into s3://[^ ]+/${restoredPrefix}/`));
  server = await restoredSite.start(restoredEnv);
  expected.clear();
  for (const [urlPath, bytes] of backedUp) expected.set(urlPath, bytes);
  gone.length = 0;
  await checkAll("restored into a bucket");
  await server.close();
});
