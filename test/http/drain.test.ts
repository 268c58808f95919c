import fs from "node:fs";
import http from "node:http";
import { once } from "node:events";
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.ts";
import { buildMember, buildPhoto, corpusFile } from "../helpers/client.ts";
import { startSlowUpload } from "../helpers/slow-upload.ts";
import { shutDown } from "../../src/ops/drain.ts";
import { pingDatabase } from "../../src/db/database.ts";

interface Answer {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
}

function get(url: string, agent: http.Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, reusedSocket: request.reusedSocket }));
    });
    request.on("error", reject);
  });
}

/** A distinct photo each time: the same JPEG with a few bytes after its end marker. */
function distinctJpeg(tag: string): Buffer {
  return Buffer.concat([fs.readFileSync(corpusFile("photos/tiny-1x1.jpg")), Buffer.from(`drain-${tag}-${Date.now()}`)]);
}

test("draining finishes an upload in flight, answers kept-alive connections with Connection: close, refuses new ones, and only then closes the database", async () => {
  const server = await startServer();
  try {
    const member = await buildMember(server);
    const photo = await buildPhoto(server, member);
    const page = `${server.url}/photos/${member.username}/${photo.id}`;
    const image = photo.sizes[0]!.url;
    // Three kept-alive connections that have each served a request and sit idle.
    const agents = [0, 1, 2].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    for (const agent of agents) assert.equal((await get(`${server.url}/healthz`, agent)).status, 200);

    // An upload in flight: its headers and half its body are in when the drain starts.
    const arrived = once(server.app.server, "request");
    const upload = startSlowUpload({ url: server.url, token: member.token, file: distinctJpeg("in-flight") });
    await arrived;
    // Idle connections are left open long enough for the three requests below to use them; the
    // test's own fetch() connections (undici keeps them) are closed at that interval's end.
    const stopped = shutDown(server.app, server.context.drain, { signal: "test", graceMs: 60_000, idleCloseMs: 10_000 });
    assert.equal(server.context.drain.draining, true);

    // Requests arriving on the idle kept-alive connections are still answered, each telling its client to close.
    const onPage = await get(page, agents[0]!);
    assert.deepEqual(onPage, { status: 200, connection: "close", reusedSocket: true });
    const onImage = await get(image, agents[1]!);
    assert.deepEqual(onImage, { status: 200, connection: "close", reusedSocket: true }, "image URLs, answered before Fastify, drain too");
    const readiness = await get(`${server.url}/readyz`, agents[2]!);
    assert.deepEqual(readiness, { status: 503, connection: "close", reusedSocket: true }, "a draining server is not ready");

    // A new connection is refused at once, not left hanging.
    await assert.rejects(get(`${server.url}/healthz`, false), { code: "ECONNREFUSED" });

    // The upload's body arrives after the drain began; it is stored (the database is still open) and answered.
    await upload.finish();
    const stored = await upload.response;
    assert.equal(stored.status, 201, stored.body);
    assert.equal(stored.headers.connection, "close");

    for (const agent of agents) agent.destroy();
    const result = await stopped;
    assert.equal(result.cut, 0, "nothing had to be cut");
    await assert.rejects(pingDatabase(server.context.database), "the database is closed once the drain is over");
  } finally {
    await server.close().catch(() => {});
  }
});

test("at the end of the grace period a request that is still running is cut, and the drain completes", async () => {
  const server = await startServer();
  try {
    const member = await buildMember(server);
    const arrived = once(server.app.server, "request");
    const stalled = startSlowUpload({ url: server.url, token: member.token, file: distinctJpeg("stalled") });
    await arrived;
    // The client never sends the rest of its body.
    const result = await shutDown(server.app, server.context.drain, { signal: "test", graceMs: 300 });
    assert.equal(result.cut, 1);
    await assert.rejects(stalled.response, (error: NodeJS.ErrnoException) => ["ECONNRESET", "EPIPE"].includes(error.code ?? "") || /socket hang up/.test(error.message));
    await assert.rejects(pingDatabase(server.context.database));
  } finally {
    await server.close().catch(() => {});
  }
});
