import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";

const run = promisify(execFile);
const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");
const MESSAGE = "Moving to a bigger disk until 15:00 UTC.";

let server: TestServer;
let admin: Member;
let alice: Member;
let photo: PhotoJson;
before(async () => {
  server = await startServer();
  admin = await buildMember(server); // the first member is the admin
  alice = await buildMember(server, { username: "alice" });
  photo = await buildPhoto(server, alice, { title: "Before maintenance", visibility: "public" });
});
after(async () => {
  await server.close();
});

/** The pinhole command with the same environment as the server. */
function pinhole(args: string[]) {
  const { databaseUrl, dataDir } = server.context.config;
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, PINHOLE_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) } });
}

function upload(fields: Record<string, string> = {}) {
  return api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/grayscale.jpg"), fields) });
}

/** Waits until `probe` is true, and answers how long that took. */
async function within(ms: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("read-only maintenance", () => {
  test("pinhole maintenance on: within 2 s writes get 503 with the message while pages keep working with a banner; off: writes work again", async () => {
    // A visitor's page kept from before (photos/page-cache.ts) must get the banner too.
    const visitorPage = () => fetch(`${server.url}/photos/alice/${photo.id}`).then((response) => response.text());
    assert.doesNotMatch(await visitorPage(), /class="site-notice"/);
    const on = await pinhole(["maintenance", "on", "--message", MESSAGE]);
    assert.match(on.stdout, /maintenance on/);
    // The server polls the shared switch; the edit probe is a write that would succeed otherwise.
    await within(2500, "the server following the switch", async () => (await api(server, "GET", "/api/v1/maintenance")).body.enabled === true);

    const refusedUpload = await upload({ title: "During maintenance" });
    assert.equal(refusedUpload.status, 503);
    assert.deepEqual(refusedUpload.body.error, { code: "read_only", message: MESSAGE, localizedMessage: MESSAGE }, "the operator's own words, in every language");
    assert.ok(Number(refusedUpload.headers.get("retry-after")) > 0);
    const refusedEdit = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: alice.token, json: { title: "Edited during maintenance" } });
    assert.equal(refusedEdit.status, 503);
    assert.equal(refusedEdit.body.error.message, MESSAGE);
    const refusedSignUp = await api(server, "POST", "/api/v1/users", { json: { username: "newcomer", email: "n@example.test", password: "a long enough secret" } });
    assert.equal(refusedSignUp.status, 503);

    // A form gets a page with the message; logging in (a session, not content) still works.
    const web = new WebClient(server);
    await web.logIn(alice);
    const form = await web.post(`/photos/alice/${photo.id}/edit`, { title: "Edited by form", description: "", tags: "", visibility: "public" });
    assert.equal(form.status, 503);
    assert.match(form.headers.get("content-type") ?? "", /^text\/html/);
    assert.ok(form.html.includes(MESSAGE));
    assert.match(form.html, /Nothing you sent was saved/);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).body.title, "Before maintenance", "nothing was changed");

    const photoPage = await web.get(`/photos/alice/${photo.id}`);
    assert.equal(photoPage.status, 200, "viewing goes on");
    assert.match(photoPage.html, new RegExp(`<div class="site-notice" role="status">${MESSAGE.replace(/\./g, "\\.")} <a href="/status">`), "the banner with the message");
    assert.match((await web.get("/")).html, /class="site-notice"/, "on every page");
    assert.match(await visitorPage(), /class="site-notice"/, "on a visitor's kept page too");
    const image = await fetch(photo.sizes[0]!.url);
    assert.equal(image.status, 200);

    const off = await pinhole(["maintenance", "off"]);
    assert.match(off.stdout, /maintenance off/);
    await within(2500, "writes working again", async () => (await api(server, "GET", "/api/v1/maintenance")).body.enabled === false);
    const accepted = await upload({ title: "After maintenance" });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    const edited = await web.post(`/photos/alice/${photo.id}/edit`, { title: "Edited by form", description: "", tags: "", visibility: "public" });
    assert.equal(edited.status, 303);
    assert.doesNotMatch((await web.get(`/photos/alice/${photo.id}`)).html, /class="site-notice"/, "the banner is gone");
    assert.doesNotMatch(await visitorPage(), /class="site-notice"/, "from the visitor's page too");
  });

  test("the switch reaches a server within 2 s of the command", async () => {
    await pinhole(["maintenance", "on"]);
    try {
      const ms = await within(3000, "the refusal", async () => (await upload()).status === 503);
      assert.ok(ms <= 2100, `followed after ${ms} ms`);
      assert.match((await upload()).body.error.message, /read-only for maintenance/, "the standard message");
    } finally {
      await pinhole(["maintenance", "off"]);
      await within(3000, "writes working again", async () => (await api(server, "GET", "/api/v1/maintenance")).body.enabled === false);
    }
  });

  test("an admin switches it with the form or the API, and can still post incidents while it is on; members cannot switch it", async () => {
    const web = new WebClient(server);
    await web.logIn(admin);
    const pageBefore = await web.get("/admin/maintenance");
    assert.equal(pageBefore.status, 200);
    assert.ok(pageBefore.html.includes('href="/admin/incidents"'), "linked to the incidents page");
    assert.equal((await web.post("/admin/maintenance", { enabled: "on", message: "x" }, { withCsrf: false })).status, 403);

    const switched = await web.post("/admin/maintenance", { enabled: "on", message: "Upgrading the database." });
    assert.equal(switched.status, 200);
    assert.match(switched.html, /Maintenance is on/);
    assert.equal((await api(server, "GET", "/api/v1/maintenance")).body.message, "Upgrading the database.", "this server follows at once");

    const incident = await api(server, "POST", "/api/v1/incidents", {
      token: admin.token,
      json: { title: "Database upgrade", impact: "maintenance", status: "identified", body: "Read-only until it is done." },
    });
    assert.equal(incident.status, 201, "incidents can be posted during maintenance");
    assert.equal((await web.post("/admin/incidents", { title: "By form", impact: "maintenance", status: "monitoring", body: "Still going." })).status, 303);

    const memberSwitch = await api(server, "PUT", "/api/v1/maintenance", { token: alice.token, json: { enabled: false } });
    assert.equal(memberSwitch.status, 403);
    assert.equal((await api(server, "PUT", "/api/v1/maintenance", { json: { enabled: false } })).status, 401);
    // An admin logging in during maintenance can switch it off.
    const adminAgain = await api(server, "POST", "/api/v1/sessions", { json: { username: admin.username, password: admin.password } });
    assert.equal(adminAgain.status, 201);
    const offByApi = await api(server, "PUT", "/api/v1/maintenance", { token: adminAgain.body.token, json: { enabled: false } });
    assert.equal(offByApi.status, 200);
    assert.deepEqual(offByApi.body, { enabled: false, message: offByApi.body.message, since: null });
    assert.equal((await upload()).status !== 503, true);
    const onByApi = await api(server, "PUT", "/api/v1/maintenance", { token: admin.token, json: { enabled: true, message: "" } });
    assert.equal(onByApi.body.enabled, true);
    assert.match(onByApi.body.message, /read-only for maintenance/, "an empty message means the standard one");
    assert.match(onByApi.body.since, /^\d{4}-/);
    const offByForm = await web.post("/admin/maintenance", { enabled: "off", message: "" });
    assert.match(offByForm.html, /Maintenance is off/);
  });

  test("a write refused by maintenance is answered in the member's saved language, as every page is: the page (with the member logged in) and the API's localizedMessage", async () => {
    const member = await buildMember(server);
    assert.equal((await api(server, "PUT", "/api/v1/me/settings/locale", { token: member.token, json: { locale: "de" } })).status, 200);
    const web = new WebClient(server);
    await web.logIn(member);
    await web.get("/settings/language");
    assert.equal((await api(server, "PUT", "/api/v1/maintenance", { token: admin.token, json: { enabled: true } })).status, 200);
    try {
      // The browser asks for nothing in particular: only the saved setting says German.
      const refused = await web.post("/settings/language", { locale: "fr" });
      assert.equal(refused.status, 503);
      assert.match(refused.html, /<html lang="de" dir="ltr">/);
      assert.match(refused.html, /<h1>Wegen Wartung nur lesbar<\/h1><p>Pinhole ist wegen Wartung nur lesbar: /);
      assert.match(refused.html, /action="\/logout"/, "the member is shown logged in");
      // Accept-Language asks for Japanese; the member's saved German beats it, as on every page.
      const page = await fetch(`${server.url}/settings/language`, { method: "POST", headers: { accept: "text/html", "accept-language": "ja", cookie: `pinhole_session=${web.cookie("pinhole_session")}; pinhole_csrf=${web.cookie("pinhole_csrf")}`, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ locale: "fr", _csrf: web.csrf }) });
      assert.equal(page.status, 503);
      assert.match(await page.text(), /<html lang="de" dir="ltr">/);

      const english = CATALOGS.en["maintenance.standardMessage"];
      const byToken = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: member.token, json: { title: "x" }, headers: { "accept-language": "ja" } });
      assert.equal(byToken.status, 503);
      assert.deepEqual(byToken.body.error, { code: "read_only", message: english, localizedMessage: CATALOGS.de["maintenance.standardMessage"] });
      const byVisitor = await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { headers: { "accept-language": "ja" } });
      assert.equal(byVisitor.status, 503);
      assert.equal(byVisitor.body.error.localizedMessage, CATALOGS.ja["maintenance.standardMessage"], "a visitor's by Accept-Language");
    } finally {
      assert.equal((await api(server, "PUT", "/api/v1/maintenance", { token: admin.token, json: { enabled: false } })).status, 200);
    }
  });
});

test("pinhole maintenance with anything but on or off prints the usage and changes nothing", async () => {
  const failed = await pinhole(["maintenance", "sideways"]).catch((error: { code: number; stderr: string }) => error);
  assert.equal((failed as { code: number }).code, 1);
  assert.match((failed as { stderr: string }).stderr, /pinhole maintenance on\|off \[--message TEXT\][\s\S]*usage: pinhole/);
  assert.equal((await api(server, "GET", "/api/v1/maintenance")).body.enabled, false);
});
