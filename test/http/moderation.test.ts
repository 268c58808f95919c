import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
let admin: Member;
let owner: Member;
let reporter: Member;

const buildPhoto = (member: Member, fields: Record<string, string> = {}) => buildDistinctPhoto(server, member, fields);

before(async () => {
  server = await startServer();
  // The first account of a site is its admin.
  admin = await buildMember(server, { username: "moderator" });
  owner = await buildMember(server);
  reporter = await buildMember(server);
});
after(async () => server.close());

const report = (member: Member, json: unknown) => api(server, "POST", "/api/v1/reports", { token: member.token, json });
const queue = async () => (await api(server, "GET", "/api/v1/admin/reports", { token: admin.token })).body.reports as Array<{ id: string; targetKind: string; targetId: string; reason: string; reporter: string }>;
const resolve = (id: string, action: string, token = admin.token) => api(server, "POST", `/api/v1/admin/reports/${id}/resolution`, { token, json: { action } });

describe("reporting", () => {
  test("a member reports a photo they can see; it tops the admins' queue, newest first", async () => {
    const first = await buildPhoto(owner);
    const second = await buildPhoto(owner);
    const a = await report(reporter, { targetKind: "photo", targetId: first.id, reason: "spam" });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.deepEqual(Object.keys(a.body).sort(), ["createdAt", "id", "reason", "targetId", "targetKind"], "the reporter learns nothing of the queue's view");
    const b = await report(reporter, { targetKind: "photo", targetId: second.id, reason: "  stolen photo  " });
    assert.equal(b.status, 201);
    const open = await queue();
    assert.equal(open[0]!.id, b.body.id, "newest first");
    assert.equal(open[0]!.reason, "stolen photo");
    assert.equal(open[0]!.reporter, reporter.username);
    assert.equal(open[1]!.id, a.body.id);
  });

  test("what the member cannot see, or does not exist, is not found; oneself, an empty or long reason are refused", async () => {
    const hidden = await buildPhoto(owner, { visibility: "friends" });
    const restricted = await buildPhoto(owner, { restricted: "true" });
    assert.equal((await report(reporter, { targetKind: "photo", targetId: hidden.id, reason: "x" })).status, 404, "a friends photo, to a stranger");
    assert.equal((await report(reporter, { targetKind: "photo", targetId: restricted.id, reason: "x" })).status, 404, "a restricted photo, to a member who did not opt in");
    assert.equal((await report(reporter, { targetKind: "photo", targetId: "99999999", reason: "x" })).status, 404);
    assert.equal((await report(reporter, { targetKind: "comment", targetId: "99999999", reason: "x" })).status, 404);
    assert.equal((await report(reporter, { targetKind: "member", username: "nobody-at-all", reason: "x" })).status, 404);
    assert.equal((await report(owner, { targetKind: "photo", targetId: hidden.id, reason: "x" })).status, 400, "one's own photo");
    assert.equal((await report(reporter, { targetKind: "member", username: reporter.username, reason: "x" })).status, 400, "oneself");
    const visible = await buildPhoto(owner);
    assert.equal((await report(reporter, { targetKind: "photo", targetId: visible.id, reason: "   " })).status, 400, "a blank reason");
    assert.equal((await report(reporter, { targetKind: "photo", targetId: visible.id, reason: "é".repeat(1001) })).status, 400, "over 1000 characters");
    assert.equal((await report(reporter, { targetKind: "photo", targetId: visible.id, reason: "é".repeat(1000) })).status, 201, "1000 characters");
    assert.equal((await api(server, "POST", "/api/v1/reports", { json: { targetKind: "photo", targetId: visible.id, reason: "x" } })).status, 401, "anonymous");
  });

  test("a member may make 20 reports a day; the 21st is a 429", async () => {
    const busy = await buildMember(server);
    const photo = await buildPhoto(owner);
    for (let i = 0; i < 20; i++) assert.equal((await report(busy, { targetKind: "photo", targetId: photo.id, reason: `report ${i}` })).status, 201);
    const refused = await report(busy, { targetKind: "photo", targetId: photo.id, reason: "one more" });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
  });

  test("the report forms: a box on others' photo pages, a link on member pages, both sending a report", async () => {
    const photo = await buildPhoto(owner);
    const web = new WebClient(server);
    await web.logIn(reporter);
    const page = await web.get(`/photos/${owner.username}/${photo.id}`);
    assert.match(page.html, /id="report-form"/);
    const sent = await web.post("/reports", { targetKind: "photo", targetId: photo.id, reason: "from the page" });
    assert.equal(sent.status, 201, sent.html.slice(0, 300));
    assert.match(sent.html, /id="report-sent"/);
    const stream = await web.get(`/photos/${owner.username}`);
    assert.match(stream.html, /id="report-member"/);
    const form = await web.get(`/reports/new?targetKind=member&username=${owner.username}`);
    assert.equal(form.status, 200);
    const member = await web.post("/reports", { targetKind: "member", username: owner.username, reason: "" });
    assert.equal(member.status, 400, "a blank reason shows the form again");
    assert.match(member.html, /id="report-form"/);
    const ownerWeb = new WebClient(server);
    await ownerWeb.logIn(owner);
    assert.doesNotMatch((await ownerWeb.get(`/photos/${owner.username}/${photo.id}`)).html, /id="report-form"/, "no report box on one's own photo");
    assert.doesNotMatch((await ownerWeb.get(`/photos/${owner.username}`)).html, /id="report-member"/);
    const reasons = (await queue()).map((r) => r.reason);
    assert.ok(reasons.includes("from the page"));
  });
});

describe("the admins' queue", () => {
  test("only admins see it: 401 for visitors, 403 for members, on the page, its forms and the API", async () => {
    const photo = await buildPhoto(owner);
    const made = await report(reporter, { targetKind: "photo", targetId: photo.id, reason: "check access" });
    assert.equal((await api(server, "GET", "/api/v1/admin/reports")).status, 401);
    assert.equal((await api(server, "GET", "/api/v1/admin/reports", { token: reporter.token })).status, 403);
    assert.equal((await resolve(made.body.id, "hide", reporter.token)).status, 403);
    const web = new WebClient(server);
    await web.logIn(reporter);
    assert.equal((await web.get("/admin/reports")).status, 403);
    assert.equal((await web.post(`/admin/reports/${made.body.id}/resolution`, { action: "hide" })).status, 403);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 200, "nothing changed");
    const adminWeb = new WebClient(server);
    await adminWeb.logIn(admin);
    assert.match((await adminWeb.get("/admin")).html, /href="\/admin\/reports"/);
    const page = await adminWeb.get("/admin/reports");
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`id="report-${made.body.id}"`));
  });

  test("hiding a photo: gone for everyone but its owner, who sees a notice; its image URLs stop working; the reports on it are resolved", async () => {
    const photo = await buildPhoto(owner, { title: "to be hidden" });
    const url = photo.sizes[0]!.url;
    assert.equal((await fetch(url)).status, 200);
    const one = await report(reporter, { targetKind: "photo", targetId: photo.id, reason: "first" });
    const other = await buildMember(server);
    const two = await report(other, { targetKind: "photo", targetId: photo.id, reason: "second" });
    const done = await resolve(one.body.id, "hide");
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.resolution, "hidden");
    assert.equal(done.body.resolvedBy, admin.username);
    assert.ok(done.body.resolvedAt);
    const ids = (await queue()).map((r) => r.id);
    assert.ok(!ids.includes(one.body.id) && !ids.includes(two.body.id), "both reports on the photo are resolved");
    assert.equal((await resolve(two.body.id, "dismiss")).status, 409, "a resolved report cannot be resolved again");

    assert.equal((await fetch(url)).status, 404, "the old image URL is dead");
    for (const token of [undefined, reporter.token, admin.token]) {
      assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token })).status, 404);
    }
    const seen = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.hidden, true);
    assert.notEqual(seen.body.sizes[0].url, url);
    assert.equal((await fetch(seen.body.sizes[0].url)).status, 200, "the owner's new URLs work");
    const ownerWeb = new WebClient(server);
    await ownerWeb.logIn(owner);
    assert.match((await ownerWeb.get(`/photos/${owner.username}/${photo.id}`)).html, /id="hidden-notice"/);
  });

  test("suspending the member a report names, through the admin page's form", async () => {
    const target = await buildMember(server);
    await buildPhoto(target);
    const made = await report(reporter, { targetKind: "member", username: target.username, reason: "abusive" });
    assert.equal(made.status, 201);
    const adminWeb = new WebClient(server);
    await adminWeb.logIn(admin);
    await adminWeb.get("/admin/reports");
    const posted = await adminWeb.post(`/admin/reports/${made.body.id}/resolution`, { action: "suspend" });
    assert.equal(posted.status, 303);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: target.token })).status, 401, "their sessions ended");
    assert.deepEqual((await api(server, "GET", `/api/v1/users/${target.username}/photos`)).body.photos, [], "their photos are hidden");
    const refused = await adminWeb.post(`/admin/reports/${made.body.id}/resolution`, { action: "suspend" });
    assert.equal(refused.status, 409, "the page shows the refusal");
  });

  test("an admin cannot be suspended through a report; a member cannot be hidden", async () => {
    const made = await report(reporter, { targetKind: "member", username: admin.username, reason: "admin abuse" });
    assert.equal((await resolve(made.body.id, "suspend")).status, 403);
    assert.equal((await resolve(made.body.id, "hide")).status, 400);
    assert.equal((await resolve(made.body.id, "dismiss")).status, 200);
    assert.equal((await resolve("99999999", "dismiss")).status, 404);
  });

  test("hiding a comment sets comments.hidden_at; a hidden comment cannot be reported by others", async () => {
    const photo = await buildPhoto(owner);
    const db = server.context.database.db;
    const author = await buildMember(server);
    const authorId = (await db.selectFrom("users").select("id").where("username", "=", author.username).executeTakeFirstOrThrow()).id;
    const now = Date.now();
    const inserted = await db.insertInto("comments").values({ photo_id: Number(photo.id), author_id: authorId, body: "rude words", created_at: now, updated_at: now }).returning("id").executeTakeFirstOrThrow();
    const commentId = String(inserted.id);
    const made = await report(reporter, { targetKind: "comment", targetId: commentId, reason: "rude" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal((await report(author, { targetKind: "comment", targetId: commentId, reason: "x" })).status, 400, "one's own comment");
    const listed = (await api(server, "GET", "/api/v1/admin/reports", { token: admin.token })).body.reports.find((r: { id: string }) => r.id === made.body.id);
    assert.equal(listed.target.label, "rude words");
    assert.equal(listed.target.owner, author.username);
    const done = await resolve(made.body.id, "hide");
    assert.equal(done.status, 200);
    const row = await db.selectFrom("comments").select("hidden_at").where("id", "=", inserted.id).executeTakeFirstOrThrow();
    assert.notEqual(row.hidden_at, null);
    assert.equal((await report(reporter, { targetKind: "comment", targetId: commentId, reason: "again" })).status, 404);
  });

  test("refusals speak the admin's language on the queue page and beside the API's English", async () => {
    const adminWeb = new WebClient(server);
    await adminWeb.logIn(admin);
    await adminWeb.get("/language?lang=ja&return=/admin/reports");
    await adminWeb.get("/admin/reports");
    const aboutAdmin = await report(reporter, { targetKind: "member", username: admin.username, reason: "about the admin" });
    const refused = await adminWeb.post(`/admin/reports/${aboutAdmin.body.id}/resolution`, { action: "suspend" });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /<html lang="ja"/);
    assert.match(refused.html, /<p class="alert error" role="alert">自分自身を停止することはできません。<\/p>/);
    assert.doesNotMatch(refused.html, /You cannot suspend yourself/);

    assert.equal((await resolve(aboutAdmin.body.id, "dismiss")).status, 200);
    const again = await adminWeb.post(`/admin/reports/${aboutAdmin.body.id}/resolution`, { action: "hide" });
    assert.equal(again.status, 409);
    assert.match(again.html, /この報告はすでに解決済みです（却下）。/, "the resolution is named in Japanese too");

    const api409 = await api(server, "POST", `/api/v1/admin/reports/${aboutAdmin.body.id}/resolution`, { token: admin.token, json: { action: "dismiss" }, headers: { "accept-language": "de" } });
    assert.equal(api409.status, 409);
    assert.equal(api409.body.error.message, "This report was already resolved (dismissed).");
    assert.equal(api409.body.error.localizedMessage, "Diese Meldung wurde bereits erledigt (verworfen).");

    const web = new WebClient(server);
    await web.logIn(reporter);
    await web.get("/language?lang=fr&return=/");
    await web.get(`/reports/new?targetKind=member&username=${owner.username}`);
    const unknownKind = await web.post("/reports", { targetKind: "album", targetId: "1", reason: "x" });
    assert.equal(unknownKind.status, 400);
    assert.match(unknownKind.html, /Dites ce que vous signalez : une photo, un commentaire ou un membre\./);
  });

  test("dismissing changes nothing but the report", async () => {
    const photo = await buildPhoto(owner);
    const made = await report(reporter, { targetKind: "photo", targetId: photo.id, reason: "meh" });
    const done = await resolve(made.body.id, "dismiss");
    assert.equal(done.body.resolution, "dismissed");
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 200);
    assert.equal((await fetch(photo.sizes[0]!.url)).status, 200);
  });
});
