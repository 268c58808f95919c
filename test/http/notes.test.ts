import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const rect = { x: 0.1, y: 0.2, width: 0.3, height: 0.25 };
const addNote = (member: Member | null, photoId: string, body: Record<string, unknown> = { ...rect, text: "a bird" }) =>
  api(server, "POST", `/api/v1/photos/${photoId}/notes`, { token: member?.token, json: body });
const setPermission = (member: Member, permission: string) => api(server, "PUT", "/api/v1/me/settings/notes", { token: member.token, json: { permission } });

test("the owner adds a note and everyone who sees the photo sees it; anonymous writes are 401, invisible photos 404", async () => {
  const owner = await buildMember(server);
  const stranger = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "public" });
  const created = await addNote(owner, photo.id);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual({ x: created.body.x, y: created.body.y, width: created.body.width, height: created.body.height, text: created.body.text }, { ...rect, text: "a bird" });
  assert.equal(created.body.author.username, owner.username);

  const anonymousList = await api(server, "GET", `/api/v1/photos/${photo.id}/notes`);
  assert.equal(anonymousList.status, 200);
  assert.equal(anonymousList.body.notes.length, 1);
  assert.equal(anonymousList.body.canAdd, false);
  assert.equal(anonymousList.body.notes[0].canEdit, false);
  assert.equal((await addNote(null, photo.id)).status, 401, "anonymous cannot add a note");

  const secret = await buildDistinctPhoto(server, owner, { visibility: "private" });
  assert.equal((await addNote(owner, secret.id)).status, 201, "the owner notes their private photo");
  assert.equal((await api(server, "GET", `/api/v1/photos/${secret.id}/notes`, { token: stranger.token })).status, 404, "a private photo's notes are not found");
  assert.equal((await api(server, "GET", `/api/v1/photos/${secret.id}/notes`)).status, 404);
  assert.equal((await addNote(stranger, secret.id)).status, 404, "adding to an invisible photo is 404, not 403");
  assert.equal((await api(server, "GET", "/api/v1/photos/999999999/notes")).status, 404);
});

test("who may add notes follows the owner's setting: owner, contacts, friends (or family), everyone; never a blocked member", async () => {
  const owner = await buildMember(server);
  const contact = await buildMember(server);
  const friend = await buildMember(server);
  const family = await buildMember(server);
  const stranger = await buildMember(server);
  const photo = await buildPhoto(server, owner);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${contact.username}`, { token: owner.token, json: {} })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${family.username}`, { token: owner.token, json: { family: true } })).status, 201);
  // The stranger following the owner does not make them the owner's contact.
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: stranger.token, json: {} })).status, 201);

  const allowed = async () => {
    const out: Record<string, number> = {};
    for (const [name, member] of Object.entries({ contact, friend, family, stranger })) out[name] = (await addNote(member, photo.id)).status;
    return out;
  };
  assert.equal((await api(server, "GET", "/api/v1/me/settings/notes", { token: owner.token })).body.permission, "contacts", "the default is contacts");
  assert.deepEqual(await allowed(), { contact: 201, friend: 201, family: 201, stranger: 403 });

  assert.equal((await setPermission(owner, "friends")).status, 200);
  assert.deepEqual(await allowed(), { contact: 403, friend: 201, family: 201, stranger: 403 });

  assert.equal((await setPermission(owner, "owner")).status, 200);
  assert.deepEqual(await allowed(), { contact: 403, friend: 403, family: 403, stranger: 403 });
  assert.equal((await addNote(owner, photo.id)).status, 201, "the owner always may");

  assert.equal((await setPermission(owner, "everyone")).status, 200);
  assert.deepEqual(await allowed(), { contact: 201, friend: 201, family: 201, stranger: 201 });
  const list = await api(server, "GET", `/api/v1/photos/${photo.id}/notes`, { token: stranger.token });
  assert.equal(list.body.canAdd, true);

  assert.equal((await api(server, "PUT", `/api/v1/blocks/${stranger.username}`, { token: owner.token })).status, 204);
  assert.equal((await addNote(stranger, photo.id)).status, 403, "a blocked member cannot add notes even when everyone may");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}/notes`, { token: stranger.token })).body.canAdd, false);

  assert.equal((await setPermission(owner, "nobody")).status, 400, "an unknown setting is refused");
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/notes", { json: { permission: "everyone" } })).status, 401);
});

test("a note's rectangle must lie inside the image and have a size; its text 1 to 500 characters", async () => {
  const owner = await buildMember(server);
  const photo = await buildPhoto(server, owner);
  const bad: Array<[string, Record<string, unknown>]> = [
    ["past the right edge", { x: 0.8, y: 0.1, width: 0.3, height: 0.1, text: "t" }],
    ["past the bottom edge", { x: 0.1, y: 0.95, width: 0.1, height: 0.1, text: "t" }],
    ["no width", { x: 0.1, y: 0.1, width: 0, height: 0.1, text: "t" }],
    ["no height", { x: 0.1, y: 0.1, width: 0.1, height: 0, text: "t" }],
    ["negative", { x: -0.1, y: 0.1, width: 0.1, height: 0.1, text: "t" }],
    ["starting at the edge", { x: 1, y: 0.1, width: 0.1, height: 0.1, text: "t" }],
    ["above 1", { x: 0.1, y: 0.1, width: 1.5, height: 0.1, text: "t" }],
    ["not a number", { x: "left", y: 0.1, width: 0.1, height: 0.1, text: "t" }],
    ["missing", { x: 0.1, y: 0.1, width: 0.1, text: "t" }],
    ["empty text", { ...rect, text: "" }],
    ["blank text", { ...rect, text: "   \n " }],
    ["501 characters", { ...rect, text: "é".repeat(501) }],
    ["an unknown field", { ...rect, text: "t", colour: "red" }],
  ];
  for (const [why, body] of bad) {
    const answer = await addNote(owner, photo.id, body);
    assert.equal(answer.status, 400, `${why}: ${JSON.stringify(answer.body)}`);
  }
  const whole = await addNote(owner, photo.id, { x: 0, y: 0, width: 1, height: 1, text: "é".repeat(500) });
  assert.equal(whole.status, 201, "the whole image and 500 characters are fine");
  const edge = await addNote(owner, photo.id, { x: 0.7, y: 0.7, width: 0.3, height: 0.3, text: "  corner  " });
  assert.equal(edge.status, 201, "0.7 + 0.3 reaches the edge exactly despite floating point");
  assert.equal(edge.body.text, "corner", "text is trimmed");
});

test("a refused rectangle says why in the caller's language (localizedMessage), its message staying English", async () => {
  const owner = await buildMember(server);
  const photo = await buildPhoto(server, owner);
  const cases: Array<[string, Record<string, unknown>]> = [
    ["errors.note.startInside", { x: 1, y: 0.1, width: 0.1, height: 0.1, text: "t" }],
    ["errors.note.size", { x: 0.1, y: 0.1, width: 0, height: 0.1, text: "t" }],
    ["errors.note.endInside", { x: 0.8, y: 0.1, width: 0.3, height: 0.1, text: "t" }],
  ];
  for (const [key, body] of cases) {
    const answer = await api(server, "POST", `/api/v1/photos/${photo.id}/notes`, { token: owner.token, json: body, headers: { "accept-language": "ja" } });
    assert.equal(answer.status, 400, key);
    assert.equal(answer.body.error.message, CATALOGS.en[key as keyof typeof CATALOGS.en]);
    assert.equal(answer.body.error.localizedMessage, CATALOGS.ja[key as keyof typeof CATALOGS.ja]);
  }
  assert.match(CATALOGS.ja["errors.note.endInside"], /^メモは画像の内側で終わる/);
});

test("a note is changed or deleted by its author or the photo's owner only", async () => {
  const owner = await buildMember(server);
  const author = await buildMember(server);
  const other = await buildMember(server);
  const photo = await buildPhoto(server, owner);
  assert.equal((await setPermission(owner, "everyone")).status, 200);
  const note = (await addNote(author, photo.id)).body;
  assert.equal(note.canEdit, true);

  const patch = (member: Member | null, body: Record<string, unknown>, id = note.id) => api(server, "PATCH", `/api/v1/notes/${id}`, { token: member?.token, json: body });
  assert.equal((await patch(null, { x: 0.5 })).status, 401);
  assert.equal((await patch(other, { x: 0.5 })).status, 403, "another member cannot move it");
  assert.equal((await api(server, "DELETE", `/api/v1/notes/${note.id}`, { token: other.token })).status, 403, "nor delete it");

  const moved = await patch(author, { x: 0.5, y: 0.6 });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.deepEqual([moved.body.x, moved.body.y, moved.body.width, moved.body.height, moved.body.text], [0.5, 0.6, rect.width, rect.height, "a bird"]);
  assert.equal((await patch(author, { x: 0.9 })).status, 400, "a move may not push it out of the image");
  assert.equal((await patch(author, { text: "" })).status, 400);

  const byOwner = await patch(owner, { text: "a heron, in fact" });
  assert.equal(byOwner.status, 200, "the photo's owner may change others' notes");
  assert.equal(byOwner.body.text, "a heron, in fact");
  assert.equal((await patch(author, {}, "999999999")).status, 404);

  // The photo turns private: its notes vanish with it, for their author too.
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "private" } })).status, 200);
  assert.equal((await patch(author, { x: 0.1 })).status, 404);
  assert.equal((await api(server, "DELETE", `/api/v1/notes/${note.id}`, { token: author.token })).status, 404);
  assert.equal((await api(server, "DELETE", `/api/v1/notes/${note.id}`, { token: owner.token })).status, 204, "the owner deletes it");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}/notes`, { token: owner.token })).body.notes.length, 0);
});

test("the photo page draws notes as focusable rectangles and offers drawing only to those allowed", async () => {
  const owner = await buildMember(server);
  const visitor = await buildMember(server);
  const photo = await buildPhoto(server, owner);
  await addNote(owner, photo.id, { ...rect, text: "<b>not markup</b>" });
  const pagePath = `/photos/${owner.username}/${photo.id}`;

  const anonymous = await (await fetch(server.url + pagePath)).text();
  assert.match(anonymous, /<div class="notes" id="notes" role="group" data-photo-id="\d+" aria-label/);
  assert.match(anonymous, /class="note" tabindex="0" data-note-id="\d+" data-x="0.1" data-y="0.2" data-width="0.3" data-height="0.25">/);
  assert.match(anonymous, /&lt;b&gt;not markup&lt;\/b&gt;/, "note text is escaped");
  assert.match(anonymous, /<script src="\/static\/notes\.[0-9a-f]+\.js" defer>/);
  assert.doesNotMatch(anonymous, /data-can-add/);

  const web = new WebClient(server);
  await web.logIn(visitor);
  assert.doesNotMatch((await web.get(pagePath)).html, /data-can-add/, "a stranger may not add (default: contacts)");
  await api(server, "PUT", `/api/v1/contacts/${visitor.username}`, { token: owner.token, json: {} });
  const allowed = await web.get(pagePath);
  assert.match(allowed.html, /data-can-add="1"/);
  assert.match(allowed.html, /id="notes-help"/);

  // The script's write: JSON with the CSRF header and the session cookie.
  const headers = { cookie: `pinhole_session=${web.cookie("pinhole_session")}; pinhole_csrf=${web.cookie("pinhole_csrf")}`, "content-type": "application/json" };
  const body = JSON.stringify({ ...rect, text: "from the page" });
  const withoutToken = await fetch(`${server.url}/api/v1/photos/${photo.id}/notes`, { method: "POST", headers, body });
  assert.equal(withoutToken.status, 403, "a cookie write without the CSRF token is refused");
  const withToken = await fetch(`${server.url}/api/v1/photos/${photo.id}/notes`, { method: "POST", headers: { ...headers, "x-csrf-token": web.csrf }, body });
  assert.equal(withToken.status, 201);

  const empty = await buildDistinctPhoto(server, owner);
  const plain = await (await fetch(`${server.url}/photos/${owner.username}/${empty.id}`)).text();
  assert.doesNotMatch(plain, /id="notes"/, "no overlay and no script for a visitor when there are no notes");
  assert.doesNotMatch(plain, /notes\.[0-9a-f]+\.js/);
});

test("the OpenAPI description lists the notes, settings, activity and Explore routes", async () => {
  const spec = await api(server, "GET", "/api/v1/openapi.json");
  assert.equal(spec.status, 200);
  const paths = spec.body.paths;
  for (const [path, method] of [
    ["/api/v1/photos/{id}/notes", "get"],
    ["/api/v1/photos/{id}/notes", "post"],
    ["/api/v1/notes/{id}", "patch"],
    ["/api/v1/notes/{id}", "delete"],
    ["/api/v1/me/settings/notes", "put"],
    ["/api/v1/activity", "get"],
    ["/api/v1/explore", "get"],
  ] as const) {
    assert.ok(paths[path]?.[method], `${method} ${path} is described`);
    assert.ok(paths[path][method].tags?.length, `${method} ${path} is tagged`);
  }
  assert.equal(paths["/explore"], undefined, "pages are not part of the API");
});

test("deleting a photo takes its notes with it, and the owner is told of notes others add", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  await setPermission(owner, "everyone");
  const note = (await addNote(other, photo.id)).body;
  await addNote(owner, photo.id);
  const notifications = await server.context.database.db
    .selectFrom("notifications")
    .innerJoin("users", "users.id", "notifications.user_id")
    .select(["notifications.kind", "notifications.photo_id"])
    .where("users.username", "=", owner.username)
    .execute();
  assert.deepEqual(notifications.map((n) => [n.kind, String(n.photo_id)]), [["note", photo.id]], "one notification, for the other member's note only");

  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: owner.token })).status, 204);
  assert.equal((await api(server, "PATCH", `/api/v1/notes/${note.id}`, { token: other.token, json: { x: 0.2 } })).status, 404);
  const left = await server.context.database.db.selectFrom("notes").select("id").where("photo_id", "=", Number(photo.id)).execute();
  assert.deepEqual(left, []);
});

test("the settings page sets who may add notes with a plain form that needs the CSRF token", async () => {
  const owner = await buildMember(server);
  const web = new WebClient(server);
  await web.logIn(owner);
  assert.match((await web.get("/settings")).html, /href="\/settings\/notes"/);
  const form = await web.get("/settings/notes");
  assert.equal(form.status, 200);
  assert.match(form.html, /value="contacts" checked/);
  assert.equal((await web.post("/settings/notes", { permission: "friends" }, { withCsrf: false })).status, 403);
  const saved = await web.post("/settings/notes", { permission: "friends" });
  assert.equal(saved.status, 303);
  assert.equal(saved.location, "/settings/notes?saved=1");
  assert.match((await web.get("/settings/notes?saved=1")).html, /value="friends" checked/);
  assert.equal((await api(server, "GET", "/api/v1/me/settings/notes", { token: owner.token })).body.permission, "friends");
  assert.equal((await web.post("/settings/notes", { permission: "anyone" })).status, 400);
  assert.notEqual((await fetch(`${server.url}/settings/notes`, { redirect: "manual" })).status, 200, "members only");

  const photo = await buildDistinctPhoto(server, owner);
  assert.match((await web.get(`/photos/${owner.username}/${photo.id}`)).html, /Choose who may add notes to your photos/, "the owner finds the setting from the photo page");
});
