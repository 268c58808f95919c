import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, photoForm, WebClient, type Member } from "../helpers/client.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { UsersRepository } from "../../src/users/repository.ts";
import { RecentErrorsRepository } from "../../src/admin/recent-errors-repository.ts";

let server: TestServer;
let operator: Member;
let operatorWeb: WebClient;
let member: Member;

before(async () => {
  server = await startServer();
  // The first account of a site is its admin.
  operator = await buildMember(server, { username: "operator" });
  member = await buildMember(server, { username: "plainmember" });
  operatorWeb = new WebClient(server);
  await operatorWeb.logIn(operator);
});
after(async () => {
  await server.close();
});

const SUSPENDED = "This account is suspended; contact the site's operator.";

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe("who may see the admin page", () => {
  test("an anonymous visitor gets 401 and a member 403, for the page, its forms and the admin API, and nothing changes", async () => {
    const anonymous = new WebClient(server);
    const page = await anonymous.get("/admin");
    assert.equal(page.status, 401);
    assert.doesNotMatch(page.html, /plainmember|Processing backlog/);

    const web = new WebClient(server);
    await web.logIn(member);
    const denied = await web.get("/admin");
    assert.equal(denied.status, 403);
    assert.match(denied.html, /Only an admin can do this\./);
    assert.doesNotMatch(denied.html, /Processing backlog|Recent errors/);
    assert.doesNotMatch(denied.html, /href="\/admin"/, "members get no admin link");

    const victim = await buildMember(server);
    const post = await web.post(`/admin/members/${victim.username}/suspension`, { suspended: "true" });
    assert.equal(post.status, 403);
    const allowance = await web.post(`/admin/members/${member.username}`, { isPro: "1", quotaPhotos: "999999" });
    assert.equal(allowance.status, 403);

    for (const [token, status] of [[undefined, 401], [member.token, 403]] as const) {
      assert.equal((await api(server, "GET", "/api/v1/admin/members", { token })).status, status);
      assert.equal((await api(server, "PUT", `/api/v1/admin/members/${victim.username}/suspension`, { token, json: { suspended: true } })).status, status);
      assert.equal((await api(server, "PATCH", `/api/v1/admin/members/${member.username}`, { token, json: { isPro: true } })).status, status);
    }
    assert.equal((await api(server, "GET", "/api/v1/me", { token: victim.token })).status, 200, "the victim was not suspended");
    const listed = await api(server, "GET", `/api/v1/admin/members?q=${member.username}`, { token: operator.token });
    assert.deepEqual([listed.body.members[0].isPro, listed.body.members[0].override.photos], [false, null], "nothing changed");
  });

  test("the admin's own pages link to the admin page", async () => {
    const home = await operatorWeb.get("/");
    assert.match(home.html, /<a href="\/admin">Admin<\/a>/);
  });
});

describe("the admin page", () => {
  test("shows members with their use and quota, storage, the backlog with failed jobs, and links to incidents and maintenance", async () => {
    const photographer = await buildMember(server, { username: "photographer" });
    const photo = await buildPhoto(server, photographer, {}, corpusFile("photos/grayscale.jpg"));
    const bytes = fs.statSync(corpusFile("photos/grayscale.jpg")).size;
    // A job that really failed: claimed by a worker and given up on with its error.
    const jobs = new JobsRepository(server.context.database.db);
    const now = Date.now();
    const jobId = await jobs.enqueue({ kind: "photo.delete-files", payload: { photoId: 1 }, runAfter: now }, now);
    assert.ok(await jobs.claimById(jobId, "test-worker", now, 60_000));
    await jobs.markFailed(jobId, "test-worker", "EACCES: permission denied, unlink '/data/files/originals/x.jpg'", now);

    const page = await operatorWeb.get("/admin");
    assert.equal(page.status, 200);
    const row = /<tr id="member-photographer"[\s\S]*?<\/tr>/.exec(page.html)?.[0] ?? "";
    assert.ok(row, "the photographer is listed");
    assert.match(row, /<td><time datetime="\d{4}-\d{2}-\d{2}T[\d:.]+Z">[A-Z][a-z]{2} \d{1,2}, \d{4}<\/time><\/td>/, "joined, on the day it was (UTC)");
    assert.match(row, /<td class="num">1<\/td>/, "one photo");
    assert.match(row, new RegExp(`<td class="num">${(bytes / 1024 / 1024).toFixed(1)} MB</td>`), "bytes stored");
    assert.match(row, /no limit/, "quota");
    assert.match(row, /value="true"[\s\S]*Suspend/, "a suspend button");
    assert.match(page.html, /Originals stored<\/dt><dd>[\d.,]+ MB<\/dd>/);
    assert.match(page.html, /Data disk<\/dt><dd>[\d.,]+ GB free of [\d.,]+ GB<\/dd>/);
    assert.match(page.html, /Failed<\/dt><dd>1<\/dd>/);
    assert.match(page.html, /photo\.delete-files[\s\S]*EACCES: permission denied/);
    assert.match(page.html, /href="\/admin\/incidents"/);
    assert.match(page.html, /href="\/admin\/maintenance"/);
    assert.doesNotMatch(/<tr id="member-operator"[\s\S]*?<\/tr>/.exec(page.html)?.[0] ?? "", /name="suspended"/, "no suspend button for an admin");
    assert.ok(photo.id);
  });

  test("members are found by part of their name, any case, with LIKE wildcards taken literally", async () => {
    const found = await operatorWeb.get("/admin?q=GRAPH");
    assert.match(found.html, /id="member-photographer"/);
    assert.doesNotMatch(found.html, /id="member-operator"/);
    assert.match(found.html, /1 member whose name contains “GRAPH”/);
    const wildcard = await operatorWeb.get("/admin?q=%25");
    assert.match(wildcard.html, /0 members/);
    assert.match(wildcard.html, /No member matches/);
  });

  test("the member list pages by fifty, and the API lists the same", async () => {
    const users = new UsersRepository(server.context.database.db);
    for (let i = 0; i < 55; i++) {
      const name = `pager${String(i).padStart(2, "0")}`;
      await users.insertUser({ username: name, username_key: name, email: `${name}@example.test`, email_key: `${name}@example.test`, email_confirmed_at: null, password_hash: "x", is_admin: 0, created_at: Date.now() });
    }
    const first = await operatorWeb.get("/admin?q=pager");
    assert.match(first.html, /55 members/);
    assert.match(first.html, /Page 1 of 2/);
    assert.equal(first.html.match(/<tr id="member-pager/g)?.length, 50);
    assert.match(first.html, /href="\/admin\?q=pager&amp;page=2#members" rel="next"/);
    const second = await operatorWeb.get("/admin?q=pager&page=2");
    assert.equal(second.html.match(/<tr id="member-pager/g)?.length, 5);
    assert.match(second.html, /id="member-pager54"/);
    const listed = await api(server, "GET", "/api/v1/admin/members?q=pager&page=2", { token: operator.token });
    assert.equal(listed.status, 200);
    assert.deepEqual([listed.body.total, listed.body.page, listed.body.pages, listed.body.members.length], [55, 2, 2, 5]);
    assert.deepEqual(Object.keys(listed.body.members[0]).sort(), ["bytesStored", "isAdmin", "isPro", "joinedAt", "override", "photos", "quota", "suspended", "suspendedAt", "username"]);
  });
});

describe("recent errors", () => {
  test("a real server error is recorded with its route and request id, and shown on the admin page", async () => {
    // Break the disk the way an operator might: the upload temp directory replaced by a file.
    const scratch = path.join(server.dataDir, "tmp");
    fs.rmSync(scratch, { recursive: true });
    fs.writeFileSync(scratch, "not a directory");
    let failed;
    try {
      failed = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(corpusFile("photos/tiny-1x1.jpg")), headers: { "x-request-id": "trace-5xx-0001" } });
    } finally {
      fs.rmSync(scratch);
      fs.mkdirSync(scratch);
    }
    assert.equal(failed.status, 500);
    assert.match(failed.body.error.message, /Something went wrong on our side/);
    assert.doesNotMatch(JSON.stringify(failed.body), /ENOTDIR|pinhole-test/, "no internals in the answer");

    const errors = new RecentErrorsRepository(server.context.database.db);
    await until("the error is recorded", async () => (await errors.newest(10)).some((e) => e.request_id === "trace-5xx-0001"));
    const page = await operatorWeb.get("/admin");
    const row = /<tr><td><time datetime="[^"]+">[^<]+<\/time><\/td><td><code>POST \/api\/v1\/photos<\/code><\/td><td><code>trace-5xx-0001<\/code><\/td><td><code>[^<]*ENOTDIR[^<]*<\/code><\/td><\/tr>/.exec(page.html);
    assert.ok(row, "route, request id and message are shown");
    assert.doesNotMatch(page.html, /No server error recorded/);
    // The site works again once the directory is back.
    assert.equal((await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(corpusFile("photos/tiny-1x1.jpg")) })).status, 201);
  });

  test("a 4xx is not a server error and is not recorded", async () => {
    const errors = new RecentErrorsRepository(server.context.database.db);
    const before = await errors.count();
    assert.equal((await api(server, "GET", "/api/v1/photos/12345", { headers: { "x-request-id": "trace-404" } })).status, 404);
    assert.equal((await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(Buffer.from("not an image")) })).status, 415);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await errors.count(), before);
  });

  test("only the newest 200 errors are kept", async () => {
    const errors = new RecentErrorsRepository(server.context.database.db);
    for (let i = 0; i < 230; i++) await errors.insert({ occurred_at: Date.now(), request_id: `bulk-${i}`, route: "GET /x", message: "bulk" }, 200);
    assert.equal(await errors.count(), 200);
    const newest = await errors.newest(200);
    assert.equal(newest[0]?.request_id, "bulk-229");
    assert.equal(newest[199]?.request_id, "bulk-30");
  });

  test("with the database gone, a failing request still gets its answer and the server stays up", async () => {
    const isolated = await startServer();
    try {
      const someone = await buildMember(isolated);
      await isolated.context.database.close();
      const started = Date.now();
      const response = await api(isolated, "GET", "/api/v1/me", { token: someone.token });
      // The database being gone is an outage (503), not a bug to record.
      assert.equal(response.status, 503);
      assert.ok(Date.now() - started < 2000, "answered at once");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await fetch(`${isolated.url}/healthz`)).status, 200);
    } finally {
      await isolated.close().catch(() => {});
    }
  });
});

describe("suspending a member", () => {
  test("ends their sessions and tokens, refuses their log-in, hides their photos from everyone; lifting it restores them", async () => {
    const victim = await buildMember(server, { username: "victim" });
    const victimWeb = new WebClient(server);
    await victimWeb.logIn(victim);
    const photo = await buildPhoto(server, victim, { title: "soon hidden", tags: "suspensioncheck" }, corpusFile("photos/china-roof.jpg"));
    const otherWeb = new WebClient(server);
    await otherWeb.logIn(member);
    const anonymous = new WebClient(server);
    const pagePath = `/photos/victim/${photo.id}`;
    assert.equal((await anonymous.get(pagePath)).status, 200);

    const suspended = await api(server, "PUT", "/api/v1/admin/members/victim/suspension", { token: operator.token, json: { suspended: true } });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    assert.equal(suspended.body.suspended, true);
    assert.ok(Date.parse(suspended.body.suspendedAt) > Date.now() - 60_000);

    // Sessions and tokens stop working at once.
    const me = await api(server, "GET", "/api/v1/me", { token: victim.token });
    assert.equal(me.status, 401);
    assert.equal((await victimWeb.get("/upload")).status, 401);
    assert.equal((await api(server, "POST", "/api/v1/photos", { token: victim.token, form: photoForm(corpusFile("photos/tiny-1x1.jpg")) })).status, 401);
    const sessions = await server.context.database.db.selectFrom("sessions").innerJoin("users", "users.id", "sessions.user_id").select("sessions.id").where("users.username", "=", "victim").execute();
    assert.equal(sessions.length, 0, "their sessions are deleted");

    // Log-in is refused with a clear message, to whoever knows the password only.
    const apiLogIn = await api(server, "POST", "/api/v1/sessions", { json: { username: "victim", password: victim.password } });
    assert.equal(apiLogIn.status, 403);
    assert.equal(apiLogIn.body.error.message, SUSPENDED);
    const webLogIn = new WebClient(server);
    await webLogIn.get("/login");
    const form = await webLogIn.post("/login", { username: "victim", password: victim.password });
    assert.equal(form.status, 403);
    assert.ok(form.html.includes("This account is suspended; contact the site&#39;s operator."), "the form says why");
    const wrong = await api(server, "POST", "/api/v1/sessions", { json: { username: "victim", password: "not the password at all" } });
    assert.equal(wrong.status, 401, "a wrong password learns nothing about the suspension");
    assert.doesNotMatch(wrong.body.error.message, /suspended/);

    // The photos are hidden from pages and the API, for anonymous visitors and members alike.
    for (const client of [anonymous, otherWeb]) {
      assert.equal((await client.get(pagePath)).status, 404);
      assert.doesNotMatch((await client.get("/photos/victim")).html, new RegExp(photo.id));
      assert.doesNotMatch((await client.get("/")).html, new RegExp(photo.id));
      assert.doesNotMatch((await client.get("/photos/tags/suspensioncheck")).html, new RegExp(photo.id));
    }
    for (const token of [undefined, member.token, operator.token]) {
      assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token })).status, 404);
      const list = await api(server, "GET", "/api/v1/users/victim/photos", { token });
      assert.deepEqual(list.body.photos, []);
    }
    // As documented: image URLs are served by their secret without the database, so those
    // already handed out keep working.
    assert.equal((await fetch(photo.sizes[0]!.url)).status, 200);

    const adminPage = await operatorWeb.get("/admin?q=victim");
    assert.match(adminPage.html, /<tr id="member-victim" class="suspended">[\s\S]*<strong>suspended<\/strong>[\s\S]*Lift the suspension/);

    // Lifting the suspension from the admin page's form.
    const lifted = await operatorWeb.post("/admin/members/victim/suspension", { suspended: "false", q: "victim", page: "1" });
    assert.equal(lifted.status, 303);
    assert.equal(lifted.location, "/admin?q=victim#member-victim");
    assert.equal((await anonymous.get(pagePath)).status, 200);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: member.token })).body.title, "soon hidden");
    assert.equal((await api(server, "GET", "/api/v1/users/victim/photos")).body.photos.length, 1);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: victim.token })).status, 401, "old tokens stay ended");
    const again = await api(server, "POST", "/api/v1/sessions", { json: { username: "victim", password: victim.password } });
    assert.equal(again.status, 201, "the member can log in again");
    assert.equal((await api(server, "GET", "/api/v1/me", { token: again.body.token })).status, 200);
  });

  test("the admin page's suspend form suspends, and needs the CSRF token", async () => {
    const target = await buildMember(server, { username: "formtarget" });
    const forged = await operatorWeb.post("/admin/members/formtarget/suspension", { suspended: "true" }, { withCsrf: false });
    assert.equal(forged.status, 403);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: target.token })).status, 200, "nothing changed");
    const cookieJson = await fetch(`${server.url}/api/v1/admin/members/formtarget/suspension`, {
      method: "PUT",
      headers: { "content-type": "application/json", cookie: `pinhole_session=${operatorWeb.cookie("pinhole_session")}` },
      body: JSON.stringify({ suspended: true }),
    });
    assert.equal(cookieJson.status, 403, "a cookie-authenticated JSON write needs the CSRF header");
    const done = await operatorWeb.post("/admin/members/formtarget/suspension", { suspended: "true", q: "", page: "1" });
    assert.equal(done.status, 303);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: target.token })).status, 401);
  });

  test("an admin cannot suspend themselves or another admin, and is told why", async () => {
    const second = await buildMember(server, { username: "secondadmin" });
    const users = new UsersRepository(server.context.database.db);
    const row = await users.findByUsernameKey("secondadmin");
    await users.setAdmin(row!.id, true);
    const self = await api(server, "PUT", "/api/v1/admin/members/operator/suspension", { token: operator.token, json: { suspended: true } });
    assert.equal(self.status, 403);
    assert.equal(self.body.error.message, "You cannot suspend yourself.");
    const other = await api(server, "PUT", "/api/v1/admin/members/secondadmin/suspension", { token: operator.token, json: { suspended: true } });
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, /An admin cannot be suspended/);
    const byForm = await operatorWeb.post("/admin/members/secondadmin/suspension", { suspended: "true" });
    assert.equal(byForm.status, 403);
    assert.match(byForm.html, /role="alert">An admin cannot be suspended/, "shown on the admin page");
    assert.equal((await api(server, "GET", "/api/v1/me", { token: second.token })).status, 200);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: operator.token })).status, 200);
    const missing = await api(server, "PUT", "/api/v1/admin/members/nobody-here/suspension", { token: operator.token, json: { suspended: true } });
    assert.equal(missing.status, 404);
    const bad = await api(server, "PUT", "/api/v1/admin/members/plainmember/suspension", { token: operator.token, json: { suspended: "maybe" } });
    assert.equal(bad.status, 400);
  });
});

describe("allowances", () => {
  test("the admin page's form sets Pro and the member's own quotas; empty fields return to the default; bad values are explained", async () => {
    await buildMember(server, { username: "allowed" });
    const saved = await operatorWeb.post("/admin/members/allowed", { isPro: "1", quotaPhotos: "1,500", quotaMb: "2.5" });
    assert.equal(saved.status, 303);
    let listed = await api(server, "GET", "/api/v1/admin/members?q=allowed", { token: operator.token });
    assert.deepEqual([listed.body.members[0].isPro, listed.body.members[0].override], [true, { photos: 1500, bytes: 2.5 * 1024 * 1024 }]);
    const page = await operatorWeb.get("/admin?q=allowed");
    assert.match(page.html, /1,500 photos <small>\(own\)<\/small><br>2\.5 MB <small>\(own\)<\/small>/);
    assert.match(page.html, /name="isPro" value="1" checked/);
    const bad = await operatorWeb.post("/admin/members/allowed", { quotaPhotos: "lots" });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /Photos allowed must be a number, or empty for the site&#39;s default\./);
    // The refusal is said in the admin's language, as the rest of the page is.
    const german = new WebClient(server);
    await german.logIn(operator);
    await german.get("/language?lang=de&return=/admin");
    await german.get("/admin");
    const refused = await german.post("/admin/members/allowed", { quotaPhotos: "lots" });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /role="alert">„Erlaubte Fotos“ muss eine Zahl sein oder leer bleiben \(Standard der Website\)\.</);
    const tooMany = await german.post("/admin/members/allowed", { quotaMb: "99999999999" });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.html, /role="alert">„Erlaubte Megabyte“ muss eine Zahl von 0 bis [\d.]+ sein oder leer bleiben/, "the limit written the German way");
    const reset = await operatorWeb.post("/admin/members/allowed", { quotaPhotos: "", quotaMb: "" });
    assert.equal(reset.status, 303);
    listed = await api(server, "GET", "/api/v1/admin/members?q=allowed", { token: operator.token });
    assert.deepEqual([listed.body.members[0].isPro, listed.body.members[0].override], [false, { photos: null, bytes: null }], "an unticked box ends Pro");
  });

  test("the OpenAPI description has the admin API with its request schemas", async () => {
    const spec = await api(server, "GET", "/api/v1/openapi.json");
    const suspension = spec.body.paths["/api/v1/admin/members/{username}/suspension"]?.put;
    assert.ok(suspension, "PUT suspension is described");
    assert.deepEqual(suspension.requestBody.content["application/json"].schema.required, ["suspended"]);
    const patch = spec.body.paths["/api/v1/admin/members/{username}"]?.patch;
    assert.ok(patch, "PATCH member is described");
    assert.deepEqual(Object.keys(patch.requestBody.content["application/json"].schema.properties).sort(), ["isPro", "quotaMb", "quotaPhotos"]);
    assert.ok(spec.body.paths["/api/v1/admin/members"]?.get);
    assert.equal(spec.body.paths["/admin"], undefined, "the page is not part of the API");
  });
});
