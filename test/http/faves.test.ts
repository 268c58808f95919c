import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const countOf = async (id: string) => {
  const row = await server.context.database.db.selectFrom("photos").select("fave_count").where("id", "=", Number(id)).executeTakeFirstOrThrow();
  return row.fave_count;
};

test("faving is idempotent both ways and keeps photos.fave_count", async () => {
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Sunset" });

  const first = await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body, { faved: true, faveCount: 1 });
  const again = await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  assert.deepEqual(again.body, { faved: true, faveCount: 1 }, "a second fave changes nothing");
  assert.equal(await countOf(photo.id), 1);

  const gone = await api(server, "DELETE", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  assert.deepEqual(gone.body, { faved: false, faveCount: 0 });
  const goneAgain = await api(server, "DELETE", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  assert.equal(goneAgain.status, 200);
  assert.deepEqual(goneAgain.body, { faved: false, faveCount: 0 }, "unfaving twice does not go below zero");
  assert.equal(await countOf(photo.id), 0);
});

test("faves are refused to anonymous callers (401), hidden from those who cannot see the photo (404) and to blocked members (403)", async () => {
  const owner = await buildMember(server);
  const stranger = await buildMember(server);
  const blocked = await buildMember(server);
  const privatePhoto = await buildPhoto(server, owner, { visibility: "private" }, corpusFile("photos/grayscale.jpg"));
  const open = await buildPhoto(server, owner, { visibility: "public" });

  assert.equal((await api(server, "PUT", `/api/v1/photos/${open.id}/fave`)).status, 401);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${open.id}/fave`)).status, 401);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${privatePhoto.id}/fave`, { token: stranger.token })).status, 404);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${privatePhoto.id}/fave`, { token: stranger.token })).status, 404);
  assert.equal((await api(server, "GET", `/api/v1/photos/${privatePhoto.id}/faves`, { token: stranger.token })).status, 404);
  assert.equal((await api(server, "GET", `/api/v1/photos/${privatePhoto.id}/faves`)).status, 404);
  assert.equal((await api(server, "PUT", `/api/v1/photos/99999999999/fave`, { token: stranger.token })).status, 404, "a photo that does not exist answers the same");

  assert.equal((await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token })).status, 204);
  const refused = await api(server, "PUT", `/api/v1/photos/${open.id}/fave`, { token: blocked.token });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /blocked you/);
  assert.equal(await countOf(open.id), 0);

  // A moderator hides the photo: it is gone for everyone but its owner.
  await server.context.database.db.updateTable("photos").set({ hidden_at: Date.now() }).where("id", "=", Number(open.id)).execute();
  assert.equal((await api(server, "PUT", `/api/v1/photos/${open.id}/fave`, { token: stranger.token })).status, 404);
});

test("who faved a photo: newest first, paged by 50", async () => {
  const owner = await buildMember(server);
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/forest-path.jpg"));
  const fans = [];
  for (let i = 0; i < 52; i++) fans.push(await buildMember(server));
  for (const fan of fans) assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token })).status, 200);

  const first = await api(server, "GET", `/api/v1/photos/${photo.id}/faves`);
  assert.equal(first.status, 200);
  assert.equal(first.body.faveCount, 52);
  assert.equal(first.body.faves.length, 50);
  assert.equal(first.body.nextPage, 2);
  assert.equal(first.body.faves[0].username, fans[51]!.username, "the newest fave comes first");
  const second = await api(server, "GET", `/api/v1/photos/${photo.id}/faves?page=2`);
  assert.deepEqual(second.body.faves.map((f: { username: string }) => f.username), [fans[1]!.username, fans[0]!.username]);
  assert.equal(second.body.nextPage, null);
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}/faves?page=0`)).status, 400);

  // The photo page names the first 20 and counts the rest.
  const web = new WebClient(server);
  const page = await web.get(`/photos/${owner.username}/${photo.id}`);
  assert.match(page.html, /52 faves/);
  assert.match(page.html, /and 32 more/);
  assert.ok(page.html.includes(fans[51]!.username) && !page.html.includes(`>${fans[0]!.username}<`), "the newest 20 are named, not the oldest");
});

test("a member's faves list only the photos the viewer may see, newest fave first", async () => {
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const outsider = await buildMember(server);
  const a = await buildPhoto(server, owner, { title: "first faved" }, corpusFile("photos/china-roof.jpg"));
  const secret = await buildPhoto(server, owner, { title: "for friends", visibility: "friends" }, corpusFile("photos/fallen-leaf.jpg"));
  const b = await buildPhoto(server, owner, { title: "last faved" }, corpusFile("photos/evening-boats.jpg"));
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${fan.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  for (const p of [a, secret, b]) assert.equal((await api(server, "PUT", `/api/v1/photos/${p.id}/fave`, { token: fan.token })).status, 200);

  const own = await api(server, "GET", `/api/v1/users/${fan.username}/faves`, { token: fan.token });
  assert.deepEqual(own.body.photos.map((p: { id: string }) => p.id), [b.id, secret.id, a.id]);
  const seen = await api(server, "GET", `/api/v1/users/${fan.username}/faves`, { token: outsider.token });
  assert.deepEqual(seen.body.photos.map((p: { id: string }) => p.id), [b.id, a.id], "the friends-only photo is not revealed");
  const anonymous = await api(server, "GET", `/api/v1/users/${fan.username}/faves`);
  assert.deepEqual(anonymous.body.photos.map((p: { id: string }) => p.id), [b.id, a.id]);
  assert.equal((await api(server, "GET", "/api/v1/users/nobody-here/faves")).status, 404);

  const web = new WebClient(server);
  const page = await web.get(`/photos/${fan.username}/favorites`);
  assert.equal(page.status, 200);
  assert.ok(page.html.includes(`/photos/${owner.username}/${a.id}`) && !page.html.includes(`/photos/${owner.username}/${secret.id}`));
});

test("the Fave button works without JavaScript, with the CSRF token, and tells the owner once", async () => {
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Sunset" }, corpusFile("photos/sunset-patagonia.jpg"));
  const web = new WebClient(server);
  await web.logIn(fan);
  const pagePath = `/photos/${owner.username}/${photo.id}`;
  let page = await web.get(pagePath);
  assert.match(page.html, /0 faves/);
  assert.match(page.html, new RegExp(`action="${pagePath}/fave"`));

  const forged = await web.post(`${pagePath}/fave`, {}, { withCsrf: false });
  assert.equal(forged.status, 403, "a form without the CSRF token is refused");
  const faved = await web.post(`${pagePath}/fave`, {});
  assert.equal(faved.status, 303);
  assert.equal(faved.location, `${pagePath}#faves`);
  page = await web.get(pagePath);
  assert.match(page.html, /1 fave\b/);
  assert.match(page.html, new RegExp(`action="${pagePath}/unfave"`));
  assert.ok(page.html.includes(`>${fan.username}</a>`));
  await web.post(`${pagePath}/fave`, {});

  const notes = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  const faves = notes.body.notifications.filter((n: { kind: string }) => n.kind === "fave");
  assert.equal(faves.length, 1, "faving twice notifies once");
  assert.equal(faves[0].actor.username, fan.username);
  assert.equal(faves[0].photo.id, photo.id);

  assert.equal((await web.post(`${pagePath}/unfave`, {})).status, 303);
  assert.match((await web.get(pagePath)).html, /0 faves/);
  assert.equal((await web.post(`${pagePath}/fave`, {})).status, 303);
  const again = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  assert.equal(again.body.notifications.filter((n: { kind: string }) => n.kind === "fave").length, 1, "a fave taken back and given again is not told twice");
  assert.equal((await web.post(`${pagePath}/unfave`, {})).status, 303);
  assert.equal((await new WebClient(server).post(`${pagePath}/fave`, {}, { withCsrf: false })).status, 401, "a visitor must log in");
});
