import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { child, children, parseXml } from "../helpers/xml.ts";

let server: TestServer;
let admin: Member;
let member: Member;
before(async () => {
  server = await startServer();
  admin = await buildMember(server); // the first member is the admin
  member = await buildMember(server);
});
after(async () => {
  await server.close();
});

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

async function postIncident(fields: Partial<{ title: string; impact: string; status: string; body: string }> = {}) {
  const response = await api(server, "POST", "/api/v1/incidents", {
    token: admin.token,
    json: { title: "Uploads are slow", impact: "minor", status: "investigating", body: "We are looking into it.", ...fields },
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

async function statusHtml(): Promise<string> {
  const response = await fetch(`${server.url}/status`, { headers: { accept: "text/html" } });
  assert.equal(response.status, 200);
  return response.text();
}

describe("incidents through the API", () => {
  test("an admin posts an incident and takes it through its statuses; anyone lists incidents newest first with their updates", async () => {
    const first = await postIncident({ title: "Photo pages time out", impact: "major" });
    assert.equal(first.status, "investigating");
    assert.equal(first.resolvedAt, null);
    assert.equal(first.url, `${server.url}/status#incident-${first.id}`);
    assert.deepEqual(first.updates.map((u: any) => [u.status, u.body]), [["investigating", "We are looking into it."]]);

    for (const [status, body] of [["identified", "A disk is full."], ["monitoring", "Space freed; watching."], ["resolved", "All good since 14:10."]]) {
      const updated = await api(server, "POST", `/api/v1/incidents/${first.id}/updates`, { token: admin.token, json: { status, body } });
      assert.equal(updated.status, 201, JSON.stringify(updated.body));
      assert.equal(updated.body.status, status);
      assert.equal(updated.body.updates[0].body, body, "newest update first");
    }
    const second = await postIncident({ title: "Scheduled database upgrade", impact: "maintenance", status: "identified", body: "Read-only for ten minutes." });

    const list = await api(server, "GET", "/api/v1/incidents");
    assert.equal(list.status, 200);
    assert.equal(list.body.source, "database");
    const ids = list.body.incidents.map((i: any) => i.id);
    assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), "newest first");
    const resolved = list.body.incidents.find((i: any) => i.id === first.id);
    assert.equal(resolved.status, "resolved");
    assert.match(resolved.resolvedAt, RFC3339);
    assert.deepEqual(resolved.updates.map((u: any) => u.status), ["resolved", "monitoring", "identified", "investigating"]);
    assert.ok(Date.parse(resolved.updatedAt) >= Date.parse(resolved.createdAt));
    assert.equal("authorId" in resolved.updates[0], false, "who wrote an update is not published");
  });

  test("only admins post incidents and updates: a member gets 403, anonymous 401; bad values get 400", async () => {
    const incident = await postIncident();
    const json = { title: "x", impact: "minor", status: "investigating", body: "y" };
    assert.equal((await api(server, "POST", "/api/v1/incidents", { token: member.token, json })).status, 403);
    assert.equal((await api(server, "POST", "/api/v1/incidents", { json })).status, 401);
    const update = { status: "monitoring", body: "z" };
    assert.equal((await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: member.token, json: update })).status, 403);
    assert.equal((await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { json: update })).status, 401);
    assert.equal((await api(server, "POST", "/api/v1/incidents", { token: admin.token, json: { ...json, impact: "catastrophic" } })).status, 400);
    assert.equal((await api(server, "POST", "/api/v1/incidents", { token: admin.token, json: { ...json, title: "   " } })).status, 400);
    assert.equal((await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "fixed", body: "z" } })).status, 400);
    assert.equal((await api(server, "POST", "/api/v1/incidents/999999/updates", { token: admin.token, json: update })).status, 404);
  });

  test("a resolved incident takes only resolved updates: a returning problem is a new incident", async () => {
    const incident = await postIncident({ status: "resolved", body: "Reported after the fact." });
    assert.match(incident.resolvedAt, RFC3339);
    const reopened = await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "investigating", body: "Back again" } });
    assert.equal(reopened.status, 409);
    assert.match(reopened.body.error.message, /new incident/);
    const postscript = await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "resolved", body: "Post-mortem published." } });
    assert.equal(postscript.status, 201);
    assert.equal(postscript.body.resolvedAt, incident.resolvedAt, "resolved once, at the first resolution");
  });

  test("the OpenAPI description has the incident and maintenance routes with their schemas", async () => {
    const spec = (await api(server, "GET", "/api/v1/openapi.json")).body;
    const create = spec.paths["/api/v1/incidents"].post;
    assert.deepEqual(create.tags, ["status"]);
    assert.ok(create.requestBody.content["application/json"].schema.properties.impact);
    assert.ok(create.responses["201"]);
    assert.ok(spec.paths["/api/v1/incidents"].get.responses["200"]);
    assert.ok(spec.paths["/api/v1/incidents/{id}/updates"].post.responses["409"]);
    assert.deepEqual(spec.paths["/api/v1/maintenance"].put.tags, ["maintenance"]);
  });
});

describe("admin incident pages", () => {
  test("an admin posts an incident and an update with the forms; the forms need the CSRF token; members get 403", async () => {
    const web = new WebClient(server);
    await web.logIn(admin);
    const pageBefore = await web.get("/admin/incidents");
    assert.equal(pageBefore.status, 200);
    assert.ok(pageBefore.html.includes('href="/admin/maintenance"'), "linked to the maintenance page");

    const refused = await web.post("/admin/incidents", { title: "Forged", impact: "minor", status: "investigating", body: "x" }, { withCsrf: false });
    assert.equal(refused.status, 403);

    const blank = await web.post("/admin/incidents", { title: "  ", impact: "minor", status: "investigating", body: "Kept text" });
    assert.equal(blank.status, 400);
    assert.match(blank.html, /Give the incident a title/);
    assert.ok(blank.html.includes("Kept text"), "the form keeps what was typed");

    const posted = await web.post("/admin/incidents", { title: "Feeds <late>", impact: "minor", status: "investigating", body: "Feeds lag by an hour." });
    assert.equal(posted.status, 303);
    const list = await api(server, "GET", "/api/v1/incidents");
    const incident = list.body.incidents.find((i: any) => i.title === "Feeds <late>");
    assert.ok(incident);
    const pageAfter = await web.get("/admin/incidents");
    assert.ok(pageAfter.html.includes("Feeds &lt;late&gt;"), "titles are escaped");

    const update = await web.post(`/admin/incidents/${incident.id}/updates`, { status: "resolved", body: "Caught up." });
    assert.equal(update.status, 303);
    assert.equal((await api(server, "GET", "/api/v1/incidents")).body.incidents.find((i: any) => i.id === incident.id).status, "resolved");

    const memberWeb = new WebClient(server);
    await memberWeb.logIn(member);
    assert.equal((await memberWeb.get("/admin/incidents")).status, 403);
    assert.equal((await memberWeb.post("/admin/incidents", { title: "t", impact: "minor", status: "investigating", body: "b" })).status, 403);
    assert.equal((await new WebClient(server).get("/admin/incidents")).status, 401);
  });
});

describe("refusals in the admin's language", () => {
  test("the incidents page shows a refusal in the page's language; the API adds localizedMessage to its English", async () => {
    const web = new WebClient(server);
    await web.logIn(admin);
    await web.get("/language?lang=es&return=/admin/incidents");
    await web.get("/admin/incidents");
    const long = await web.post("/admin/incidents", { title: "x".repeat(201), impact: "minor", status: "investigating", body: "Kept text" });
    assert.equal(long.status, 400);
    assert.match(long.html, /<html lang="es"/);
    assert.match(long.html, /El título puede tener como máximo 200 caracteres\./);
    const oddStatus = await web.post("/admin/incidents", { title: "Slow uploads", impact: "minor", status: "fixed", body: "Kept text" });
    assert.equal(oddStatus.status, 400);
    assert.match(oddStatus.html, /El estado es uno de estos: investigating, identified, monitoring, resolved\./);

    const incident = await postIncident({ status: "resolved", body: "Over." });
    const reopened = await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "investigating", body: "Back again" }, headers: { "accept-language": "ar" } });
    assert.equal(reopened.status, 409);
    assert.equal(reopened.body.error.message, "This incident is resolved. If the problem is back, post a new incident.");
    assert.equal(reopened.body.error.localizedMessage, "حُلّت هذه الحادثة. إن عادت المشكلة فانشر حادثة جديدة.");
  });
});

describe("the status page", () => {
  test("shows each component measured live, and open incidents before past ones with their updates", async () => {
    const open = await postIncident({ title: "Thumbnails missing for some photos", status: "identified", body: "A worker is stuck." });
    let html = await statusHtml();
    for (const component of ["web", "uploads", "database", "storage", "backlog"]) {
      assert.match(html, new RegExp(`class="component state-operational" data-component="${component}"`), component);
    }
    assert.match(html, /Everything is working/);
    const current = html.indexOf("Current incidents");
    const past = html.indexOf("Past incidents");
    const at = html.indexOf("Thumbnails missing for some photos");
    assert.ok(current < at && at < past, "an open incident is under Current incidents");
    assert.ok(html.includes("A worker is stuck."));
    assert.ok(html.includes('href="/status/feed.atom"'));

    // Really take the storage away: the marker that pairs it with the database disappears.
    const marker = path.join(server.dataDir, "files", "pinhole-storage.json");
    const saved = fs.readFileSync(marker);
    fs.rmSync(marker);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100)); // measurements are shared for a second
      html = await statusHtml();
      assert.match(html, /class="component state-down" data-component="storage"/);
      assert.match(html, /class="component state-down" data-component="uploads"/);
      assert.match(html, /class="component state-operational" data-component="database"/);
      assert.match(html, /Parts of Pinhole are down/);
      assert.doesNotMatch(html, new RegExp(server.dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no server path on a public page");
    } finally {
      fs.writeFileSync(marker, saved);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.match(await statusHtml(), /class="component state-operational" data-component="storage"/);
    await api(server, "POST", `/api/v1/incidents/${open.id}/updates`, { token: admin.token, json: { status: "resolved", body: "Fixed." } });
  });

  test("needs no session: it answers even for a cookie that is not a session", async () => {
    const response = await fetch(`${server.url}/status`, { headers: { accept: "text/html", cookie: "pinhole_session=not-a-session" } });
    assert.equal(response.status, 200);
  });
});

describe("the Atom feed", () => {
  test("is well-formed Atom 1.0 with one entry per incident, whose <updated> moves with each update", async () => {
    const incident = await postIncident({ title: "Mail & <notices> delayed", body: "Line one\nline two" });
    const read = async () => {
      const response = await fetch(`${server.url}/status/feed.atom`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^application\/atom\+xml/);
      return parseXml(await response.text());
    };
    let feed = await read();
    assert.equal(feed.name, "feed");
    assert.equal(feed.attributes.xmlns, "http://www.w3.org/2005/Atom");
    for (const name of ["id", "title", "updated"]) assert.equal(children(feed, name).length, 1, `exactly one feed <${name}>`);
    assert.match(child(feed, "updated")!.text, RFC3339);
    assert.ok(child(child(feed, "author")!, "name")?.text, "a feed author, so entries need none");
    assert.ok(children(feed, "link").some((l) => l.attributes.rel === "self" && l.attributes.href === `${server.url}/status/feed.atom`));
    const entries = children(feed, "entry");
    const ids = entries.map((e) => child(e, "id")!.text);
    assert.equal(new Set(ids).size, ids.length, "entry ids are unique");
    for (const entry of entries) {
      for (const name of ["id", "title", "updated"]) assert.equal(children(entry, name).length, 1, `exactly one entry <${name}>`);
      assert.ok(new URL(child(entry, "id")!.text).href, "ids are absolute IRIs");
      assert.match(child(entry, "updated")!.text, RFC3339);
      assert.ok(["text", "html", "xhtml"].includes(child(entry, "content")!.attributes.type!));
      assert.ok(children(entry, "link").some((l) => l.attributes.rel === "alternate"));
    }
    const find = () => entries.find((e) => child(e, "id")!.text === `${server.url}/status#incident-${incident.id}`)!;
    let entry = find();
    assert.equal(child(entry, "title")!.text, "Mail & <notices> delayed (Investigating)");
    assert.match(child(entry, "content")!.text, /<p><strong>Investigating<\/strong>/, "the content is HTML, escaped once in the XML");
    const updatedBefore = child(entry, "updated")!.text;

    await new Promise((resolve) => setTimeout(resolve, 5));
    await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "monitoring", body: "Sent again." } });
    feed = await read();
    entry = children(feed, "entry").find((e) => child(e, "id")!.text === `${server.url}/status#incident-${incident.id}`)!;
    assert.ok(child(entry, "updated")!.text > updatedBefore, "<updated> changed with the update");
    assert.equal(child(entry, "title")!.text, "Mail & <notices> delayed (Monitoring)");
    assert.equal(child(feed, "updated")!.text, child(entry, "updated")!.text, "the feed is as new as its newest entry");
  });
});

describe("the disk copy of the incidents", () => {
  test("is written at start-up and after every change, whole (temp file and rename)", async () => {
    const file = path.join(server.dataDir, "status", "incidents.json");
    assert.ok(fs.existsSync(file), "written at start-up");
    const incident = await postIncident({ title: "Copied to disk" });
    let copy = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(copy.format, 1);
    assert.match(copy.copiedAt, RFC3339);
    assert.equal(copy.incidents[0].title, "Copied to disk");
    await api(server, "POST", `/api/v1/incidents/${incident.id}/updates`, { token: admin.token, json: { status: "resolved", body: "Done." } });
    copy = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(copy.incidents.find((i: any) => i.id === incident.id).status, "resolved");
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["incidents.json"], "no temporary file left behind");
  });
});
