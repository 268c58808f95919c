import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const original = (photo: { owner: { username: string }; id: string }, token?: string) =>
  fetch(`${server.url}/photos/${photo.owner.username}/${photo.id}/original`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const photoJson = async (id: string, member?: Member) => (await api(server, "GET", `/api/v1/photos/${id}`, { token: member?.token })).body;

test("a new photo is all rights reserved and only its owner may download the original, until the owner says otherwise", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const seenByOther = await photoJson(photo.id, other);
  assert.deepEqual(seenByOther.license, { id: "all-rights-reserved", name: "All rights reserved", url: null });
  assert.equal(seenByOther.downloadAllowed, false);
  assert.equal(seenByOther.originalUrl, null);
  assert.equal((await original(photo, other.token)).status, 403);
  assert.equal((await original(photo)).status, 403);
  const own = await original(photo, owner.token);
  assert.equal(own.status, 200);
  const bytes = Buffer.from(await own.arrayBuffer());

  const patched = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { license: "cc-by-sa-4.0", downloadAllowed: true } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.license.url, "https://creativecommons.org/licenses/by-sa/4.0/");
  const now = await photoJson(photo.id);
  assert.equal(now.license.id, "cc-by-sa-4.0");
  assert.ok(now.originalUrl, "anyone who sees it is offered the original");
  const anonymous = await original(photo);
  assert.equal(anonymous.status, 200);
  assert.deepEqual(Buffer.from(await anonymous.arrayBuffer()), bytes, "the original bytes, as uploaded");

  const page = await (await fetch(`${server.url}/photos/${owner.username}/${photo.id}`)).text();
  assert.match(page, /<a href="https:\/\/creativecommons.org\/licenses\/by-sa\/4.0\/" rel="license">Creative Commons Attribution-ShareAlike 4.0<\/a>/);
  assert.match(page, /id="download-original"/);

  // Downloads follow the photo's visibility: made private, the original is gone for others too.
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "private" } })).status, 200);
  assert.equal((await original(photo, other.token)).status, 404);
  assert.equal((await original(photo)).status, 404);
});

test("an unknown licence is refused with 400 and changes nothing", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { license: "cc-by-4.0" });
  assert.equal(photo.license.id, "cc-by-4.0", "the upload's own field");
  const refused = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { license: "cc-by-5.0", title: "changed" } });
  assert.equal(refused.status, 400);
  const after = await photoJson(photo.id, owner);
  assert.equal(after.license.id, "cc-by-4.0");
  assert.notEqual(after.title, "changed");
  const upload = await api(server, "PUT", "/api/v1/me/settings/photos", { token: owner.token, json: { license: "gpl", downloadAllowed: true } });
  assert.equal(upload.status, 400);
  assert.deepEqual((await api(server, "GET", "/api/v1/me/settings/photos", { token: owner.token })).body, { license: "all-rights-reserved", downloadAllowed: false, locationVisibility: "private" });
});

test("a member's defaults apply to new uploads only; an upload's own field wins", async () => {
  const owner = await buildMember(server);
  const before = await buildDistinctPhoto(server, owner);
  const saved = await api(server, "PUT", "/api/v1/me/settings/photos", { token: owner.token, json: { license: "cc0-1.0", downloadAllowed: true } });
  assert.deepEqual(saved.body, { license: "cc0-1.0", downloadAllowed: true, locationVisibility: "private" });
  const next = await buildDistinctPhoto(server, owner);
  assert.equal(next.license.id, "cc0-1.0");
  assert.equal(next.downloadAllowed, true);
  const chosen = await buildDistinctPhoto(server, owner, { license: "pdm-1.0", downloadAllowed: "false" });
  assert.equal(chosen.license.id, "pdm-1.0");
  assert.equal(chosen.downloadAllowed, false);
  assert.equal((await photoJson(before.id, owner)).license.id, "all-rights-reserved", "photos already uploaded keep theirs");
});

test("the licence and download choice through the pages: settings form and the photo's edit form", async () => {
  const owner = await buildMember(server);
  const web = new WebClient(server);
  await web.logIn(owner);
  const form = await web.get("/settings/photos");
  assert.equal(form.status, 200);
  assert.match(form.html, /<select id="license" name="license">/);
  const saved = await web.post("/settings/photos", { license: "cc-by-nc-4.0", downloadAllowed: "1" });
  assert.equal(saved.status, 303);
  assert.match((await web.get("/settings/photos")).html, /<option value="cc-by-nc-4.0" selected>/);

  const photo = await buildDistinctPhoto(server, owner);
  assert.equal(photo.license.id, "cc-by-nc-4.0");
  // The edit form always carries the box: leaving it unticked turns downloads off.
  const edited = await web.post(`/photos/${owner.username}/${photo.id}/edit`, { title: "edited", license: "cc-by-nd-4.0" });
  assert.equal(edited.status, 303);
  const now = await photoJson(photo.id, owner);
  assert.equal(now.license.id, "cc-by-nd-4.0");
  assert.equal(now.downloadAllowed, false);
  assert.equal((await web.post(`/photos/${owner.username}/${photo.id}/edit`, { license: "nonsense" })).status, 400);
});
