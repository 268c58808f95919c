import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { databaseOutage } from "../helpers/outage.ts";

const INCIDENT_TITLE = "Database server being replaced";

let server: TestServer;
let admin: Member;
let alice: Member;
let photo: PhotoJson;
let aliceWeb: WebClient;

before(async () => {
  server = await startServer({}, { databaseProxy: true });
  admin = await buildMember(server); // the first member is the admin
  alice = await buildMember(server, { username: "alice" });
  photo = await buildPhoto(server, alice, { title: "Harbour at dawn", visibility: "public" }, corpusFile("photos/evening-boats.jpg"));
  const posted = await api(server, "POST", "/api/v1/incidents", {
    token: admin.token,
    json: { title: INCIDENT_TITLE, impact: "major", status: "identified", body: "The database disk failed; a new server is being set up." },
  });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  aliceWeb = new WebClient(server);
  await aliceWeb.logIn(alice);
});
after(async () => {
  await server.close();
});

/** A GET as a browser sends it, timed. */
async function page(urlPath: string, client?: WebClient): Promise<{ status: number; html: string; headers: Headers; ms: number }> {
  const started = Date.now();
  if (client) {
    const result = await client.get(urlPath);
    return { ...result, ms: Date.now() - started };
  }
  const response = await fetch(server.url + urlPath, { headers: { accept: "text/html" }, redirect: "manual" });
  const html = await response.text();
  return { status: response.status, html, headers: response.headers, ms: Date.now() - started };
}

function assertOutagePage(result: { status: number; html: string; headers: Headers; ms: number }, what: string): void {
  assert.equal(result.status, 503, `${what}: ${result.html.slice(0, 300)}`);
  assert.ok(result.ms < 2000, `${what} answered in ${result.ms} ms`);
  assert.match(result.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(result.html, /having trouble reaching its database/, what);
  assert.ok(result.html.includes(INCIDENT_TITLE), `${what} shows the open incident from the disk copy`);
  assert.ok(result.html.includes('href="/status"'), `${what} links to the status page`);
  assert.ok(Number(result.headers.get("retry-after")) > 0, `${what} says when to retry`);
  assert.equal(result.headers.get("cache-control"), "no-store");
  assert.doesNotMatch(result.html, /\bat .+\.ts:\d+|Error:|ECONNREFUSED|SQLITE_/, `${what} shows no stack trace or error text`);
}

async function imageBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function waitForStatus(component: string, state: string, timeoutMs = 4000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await page("/status");
    assert.equal(result.status, 200);
    if (new RegExp(`class="component state-${state}" data-component="${component}"`).test(result.html)) return result.html;
    if (Date.now() > deadline) assert.fail(`the status page did not show ${component} as ${state}: ${result.html}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("while the database is unreachable", () => {
  test("pages answer 503 within 2 s with the open incident and a link to /status; the API answers JSON 503; images keep loading; all recover by themselves", async () => {
    const image = photo.sizes.find((s) => s.name === "640" && s.format === "jpeg");
    assert.ok(image);
    const before = await imageBytes(image.url);
    assert.equal(before.status, 200);
    assert.equal((await page(`/photos/alice/${photo.id}`)).status, 200);

    const outage = databaseOutage(server);
    await outage.begin();
    try {
      assertOutagePage(await page("/"), "the home page");
      assertOutagePage(await page(`/photos/alice/${photo.id}`), "a photo page");
      assertOutagePage(await page("/photos/alice"), "a photostream");
      // A member's cookie is looked up in the database on every request: that fails too, and
      // must give the same page rather than a 500.
      assertOutagePage(await page("/settings", aliceWeb), "a member page");
      // In the visitor's language: choosing it needs nothing but the request.
      const japanese = await fetch(`${server.url}/photos/alice/${photo.id}`, { headers: { accept: "text/html", "accept-language": "ja" } });
      const japaneseHtml = await japanese.text();
      assert.equal(japanese.status, 503);
      assert.match(japaneseHtml, /<html lang="ja" dir="ltr">/);
      assert.ok(japaneseHtml.includes("<h1>Pinhole がデータベースに接続できずにいます</h1>"), japaneseHtml);
      assert.ok(japaneseHtml.includes(INCIDENT_TITLE), "the incident as the admin wrote it");

      const apiAnswer = await api(server, "GET", `/api/v1/photos/${photo.id}`);
      assert.equal(apiAnswer.status, 503);
      assert.equal(apiAnswer.body.error.code, "unavailable");
      assert.match(apiAnswer.body.error.message, /database/);
      assert.ok(Number(apiAnswer.headers.get("retry-after")) > 0);
      const me = await api(server, "GET", "/api/v1/me", { token: alice.token });
      assert.equal(me.status, 503, "a bearer token cannot be checked either");
      assert.equal(me.body.error.code, "unavailable");

      // Image URLs need no database: read from disk, not from memory, to be sure.
      server.context.imageCache.dropPrefix("");
      const during = await imageBytes(image.url);
      assert.equal(during.status, 200);
      assert.ok(during.bytes.equals(before.bytes), "the same bytes as before the outage");

      // The status page answers 200 (it is the page that explains the outage), from the copy.
      const status = await waitForStatus("database", "down");
      assert.ok(status.includes(INCIDENT_TITLE));
      assert.match(status, /this server(&#39;|')s copy from/);
      assert.match(status, /class="component state-down" data-component="uploads"/, "uploads need the database");
      const arabicStatus = await (await fetch(`${server.url}/status`, { headers: { accept: "text/html", "accept-language": "ar" } })).text();
      assert.match(arabicStatus, /<html lang="ar" dir="rtl">/);
      assert.match(arabicStatus, /data-component="database"><span class="name">قاعدة البيانات<\/span> <span class="state">متوقفة<\/span>/);
      assert.ok(arabicStatus.includes("قاعدة البيانات لا تستجيب، لذا فالحوادث أدناه هي نسخة هذا الخادم من"), "the copy's notice");
      const incidents = await api(server, "GET", "/api/v1/incidents");
      assert.equal(incidents.status, 200);
      assert.equal(incidents.body.source, "copy");
      assert.equal(incidents.body.incidents[0].title, INCIDENT_TITLE);
      const feed = await fetch(`${server.url}/status/feed.atom`);
      assert.equal(feed.status, 200);
      assert.ok((await feed.text()).includes(INCIDENT_TITLE));
    } finally {
      await outage.end();
    }

    // Back without a restart: the very next requests work.
    const home = await page("/");
    assert.equal(home.status, 200, home.html.slice(0, 300));
    const photoPage = await page(`/photos/alice/${photo.id}`);
    assert.equal(photoPage.status, 200);
    assert.ok(photoPage.html.includes("Harbour at dawn"), "the data is all there");
    assert.equal((await page("/photos/alice")).status, 200);
    const settings = await page("/settings", aliceWeb);
    assert.equal(settings.status, 200, "the member's session still works");
    assert.equal((await api(server, "GET", "/api/v1/me", { token: alice.token })).status, 200);
    assert.equal((await api(server, "GET", "/api/v1/incidents")).body.source, "database");
    await waitForStatus("database", "operational");
    // Writes work again too.
    const edited = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: alice.token, json: { title: "Harbour at dawn, again" } });
    assert.equal(edited.status, 200);
  });

  test("a database that accepts connections but never answers still gives 503 within 2 s, then recovers (PostgreSQL)", async (t) => {
    if (server.databaseKind !== "postgres") {
      t.skip("PostgreSQL only: a stalled network link; run with PINHOLE_TEST_DATABASE_URL=postgres://… (.ci/run does)");
      return;
    }
    const outage = databaseOutage(server, "stalled");
    await outage.begin();
    try {
      // Twice: the first request may meet a pooled connection that froze mid-query, the
      // second needs a new connection that never completes its handshake.
      assertOutagePage(await page("/"), "the home page, first request");
      assertOutagePage(await page(`/photos/alice/${photo.id}`), "a photo page, second request");
      assertOutagePage(await page("/settings", aliceWeb), "a member page");
      // In the visitor's language: choosing it needs nothing but the request.
      const japanese = await fetch(`${server.url}/photos/alice/${photo.id}`, { headers: { accept: "text/html", "accept-language": "ja" } });
      const japaneseHtml = await japanese.text();
      assert.equal(japanese.status, 503);
      assert.match(japaneseHtml, /<html lang="ja" dir="ltr">/);
      assert.ok(japaneseHtml.includes("<h1>Pinhole がデータベースに接続できずにいます</h1>"), japaneseHtml);
      assert.ok(japaneseHtml.includes(INCIDENT_TITLE), "the incident as the admin wrote it");
      const status = await page("/status");
      assert.equal(status.status, 200);
      assert.ok(status.ms < 2500, `the status page answered in ${status.ms} ms`);
    } finally {
      await outage.end();
    }
    assert.equal((await page("/")).status, 200);
    assert.equal((await page("/settings", aliceWeb)).status, 200);
  });
});
