import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as tus from "tus-js-client";
import { loadConfig } from "../../src/config.ts";
import { openDatabase, type DatabaseHandle } from "../../src/db/database.ts";
import { PeriodicRunsRepository } from "../../src/ops/periodic-repository.ts";
import { SHARED_PARTS_FOLDER } from "../../src/photos/resumable-parts.ts";
import { RESUMABLE_EXPIRY_TASK } from "../../src/photos/resumable.ts";
import { UPLOAD_LOCK_TIMINGS } from "../../src/photos/upload-locker.ts";
import { UploadLocksRepository } from "../../src/photos/upload-locks-repository.ts";
import type { BlobStore } from "../../src/storage/blob-store.ts";
import { openStore } from "../../src/storage/open-store.ts";
import { buildMember, type Member, type PhotoJson } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { HAPROXY, startHaproxy } from "../helpers/haproxy.ts";
import { noiseJpeg } from "../helpers/images.ts";
import { RoundRobinProxy } from "../helpers/round-robin-proxy.ts";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.ts";
import { freePort } from "../helpers/server-process.ts";
import { waitUntil } from "../helpers/wait.ts";

const S3 = process.env.PINHOLE_TEST_S3_ENDPOINT;
const SKIP = !TEST_POSTGRES_URL
  ? "resumable uploads across servers need PostgreSQL (set PINHOLE_TEST_DATABASE_URL): several servers share one database only there"
  : !S3
    ? "resumable uploads across servers need the shared store: no S3 server (set PINHOLE_TEST_S3_ENDPOINT and the rest; .ci/run starts one)"
    : false;
const HAPROXY_SKIP = SKIP || (!fs.existsSync(HAPROXY) ? `${HAPROXY} is missing (apt-get install haproxy)` : process.getuid?.() !== 0 ? "deploy/haproxy.cfg chroots and drops to the haproxy user, which needs root" : false);
const EXPIRY_SECONDS = 20;
const TUS = { "tus-resumable": "1.0.0" };

interface Cluster {
  work: string;
  postgres: { url: string; drop: () => Promise<void> };
  database: DatabaseHandle;
  store: BlobStore;
  a: ServeProcess;
  b: ServeProcess;
  member: Member;
  /** An upload left half-sent on B at the start, to expire meanwhile. */
  abandoned: { location: string; id: string; createdAt: number };
}
let cluster: Cluster;
const servers: ServeProcess[] = [];

before(async () => {
  if (SKIP) return;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-resumable-cluster-"));
  const postgres = await createPostgresDatabase(TEST_POSTGRES_URL!);
  // Two machines: a data dir each, one database, one bucket (under a prefix of this run's own).
  const env: Record<string, string> = {
    PINHOLE_STORAGE: "s3",
    PINHOLE_S3_ENDPOINT: S3!,
    PINHOLE_S3_BUCKET: process.env.PINHOLE_TEST_S3_BUCKET ?? "test-bucket",
    PINHOLE_S3_ACCESS_KEY_ID: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
    PINHOLE_S3_SECRET_ACCESS_KEY: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
    PINHOLE_S3_REGION: process.env.PINHOLE_TEST_S3_REGION ?? "us-east-1",
    PINHOLE_S3_PREFIX: `resumable-cluster-${crypto.randomBytes(5).toString("hex")}`,
    PINHOLE_SECRET: crypto.randomBytes(32).toString("hex"),
    PINHOLE_RESUMABLE_EXPIRY_SECONDS: String(EXPIRY_SECONDS),
    PINHOLE_LOG_LEVEL: "warn",
  };
  const dataDirOf = (name: string) => {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  const [a, b] = await Promise.all(["a", "b"].map((name) => startServeProcess([], env, { dataDir: dataDirOf(name), databaseUrl: postgres.url })));
  servers.push(a!, b!);
  const database = openDatabase({ databaseUrl: postgres.url, dataDir: work });
  const store = openStore(loadConfig({ ...env, PINHOLE_DATA_DIR: dataDirOf("test"), DATABASE_URL: postgres.url }));
  const member = await buildMember(a!);

  const half = await noiseJpeg(600, 400);
  const created = await fetch(`${b!.url}/api/v1/uploads/`, { method: "POST", headers: { ...TUS, authorization: `Bearer ${member.token}`, "upload-length": String(half.length) } });
  assert.equal(created.status, 201);
  const location = new URL(created.headers.get("location")!, b!.url).pathname;
  const patched = await fetch(b!.url + location, { method: "PATCH", headers: { ...TUS, authorization: `Bearer ${member.token}`, "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body: new Uint8Array(half.subarray(0, 20_000)) });
  assert.equal(patched.status, 204);
  const id = location.split("/").pop()!;
  cluster = { work, postgres, database, store, a: a!, b: b!, member, abandoned: { location, id, createdAt: Date.now() } };
  assert.equal((await partsOf(store, id)).length, 1, "the abandoned upload's part is in the bucket");
});

after(async () => {
  if (SKIP || !cluster) return;
  for (const server of servers) await server.cleanUp();
  await cluster.database.close();
  for (const top of ["originals/", "derivatives/", "health/", SHARED_PARTS_FOLDER]) await cluster.store.deletePrefix(top);
  await cluster.store.delete("pinhole-storage.json");
  (cluster.store as { close?: () => void }).close?.();
  await cluster.postgres.drop();
  fs.rmSync(cluster.work, { recursive: true, force: true });
});

function tusUpload(endpoint: string, member: Member, file: Buffer, options: Partial<tus.UploadOptions> = {}): Promise<{ status: number; body: string; url: string | null }> {
  return new Promise((resolve, reject) => {
    const task = new tus.Upload(file, {
      endpoint,
      headers: { authorization: `Bearer ${member.token}` },
      metadata: { filename: "across.jpg", title: "Across servers" },
      chunkSize: 512 * 1024,
      retryDelays: [100, 300, 600, 1000],
      onError: reject,
      onSuccess: (payload) => resolve({ status: payload.lastResponse.getStatus(), body: payload.lastResponse.getBody(), url: task.url }),
      ...options,
    });
    task.start();
  });
}

async function partsOf(store: BlobStore, uploadId: string): Promise<Array<{ start: number; size: number }>> {
  const parts: Array<{ start: number; size: number }> = [];
  for await (const entry of store.list(`${SHARED_PARTS_FOLDER}${uploadId}/`)) {
    const start = /\/part-(\d+)-/.exec(entry.key)?.[1];
    if (start !== undefined) parts.push({ start: Number(start), size: entry.size });
  }
  return parts.sort((x, y) => x.start - y.start);
}

async function originalOf(server: ServeProcess, member: Member, photo: PhotoJson): Promise<Buffer> {
  const answer = await fetch(`${server.url}/photos/${member.username}/${photo.id}/original`, { headers: { authorization: `Bearer ${member.token}` } });
  assert.equal(answer.status, 200);
  return Buffer.from(await answer.arrayBuffer());
}

test("an upload created on A, its chunks sent alternately to A and B and one cut mid-chunk, arrives byte for byte", { skip: SKIP, timeout: 120_000 }, async (t) => {
  const { a, b, member, store } = cluster;
  const proxy = await RoundRobinProxy.start([a.url, b.url]);
  try {
    const file = await noiseJpeg(1600, 1200);
    assert.ok(file.length > 1.5 * 1024 * 1024, `${file.length} bytes: several chunks`);
    // The third PATCH loses its connection after 200 KB of its 512.
    let patches = 0;
    const result = await tusUpload(`${proxy.url}/api/v1/uploads/`, member, file, {
      onBeforeRequest: (request) => {
        if (request.getMethod() === "PATCH" && ++patches === 3) proxy.cutNext("PATCH", 200 * 1024);
      },
    });
    assert.equal(result.status, 201, result.body);
    const photo = JSON.parse(result.body) as PhotoJson;
    assert.equal(photo.title, "Across servers");
    const [first] = proxy.log;
    assert.deepEqual([first?.method, first?.backend], ["POST", 0], "the upload was created on A");
    const [onA, onB] = proxy.countsOf("PATCH");
    assert.ok(onA! >= 2 && onB! >= 2, `PATCHes went to both servers: ${onA} to A, ${onB} to B`);
    assert.equal(proxy.log.filter((entry) => entry.cut).length, 1, "one connection was cut mid-chunk");
    assert.ok(proxy.countsOf("HEAD").some((count) => count > 0), "the client asked where to resume");
    t.diagnostic(`requests: ${proxy.log.map((entry) => `${entry.method}→${"AB"[entry.backend]}${entry.cut ? " (cut)" : ` ${entry.status}`} ${entry.startedAt}–${entry.endedAt} ms`).join(", ")}`);
    for (const server of [a, b]) assert.ok((await originalOf(server, member, photo)).equals(file), `the original, read through ${server === a ? "A" : "B"}, is byte for byte what was sent`);
    const uploadId = result.url!.split("/").pop()!;
    assert.deepEqual(await partsOf(store, uploadId), [], "the parts are gone from the bucket once the photo is made");
  } finally {
    await proxy.close();
  }
});

/** A PATCH whose body trickles in (16 KB every 200 ms) until the server answers or drops it. */
function tricklingPatch(url: string, token: string, body: Buffer, offset = 0): { response: Promise<{ status: number; offset: string | undefined } | "dropped">; sent: () => number } {
  let sent = 0;
  const request = http.request(url, {
    method: "PATCH",
    agent: false,
    headers: { ...TUS, authorization: `Bearer ${token}`, "upload-offset": String(offset), "content-type": "application/offset+octet-stream", "content-length": String(body.length) },
  });
  let answered = false;
  const response = new Promise<{ status: number; offset: string | undefined } | "dropped">((resolve) => {
    request.on("response", (answer) => {
      answered = true;
      answer.resume();
      resolve({ status: answer.statusCode ?? 0, offset: answer.headers["upload-offset"] as string | undefined });
      request.destroy();
    });
    request.on("error", () => resolve("dropped"));
  });
  const trickle = () => {
    if (answered || request.destroyed) return;
    if (sent >= body.length) return void request.end();
    request.write(body.subarray(sent, sent + 16 * 1024));
    sent = Math.min(body.length, sent + 16 * 1024);
    setTimeout(trickle, 200);
  };
  trickle();
  return { response, sent: () => sent };
}

test("an upload made on A is its creator's on B; two PATCHes of it at once, one on A and one on B: the lock lets one write at a time, the other is refused, and the file stays whole", { skip: SKIP, timeout: 120_000 }, async (t) => {
  const { a, b, member, store, database } = cluster;
  const locks = new UploadLocksRepository(database.db);
  const file = await noiseJpeg(1200, 900);
  const created = await fetch(`${a.url}/api/v1/uploads/`, { method: "POST", headers: { ...TUS, authorization: `Bearer ${member.token}`, "upload-length": String(file.length), "upload-metadata": `filename ${Buffer.from("both.jpg").toString("base64")}` } });
  assert.equal(created.status, 201);
  const location = new URL(created.headers.get("location")!, a.url).pathname;
  const uploadId = location.split("/").pop()!;
  // Made on A, it is its creator's on B too.
  const stranger = await buildMember(b);
  assert.equal((await fetch(b.url + location, { method: "HEAD", headers: { ...TUS, authorization: `Bearer ${stranger.token}` } })).status, 404, "another member's HEAD on B finds no such upload");

  // A's PATCH holds the upload's lock while its body trickles in.
  const onA = tricklingPatch(a.url + location, member.token, file);
  const heldByA = await waitUntil("A to hold the upload's lock", async () => (await locks.holderOf(uploadId)) ?? undefined, 10_000);
  assert.ok(heldByA.holder.startsWith(`${os.hostname()}:${a.child.pid}:`), `the lock is A's: ${heldByA.holder}`);

  // B's PATCH for the same bytes at the same offset waits for the lock and asks A to let go.
  const onB = fetch(b.url + location, { method: "PATCH", headers: { ...TUS, authorization: `Bearer ${member.token}`, "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file) });
  const asked = await waitUntil("B to ask A for the lock", async () => ((await locks.holderOf(uploadId))?.releaseRequested ? true : undefined), 10_000);
  assert.ok(asked);
  const answerB = await onB;
  const answerA = await onA.response;
  t.diagnostic(`A: ${typeof answerA === "string" ? answerA : `${answerA.status}, offset ${answerA.offset}`} after ${onA.sent()} bytes sent; B: ${answerB.status} ${await answerB.text()}`);
  assert.ok([409, 423].includes(answerB.status), `B's PATCH is refused rather than written over A's: ${answerB.status}`);
  if (typeof answerA !== "string") assert.equal(answerA.status, 204, "A stopped when asked, keeping what it had received");

  // The bucket holds one run of bytes from 0, without overlaps, and the server says so.
  const parts = await partsOf(store, uploadId);
  let end = 0;
  for (const part of parts) {
    assert.equal(part.start, end, `parts follow each other: ${JSON.stringify(parts)}`);
    end += part.size;
  }
  const head = await fetch(b.url + location, { method: "HEAD", headers: { ...TUS, authorization: `Bearer ${member.token}` } });
  assert.equal(Number(head.headers.get("upload-offset")), end);
  assert.ok(end > 0 && end < file.length, `part of the file is in: ${end} of ${file.length}`);

  // The client goes on from there, on B, and the photo is the file.
  const rest = await fetch(b.url + location, { method: "PATCH", headers: { ...TUS, authorization: `Bearer ${member.token}`, "upload-offset": String(end), "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file.subarray(end)) });
  assert.equal(rest.status, 201, await rest.clone().text());
  const photo = (await rest.json()) as PhotoJson;
  assert.ok((await originalOf(a, member, photo)).equals(file), "the original is byte for byte what was sent");
  assert.equal(await locks.holderOf(uploadId), null, "no lock is left behind");
});

test("through HAProxy running deploy/haproxy.cfg, with no stickiness: a server that took chunks of an upload is drained mid-upload (a rolling restart) and the other takes the rest", { skip: HAPROXY_SKIP, timeout: 120_000 }, async (t) => {
  const { a, b, member } = cluster;
  const port = await freePort();
  const haproxy = await startHaproxy({ port, apps: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
  const patchesOn = () => {
    const lines = haproxy.output().split("\n").filter((line) => line.includes('"PATCH /api/v1/uploads/'));
    return { app1: lines.filter((line) => line.includes("pinhole_web/app1")).length, app2: lines.filter((line) => line.includes("pinhole_web/app2")).length };
  };
  try {
    await haproxy.waitFor("app1", "UP");
    await haproxy.waitFor("app2", "UP");
    const file = await noiseJpeg(1200, 900);
    let patches = 0;
    let drained: "app1" | "app2" | null = null;
    const result = await tusUpload(`${haproxy.url}/api/v1/uploads/`, member, file, {
      chunkSize: 256 * 1024,
      // HAProxy may take a server out for a moment when its /readyz is slow on a busy machine: the client waits and tries again, as clients do.
      retryDelays: [500, 1000, 2000, 4000, 8000],
      onBeforeRequest: async (request) => {
        if (request.getMethod() !== "PATCH" || ++patches !== 3) return;
        // Two chunks are in: a server that took one of them goes out of rotation, as in a rolling restart.
        const seen = await waitUntil("HAProxy to log the two PATCHes", async () => {
          const counts = patchesOn();
          return counts.app1 + counts.app2 >= 2 ? counts : undefined;
        }, 5_000);
        drained = seen.app1 > 0 ? "app1" : "app2";
        // Only with the other one in rotation (on a busy machine a slow /readyz may take it out a moment).
        await haproxy.waitFor(drained === "app1" ? "app2" : "app1", "UP");
        await haproxy.command(`set server pinhole_web/${drained} state drain`);
      },
    });
    assert.equal(result.status, 201, result.body);
    const photo = JSON.parse(result.body) as PhotoJson;
    assert.ok((await originalOf(b, member, photo)).equals(file), "the original is byte for byte what was sent");
    const counts = patchesOn();
    t.diagnostic(`HAProxy sent ${counts.app1} PATCHes to A and ${counts.app2} to B (${drained} drained after two)`);
    assert.ok(counts.app1 > 0 && counts.app2 > 0, `both servers took PATCHes of the one upload: ${counts.app1} and ${counts.app2}`);
  } catch (error) {
    const readiness = await Promise.all([a, b].map((server) => fetch(`${server.url}/readyz`).then((answer) => answer.text(), (failure: Error) => failure.message)));
    t.diagnostic(`readiness: A ${readiness[0]}; B ${readiness[1]}\nhaproxy:\n${haproxy.output().split("\n").slice(-30).join("\n")}`);
    throw error;
  } finally {
    await haproxy.stop();
  }
});

test("an upload left unfinished expires: the clean-up, run by one server per period, removes its parts from the bucket", { skip: SKIP, timeout: 120_000 }, async () => {
  const { a, b, member, store, database, abandoned } = cluster;
  await waitUntil(
    "the expired upload's parts to leave the bucket",
    async () => {
      const left: string[] = [];
      for await (const entry of store.list(`${SHARED_PARTS_FOLDER}${abandoned.id}/`)) left.push(entry.key);
      return left.length === 0 ? true : undefined;
    },
    abandoned.createdAt + 3 * EXPIRY_SECONDS * 1000 - Date.now(),
  );
  const runs = await new PeriodicRunsRepository(database.db).recent(RESUMABLE_EXPIRY_TASK, 100);
  const pids = new Set(runs.map((run) => run.started_by.split(":")[1]));
  assert.ok(runs.length > 0 && [...pids].every((pid) => pid === String(a.child.pid) || pid === String(b.child.pid)), `periods claimed by the servers: ${runs.map((run) => run.started_by).join(", ")}`);
  assert.deepEqual(runs.filter((run) => run.error !== null), [], "every clean-up went through");
  const late = await fetch(a.url + abandoned.location, { method: "HEAD", headers: { ...TUS, authorization: `Bearer ${member.token}` } });
  assert.equal(late.status, 404, "the expired upload is gone for every server");
});

test("a server killed in the middle of a PATCH: its lock runs out with its lease, and the upload goes on on the other server", { skip: SKIP, timeout: 120_000 }, async (t) => {
  const { a, b, member, database } = cluster;
  const locks = new UploadLocksRepository(database.db);
  const file = await noiseJpeg(1200, 900);
  const headers = { ...TUS, authorization: `Bearer ${member.token}` };
  const created = await fetch(`${a.url}/api/v1/uploads/`, { method: "POST", headers: { ...headers, "upload-length": String(file.length) } });
  const location = new URL(created.headers.get("location")!, a.url).pathname;
  const uploadId = location.split("/").pop()!;
  const first = 300_000;
  const stored = await fetch(a.url + location, { method: "PATCH", headers: { ...headers, "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file.subarray(0, first)) });
  assert.equal(stored.status, 204);

  // The next chunk trickles into A, which holds the lock, and A dies.
  const onA = tricklingPatch(a.url + location, member.token, file.subarray(first), first);
  await waitUntil("A to hold the upload's lock", async () => (await locks.holderOf(uploadId)) ?? undefined, 10_000);
  a.child.kill("SIGKILL");
  await a.exited;
  assert.equal(await onA.response, "dropped");
  const killedAt = performance.now();

  // B answers where to resume once the dead server's lease has run out, not before and not never.
  const head = await fetch(b.url + location, { method: "HEAD", headers });
  const waited = performance.now() - killedAt;
  t.diagnostic(`B answered the HEAD ${Math.round(waited)} ms after A was killed`);
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get("upload-offset")), first, "what A had stored before it died is there; the piece it was receiving is not");
  assert.ok(waited < UPLOAD_LOCK_TIMINGS.waitMs, `within the wait for a lock: ${Math.round(waited)} ms`);
  const rest = await fetch(b.url + location, { method: "PATCH", headers: { ...headers, "upload-offset": String(first), "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file.subarray(first)) });
  assert.equal(rest.status, 201, await rest.clone().text());
  const photo = (await rest.json()) as PhotoJson;
  assert.ok((await originalOf(b, member, photo)).equals(file), "the original is byte for byte what was sent");
});
