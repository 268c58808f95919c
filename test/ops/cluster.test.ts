import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { derivativeKey, originalKey } from "../../src/images/keys.ts";
import { openStore } from "../../src/storage/open-store.ts";
import { WEBMENTION_JOB } from "../../src/webmentions/service.ts";
import { api, buildMember, photoForm, type Member, type PhotoJson } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { HAPROXY, startHaproxy } from "../helpers/haproxy.ts";
import { startLoad, type LoadRequest } from "../helpers/load.ts";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.ts";
import { freePort } from "../helpers/server-process.ts";
import { waitUntil } from "../helpers/wait.ts";

const S3 = process.env.PINHOLE_TEST_S3_ENDPOINT;
const SKIP = !TEST_POSTGRES_URL
  ? "the cluster test needs PostgreSQL (set PINHOLE_TEST_DATABASE_URL): several servers share one database only there"
  : !fs.existsSync(HAPROXY)
    ? `${HAPROXY} is missing (apt-get install haproxy)`
    : process.getuid?.() !== 0
      ? "deploy/haproxy.cfg chroots and drops to the haproxy user, which needs root"
      : false;

/** Distinct bytes for every upload (an upload of the same bytes is the same photo). */
function uniqueJpeg(base: Buffer, tag: string): Buffer {
  return Buffer.concat([base, Buffer.from(`cluster-${tag}-${crypto.randomBytes(4).toString("hex")}`)]);
}

function multipart(file: Buffer, name: string): { body: Buffer; type: string } {
  const boundary = `----pinhole${crypto.randomBytes(8).toString("hex")}`;
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: image/jpeg\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 40_000) => waitUntil(what, check, timeoutMs);

/**
 * A page elsewhere that links to a photo, as a webmention's source: its first request is held
 * unanswered (the server fetching it is killed meanwhile), later ones are answered.
 */
async function startSourcePage(target: () => string): Promise<{ url: string; firstFetch: Promise<void>; stop: () => Promise<void> }> {
  let fetched: () => void = () => {};
  const firstFetch = new Promise<void>((resolve) => (fetched = resolve));
  let requests = 0;
  const server = http.createServer((_request, response) => {
    if (requests++ === 0) {
      fetched();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><title>A post about a photo</title><p>Look at <a href="${target()}">this photo</a>.</p>`);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}/post`,
    firstFetch,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test(
  "two servers behind HAProxy (deploy/haproxy.cfg) on one PostgreSQL: an upload on one is read and commented on the other; a SIGKILL under load fails only requests in flight, its jobs are taken over, every acknowledged upload is whole; a SIGTERM drains with no failure",
  { skip: SKIP, timeout: 180_000 },
  async (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-cluster-"));
    const postgres = await createPostgresDatabase(TEST_POSTGRES_URL!);
    const lbPort = await freePort();
    const lbUrl = `http://127.0.0.1:${lbPort}`;
    const prefix = `cluster-${crypto.randomBytes(5).toString("hex")}`;
    // With S3 each server has a data dir of its own, as on separate machines (one signing
    // secret for all); on local disk they share one, as servers on one machine may.
    const storageEnv: Record<string, string> = S3
      ? {
          PINHOLE_STORAGE: "s3",
          PINHOLE_S3_ENDPOINT: S3,
          PINHOLE_S3_BUCKET: process.env.PINHOLE_TEST_S3_BUCKET ?? "",
          PINHOLE_S3_ACCESS_KEY_ID: process.env.PINHOLE_TEST_S3_ACCESS_KEY_ID ?? "",
          PINHOLE_S3_SECRET_ACCESS_KEY: process.env.PINHOLE_TEST_S3_SECRET_ACCESS_KEY ?? "",
          PINHOLE_S3_REGION: process.env.PINHOLE_TEST_S3_REGION ?? "us-east-1",
          PINHOLE_S3_PREFIX: prefix,
        }
      : {};
    const env: Record<string, string> = {
      ...storageEnv,
      PINHOLE_BASE_URL: lbUrl,
      PINHOLE_TRUST_PROXY: "1",
      PINHOLE_SECRET: crypto.randomBytes(32).toString("hex"),
      PINHOLE_SHUTDOWN_NOTICE_SECONDS: "5",
      PINHOLE_JOB_LEASE_SECONDS: "6",
      PINHOLE_WEBMENTION_ALLOW_LOOPBACK: "1",
      PINHOLE_LOG_LEVEL: "warn",
    };
    const dataDirOf = (name: string) => {
      const dir = path.join(work, S3 ? name : "shared");
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    };
    const start = (name: "a" | "b", port?: number) => startServeProcess([], env, { dataDir: dataDirOf(name), databaseUrl: postgres.url, port });
    const servers: ServeProcess[] = [];
    const database = openDatabase({ databaseUrl: postgres.url, dataDir: work });
    const store = openStore(loadConfig({ ...env, PINHOLE_DATA_DIR: dataDirOf("a"), DATABASE_URL: postgres.url }));
    const jobs = new JobsRepository(database.db);
    let haproxy: Awaited<ReturnType<typeof startHaproxy>> | null = null;
    let source: Awaited<ReturnType<typeof startSourcePage>> | null = null;
    try {
      servers.push(await start("a"));
      servers.push(await start("b"));
      const [a, b] = servers as [ServeProcess, ServeProcess];
      const addressOf = (server: ServeProcess) => `127.0.0.1:${server.port}`;
      haproxy = await startHaproxy({ port: lbPort, apps: [addressOf(a), addressOf(b)] });
      await haproxy.waitFor("app1", "UP");
      await haproxy.waitFor("app2", "UP");
      t.diagnostic(`storage: ${S3 ? `S3 (${S3}, prefix ${prefix}), a data dir per server` : "local disk shared by both servers"}`);

      // One site: what is written through one server is read through the other.
      const base = await sharp({ create: { width: 480, height: 320, channels: 3, background: "#3a6ea5" } }).jpeg().toBuffer();
      const member: Member = await buildMember(a);
      const uploaded = await api(a, "POST", "/api/v1/photos", { token: member.token, form: photoForm(uniqueJpeg(base, "first"), { title: "Sent to A" }, "first.jpg") });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      const first = uploaded.body as PhotoJson;
      const pagePath = `/photos/${member.username}/${first.id}`;
      const page = await fetch(b.url + pagePath, { headers: { accept: "text/html" } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Sent to A/);
      const image = await fetch(b.url + new URL(first.sizes[0]!.url).pathname);
      assert.equal(image.status, 200, "B serves A's image");
      const commented = await api(b, "POST", `/api/v1/photos/${first.id}/comments`, { token: member.token, json: { text: "Written through B" } });
      assert.equal(commented.status, 201, JSON.stringify(commented.body));
      const comments = await api(a, "GET", `/api/v1/photos/${first.id}/comments`);
      assert.deepEqual(comments.body.comments.map((c: { text: string }) => c.text), ["Written through B"]);

      // The load: photo pages, image URLs, photo JSON and uploads, through HAProxy.
      const seeded = [first];
      for (const tag of ["s1", "s2"]) seeded.push((await api(a, "POST", "/api/v1/photos", { token: member.token, form: photoForm(uniqueJpeg(base, tag), {}, `${tag}.jpg`) })).body as PhotoJson);
      const upload = (n: number): LoadRequest => {
        const form = multipart(uniqueJpeg(base, `load-${n}`), `load-${n}.jpg`);
        return { method: "POST", path: "/api/v1/photos", headers: { authorization: `Bearer ${member.token}`, accept: "application/json", "content-type": form.type }, body: form.body, keepAnswer: true };
      };
      const mix = () => [
        ...seeded.flatMap((photo) => [`/photos/${member.username}/${photo.id}`, new URL(photo.sizes[0]!.url).pathname, new URL(photo.sizes.at(-1)!.url).pathname, `/api/v1/photos/${photo.id}`]),
        upload,
        `/photos/${member.username}`,
      ];

      // A webmention whose check is held by whichever server claims it: that server is killed.
      source = await startSourcePage(() => `${lbUrl}${pagePath}`);
      const load = startLoad({ baseUrl: lbUrl, paths: mix(), concurrency: 6, headers: { accept: "text/html" } });
      await load.reached(100);
      const mention = await fetch(`${lbUrl}/webmention`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ source: source.url, target: `${lbUrl}${pagePath}` }) });
      assert.equal(mention.status, 202);
      await source.firstFetch;
      const holder = (await jobs.list(1000)).find((job) => job.kind === WEBMENTION_JOB)?.locked_by;
      const victim = servers.find((server) => holder?.startsWith(`${os.hostname()}:${server.child.pid}:`));
      assert.ok(victim, `the webmention job is held by one of the servers: ${holder}`);
      const survivor = victim === a ? b : a;
      const victimName = victim === a ? "app1" : "app2";
      const killSentAt = performance.now();
      victim.child.kill("SIGKILL");
      await victim.exited;
      const deadAt = performance.now();
      const held = (await jobs.list(1000)).filter((job) => job.state === "running" && job.locked_by?.startsWith(`${os.hostname()}:${victim.child.pid}:`));
      await load.reached(load.completed() + 150);
      const killed = await load.stop();
      await haproxy.waitFor(victimName, "DOWN");

      // Failed: only requests that had started before the server died and not ended before it was killed.
      const inFlight = killed.failedRequests.filter((f) => f.startedAt <= deadAt && f.endedAt >= killSentAt);
      assert.deepEqual(killed.failedRequests.filter((f) => !inFlight.includes(f)), [], "no request failed that was not in flight at the kill");
      assert.ok(killed.failed <= 6, `at most one request per connection was in flight: ${killed.failures.join("; ")}`);
      t.diagnostic(`SIGKILL under load: ${killed.sent} requests in ${killed.seconds.toFixed(1)} s, ${killed.failed} failed, all in flight at the kill (${killed.failures.join("; ") || "none"}); ${held.length} job(s) held by the dead server`);

      // Its jobs are taken over once their lease runs out, and finished.
      assert.ok(held.some((job) => job.kind === WEBMENTION_JOB));
      await eventually("the dead server's jobs to be taken over", async () => {
        const rows = await jobs.list(1000);
        return held.every((h) => !rows.some((row) => row.id === h.id && (row.state === "running" ? row.locked_by === h.locked_by : row.kind === WEBMENTION_JOB))) ? true : undefined;
      });
      assert.equal((await jobs.backlog()).failed, 0);
      const mentions = await api(survivor, "GET", `/api/v1/photos/${first.id}/webmentions`, { token: member.token });
      assert.deepEqual(mentions.body.mentions.map((m: { source: string }) => m.source), [source.url], "the survivor checked the webmention the dead server held");

      // Every upload that got its 201 is there, with every file.
      const acknowledged = killed.answers.filter((answer) => answer.status === 201).map((answer) => JSON.parse(answer.body) as PhotoJson);
      assert.ok(acknowledged.length >= 5, `${acknowledged.length} uploads acknowledged under load`);
      for (const photo of acknowledged) {
        assert.equal((await api(survivor, "GET", `/api/v1/photos/${photo.id}`)).status, 200, `photo ${photo.id}`);
        assert.ok(await store.exists(originalKey(Number(photo.id), "jpeg")), `the original of ${photo.id}`);
        for (const size of photo.sizes) {
          const [, , id, secret] = new URL(size.url).pathname.split("/");
          assert.ok(await store.exists(derivativeKey(id!, secret!, size.name, size.format === "webp" ? "webp" : "jpeg")), `${size.name} of ${photo.id}`);
        }
        const served = await fetch(survivor.url + new URL(photo.sizes[0]!.url).pathname);
        assert.equal(served.status, 200);
        await served.arrayBuffer();
      }

      // The dead server comes back where it was; then the other one is stopped with SIGTERM.
      const restarted = await start(victim === a ? "a" : "b", victim.port);
      servers.push(restarted);
      await haproxy.waitFor(victimName, "UP");
      const graceful = startLoad({ baseUrl: lbUrl, paths: mix(), concurrency: 6, headers: { accept: "text/html" } });
      await graceful.reached(100);
      survivor.child.kill("SIGTERM");
      assert.equal(await survivor.exited, 0, survivor.stderrLines.slice(-10).join("\n"));
      await haproxy.waitFor(victimName === "app1" ? "app2" : "app1", "DOWN");
      await graceful.reached(graceful.completed() + 100);
      const drained = await graceful.stop();
      assert.equal(drained.failed, 0, `failed requests: ${drained.failures.join("; ")}`);
      const uploads = drained.answers.filter((answer) => answer.status === 201).length;
      assert.ok(uploads > 0);
      t.diagnostic(`SIGTERM under load: ${drained.sent} requests in ${drained.seconds.toFixed(1)} s (${uploads} uploads), none failed`);
    } catch (error) {
      if (haproxy) t.diagnostic(`haproxy:\n${haproxy.output().split("\n").slice(-40).join("\n")}`);
      throw error;
    } finally {
      await source?.stop();
      await haproxy?.stop();
      for (const server of servers) await server.cleanUp();
      await database.close();
      if (S3) {
        for (const top of ["originals/", "derivatives/", "health/"]) await store.deletePrefix(top);
        await store.delete("pinhole-storage.json");
      }
      (store as { close?: () => void }).close?.();
      await postgres.drop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);
