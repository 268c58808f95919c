import fs from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, photoForm, type Member, type PhotoJson } from "../helpers/client.ts";

const TOKEN = "metrics-token-for-tests-0123456789";

let server: TestServer;
let member: Member;
let photo: PhotoJson;
before(async () => {
  server = await startServer({ PINHOLE_METRICS_TOKEN: TOKEN });
  member = await buildMember(server);
  photo = await buildPhoto(server, member);
});
after(async () => {
  await server.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one series, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test("requests to a photo page and an image URL are counted under their route patterns, never raw URLs", async () => {
  const page = `pinhole_http_requests_total{method="GET",route="/photos/:username/:id",status="200"}`;
  const image = `pinhole_http_requests_total{method="GET",route="/img/:id/:secret/:size",status="200"}`;
  const imageLatency = `pinhole_http_request_duration_seconds_count{method="GET",route="/img/:id/:secret/:size",status="200"}`;
  const missing = `pinhole_http_requests_total{method="GET",route="(unmatched)",status="404"}`;
  const before = await scrape();

  assert.equal((await fetch(`${server.url}/photos/${member.username}/${photo.id}`)).status, 200);
  assert.equal((await fetch(`${server.url}/photos/${member.username}/${photo.id}`)).status, 200);
  const imageUrl = photo.sizes[0]!.url;
  assert.equal((await fetch(imageUrl)).status, 200);
  assert.equal((await fetch(`${server.url}/no/such/page/${Date.now()}`)).status, 404);

  const text = await scrape();
  assert.equal(value(text, page) - value(before, page), 2);
  assert.equal(value(text, image) - value(before, image), 1);
  assert.equal(value(text, imageLatency) - value(before, imageLatency), 1);
  assert.equal(value(text, missing) - value(before, missing), 1);
  const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]!));
  const secret = new URL(imageUrl).pathname.split("/")[3]!;
  for (const route of routes) assert.ok(!route.includes(photo.id) && !route.includes(secret) && !route.includes("/no/such"), `a raw URL as a label: ${route}`);
  // The rest of what an operator watches is there too.
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  assert.match(text, /^pinhole_storage_bytes /m);
  assert.match(text, /^# TYPE pinhole_processing_backlog gauge/m);
  if (server.databaseKind === "postgres") assert.match(text, /^pinhole_db_pool_connections\{state="total"\} [1-9]/m);
});

test("uploads are counted by outcome: created, duplicate, rejected", async () => {
  const series = (outcome: string) => `pinhole_uploads_total{outcome="${outcome}"}`;
  const before = await scrape();
  const bytes = Buffer.concat([fs.readFileSync(corpusFile("photos/tiny-1x1.jpg")), Buffer.from(`metrics-${Date.now()}`)]);
  assert.equal((await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes) })).status, 201);
  assert.equal((await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes) })).status, 200);
  assert.equal((await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(Buffer.from("not an image at all"), {}, "notes.txt") })).status, 415);
  const text = await scrape();
  assert.equal(value(text, series("created")) - value(before, series("created")), 1);
  assert.equal(value(text, series("duplicate")) - value(before, series("duplicate")), 1);
  assert.equal(value(text, series("rejected")) - value(before, series("rejected")), 1);
  assert.equal(value(text, series("failed")) - value(before, series("failed")), 0);
});

test("a backlog source registered later is reported on the next scrape", async () => {
  server.context.metrics.setBacklogSource(async () => 7);
  assert.equal(value(await scrape(), "pinhole_processing_backlog"), 7);
});

test("from another machine, /metrics needs the operator token: none is 403, a wrong one 401, the right one 200", async () => {
  const from = (authorization?: string) =>
    server.app.inject({ method: "GET", url: "/metrics", remoteAddress: "203.0.113.9", headers: authorization ? { authorization } : {} });
  const none = await from();
  assert.equal(none.statusCode, 403);
  assert.doesNotMatch(none.body, /pinhole_http_requests_total/);
  const wrong = await from(`Bearer ${TOKEN}-but-not-quite`);
  assert.equal(wrong.statusCode, 401);
  assert.doesNotMatch(wrong.body, /pinhole_http_requests_total/);
  // A member's API token is not the operator token.
  assert.equal((await from(`Bearer ${member.token}`)).statusCode, 401);
  const right = await from(`Bearer ${TOKEN}`);
  assert.equal(right.statusCode, 200);
  assert.match(right.body, /pinhole_http_requests_total/);
});

test("without a configured token, only a direct loopback client may scrape, even with PINHOLE_TRUST_PROXY on", async () => {
  process.env.PINHOLE_TRUST_PROXY = "1";
  const bare = await startServer().finally(() => delete process.env.PINHOLE_TRUST_PROXY);
  try {
    assert.equal((await fetch(`${bare.url}/metrics`)).status, 200, "loopback over the real socket");
    const remote = await bare.app.inject({ method: "GET", url: "/metrics", remoteAddress: "198.51.100.20", headers: { authorization: "Bearer anything-at-all-long-enough" } });
    assert.equal(remote.statusCode, 401);
    assert.equal((await bare.app.inject({ method: "GET", url: "/metrics", remoteAddress: "::ffff:10.1.2.3" })).statusCode, 403);
    // Relayed by a proxy on this machine: the proxy's loopback address is not the client's.
    const relayed = await bare.app.inject({ method: "GET", url: "/metrics", remoteAddress: "127.0.0.1", headers: { "x-forwarded-for": "127.0.0.1, 203.0.113.50" } });
    assert.equal(relayed.statusCode, 403);
    assert.equal((await bare.app.inject({ method: "GET", url: "/metrics", remoteAddress: "::1" })).statusCode, 200, "IPv6 loopback");
  } finally {
    await bare.close();
  }
});
