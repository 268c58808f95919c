import fs from "node:fs";
import http from "node:http";
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildMember, buildPhoto, corpusFile } from "./helpers/client.ts";
import { startLoad } from "./helpers/load.ts";
import { startServeProcess } from "./helpers/serve-process.ts";
import { startSlowUpload } from "./helpers/slow-upload.ts";

const WORKER_LISTENING = /^pinhole: worker (\d+) listening$/;
const RELOAD_COMPLETE = /^pinhole: reload complete in \d+ ms: (\d+) of (\d+) workers replaced; workers now ([\d ]+)$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function connect(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
  });
}

// Bounds, not expectations: a hang fails the test instead of stalling the suite.
const TIMEOUT = { timeout: 180_000 };

test("serve --workers 2: /metrics covers both workers; SIGHUP twice under load replaces every worker, and not one request fails", TIMEOUT, async () => {
  const server = await startServeProcess(["--workers", "2"], { PINHOLE_LOG_LEVEL: "warn", PINHOLE_SHUTDOWN_GRACE_SECONDS: "20" });
  try {
    await server.waitFor("stderr", WORKER_LISTENING, 2);
    const original = server.stderrLines.map((line) => Number(WORKER_LISTENING.exec(line)?.[1])).filter(Boolean);
    // /metrics on any worker covers both: each new connection goes to the next worker, and the sum is counted.
    const healthz = `pinhole_http_requests_total{method="GET",route="/healthz",status="200"}`;
    for (let i = 0; i < 20; i++) assert.equal(await connect(`${server.url}/healthz`), 200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = Number(metrics.split("\n").find((line) => line.startsWith(`${healthz} `))?.split(" ")[1]);
    assert.ok(counted >= 20, `${counted} of the 20+ /healthz requests in the cluster's metrics`);
    assert.equal(metrics.match(/^# TYPE pinhole_http_requests_total /gm)?.length, 1, "one aggregated series, not one per worker");

    const member = await buildMember(server);
    const photo = await buildPhoto(server, member);
    const load = startLoad({
      baseUrl: server.url,
      paths: [`/photos/${member.username}/${photo.id}`, "/healthz", new URL(photo.sizes[0]!.url).pathname, `/api/v1/photos/${photo.id}`],
      concurrency: 6,
      pauseMs: 15,
      headers: { accept: "text/html" },
    });
    try {
      await load.reached(200);
      let workers: number[] = [];
      for (const n of [1, 2]) {
        server.child.kill("SIGHUP");
        const done = RELOAD_COMPLETE.exec(await server.waitFor("stderr", RELOAD_COMPLETE, n))!;
        assert.equal(done[1], "2", `reload ${n} replaced both workers: ${done[0]}\n${server.stderrLines.slice(-30).join("\n")}`);
        workers = done[3]!.trim().split(" ").map(Number);
        // Keep the load on the new workers for a while before the next reload or the end.
        await load.reached(load.completed() + 200);
      }
      const result = await load.stop();
      assert.equal(result.failed, 0, `failed requests: ${result.failures.join("; ")}`);
      assert.ok(result.sent >= 600, `${result.sent} requests sent`);
      assert.ok(result.closing > 0, "draining workers told their kept-alive clients to close");
      assert.equal(workers.length, 2);
      for (const pid of workers) assert.ok(!original.includes(pid), `worker ${pid} is new`);
      for (const pid of original) assert.equal(isAlive(pid), false, `old worker ${pid} has exited`);
      assert.match(await (await fetch(`${server.url}/metrics`)).text(), /^pinhole_http_requests_total/m, "the new workers answer the primary's collection");
    } finally {
      await load.stop();
    }
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0, server.stderrLines.slice(-10).join("\n"));
    assert.ok(server.stderrLines.includes("pinhole: all workers stopped"));
  } finally {
    await server.cleanUp();
  }
});

test("SIGTERM during a slow upload: the upload still gets its 201, a new connection is refused, and serve exits 0", TIMEOUT, async () => {
  const server = await startServeProcess([], { PINHOLE_LOG_REQUESTS: "1" });
  try {
    // One process has no workers to replace: SIGHUP is logged, and the server keeps serving.
    server.child.kill("SIGHUP");
    await server.waitFor("stdout", /a rolling reload needs serve --workers N/);
    assert.equal(await connect(`${server.url}/healthz`), 200);

    const member = await buildMember(server);
    const file = Buffer.concat([fs.readFileSync(corpusFile("photos/tiny-1x1.jpg")), Buffer.from(`sigterm-${Date.now()}`)]);
    const upload = startSlowUpload({ url: server.url, token: member.token, file });
    await server.waitFor("stdout", /^(?=.*"msg":"incoming request")(?=.*"url":"\/api\/v1\/photos")/);
    server.child.kill("SIGTERM");
    await server.waitFor("stdout", /"msg":"draining: no new connections/);

    await assert.rejects(connect(`${server.url}/healthz`), { code: "ECONNREFUSED" });

    await upload.finish();
    const stored = await upload.response;
    assert.equal(stored.status, 201, stored.body);
    assert.equal(stored.headers.connection, "close");
    assert.equal(await server.exited, 0);
    assert.ok(server.stdoutLines.some((line) => line.includes('"msg":"drained; database closed"')));
    assert.ok(!server.stdoutLines.some((line) => /already been destroyed|"level":50/.test(line)), "no error was logged");
  } finally {
    await server.cleanUp();
  }
});
