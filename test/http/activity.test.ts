import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { ActivityRepository } from "../../src/activity/repository.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const idOf = async (member: Member) => (await server.context.database.db.selectFrom("users").select("id").where("username", "=", member.username).executeTakeFirstOrThrow()).id;
const contact = async (owner: Member, other: Member, flags: { friend?: boolean } = {}) =>
  assert.ok([200, 201].includes((await api(server, "PUT", `/api/v1/contacts/${other.username}`, { token: owner.token, json: flags })).status));
const activity = async (member: Member, query = "") => {
  const answer = await api(server, "GET", `/api/v1/activity${query}`, { token: member.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
};

test("recent photos from contacts: only the viewer's contacts, only photos the viewer may see, newest first, none from a blocked member", async () => {
  const viewer = await buildMember(server);
  const alice = await buildMember(server);
  const bob = await buildMember(server);
  const stranger = await buildMember(server);
  await contact(viewer, alice);
  await contact(viewer, bob);
  await contact(alice, viewer, { friend: true });

  await buildDistinctPhoto(server, alice, { title: "alice public" });
  await buildDistinctPhoto(server, alice, { title: "alice friends", visibility: "friends" });
  await buildDistinctPhoto(server, alice, { title: "alice private", visibility: "private" });
  await buildDistinctPhoto(server, alice, { title: "alice family", visibility: "family" });
  await buildDistinctPhoto(server, bob, { title: "bob public" });
  await buildDistinctPhoto(server, bob, { title: "bob friends", visibility: "friends" });
  await buildDistinctPhoto(server, stranger, { title: "stranger public" });
  await buildDistinctPhoto(server, viewer, { title: "my own" });

  const titles = async () => (await activity(viewer)).contactPhotos.map((p: { title: string }) => p.title);
  assert.deepEqual(await titles(), ["bob public", "alice friends", "alice public"], "newest first; no private, family or friends photos the viewer is not a friend for");

  assert.equal((await api(server, "PUT", `/api/v1/blocks/${viewer.username}`, { token: bob.token })).status, 204);
  assert.deepEqual(await titles(), ["alice friends", "alice public"], "a member who blocked the viewer disappears");

  const paged = await activity(viewer, "?limit=1");
  assert.equal(paged.contactPhotos.length, 1);
  assert.equal(paged.nextPage, 2);
  const next = await activity(viewer, "?limit=1&page=2");
  assert.equal(next.contactPhotos[0].title, "alice public");
});

test("recent activity on the viewer's photos: faves, comments, notes and pool adds by others, newest first, nothing from blocked members", async () => {
  const viewer = await buildMember(server);
  const friend = await buildMember(server);
  const pest = await buildMember(server);
  const blocker = await buildMember(server);
  const other = await buildMember(server);
  const mine = await buildDistinctPhoto(server, viewer, { title: "my photo" });
  const theirs = await buildDistinctPhoto(server, other, { title: "not mine" });
  const [viewerId, friendId, pestId, blockerId, otherId] = await Promise.all([viewer, friend, pest, blocker, other].map(idOf));
  const db = server.context.database.db;
  const photoId = Number(mine.id);
  const t = Date.now() - 60 * 60_000;

  // Faves, comments and groups come from other branches' APIs: rows as they would leave them.
  await db.insertInto("faves").values([
    { photo_id: photoId, photo_owner_id: viewerId!, user_id: friendId!, created_at: t + 1000 },
    { photo_id: photoId, photo_owner_id: viewerId!, user_id: viewerId!, created_at: t + 2000 },
    { photo_id: photoId, photo_owner_id: viewerId!, user_id: pestId!, created_at: t + 3000 },
    { photo_id: photoId, photo_owner_id: viewerId!, user_id: blockerId!, created_at: t + 3500 },
    { photo_id: Number(theirs.id), photo_owner_id: otherId!, user_id: friendId!, created_at: t + 3600 },
  ]).execute();
  await db.insertInto("comments").values([
    { photo_id: photoId, photo_owner_id: viewerId!, author_id: friendId!, body: "lovely light", created_at: t + 4000, updated_at: t + 4000, hidden_at: null },
    { photo_id: photoId, photo_owner_id: viewerId!, author_id: otherId!, body: "spam", created_at: t + 5000, updated_at: t + 5000, hidden_at: t + 6000 },
    { photo_id: photoId, photo_owner_id: viewerId!, author_id: pestId!, body: "rude", created_at: t + 5500, updated_at: t + 5500, hidden_at: null },
  ]).execute();
  const group = await db.insertInto("groups").values({ slug: `birds-${photoId}`, name: "Birds", privacy: "public", created_by: otherId!, created_at: t }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("group_pool").values({ group_id: Number(group.id), photo_id: photoId, photo_owner_id: viewerId!, added_by: otherId!, added_at: t + 7000 }).execute();

  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: viewer.token, json: {} })).status, 201);
  assert.equal((await api(server, "POST", `/api/v1/photos/${mine.id}/notes`, { token: friend.token, json: { x: 0.1, y: 0.1, width: 0.2, height: 0.2, text: "a heron" } })).status, 201);
  assert.equal((await api(server, "POST", `/api/v1/photos/${mine.id}/notes`, { token: viewer.token, json: { x: 0.5, y: 0.5, width: 0.2, height: 0.2, text: "my own note" } })).status, 201);

  assert.equal((await api(server, "PUT", `/api/v1/blocks/${pest.username}`, { token: viewer.token })).status, 204);
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${viewer.username}`, { token: blocker.token })).status, 204);

  const events = (await activity(viewer)).onYourPhotos as Array<{ kind: string; actor: { username: string }; photo: { id: string; title: string }; group: { name: string } | null; text: string | null }>;
  assert.deepEqual(
    events.map((e) => [e.kind, e.actor.username, e.text ?? e.group?.name ?? null]),
    [
      ["note", friend.username, "a heron"],
      ["group_add", other.username, "Birds"],
      ["comment", friend.username, "lovely light"],
      ["fave", friend.username, null],
    ],
    "newest first; not the viewer's own acts, hidden comments, members the viewer blocked or who blocked the viewer, nor other people's photos",
  );
  assert.ok(events.every((e) => e.photo.id === mine.id && e.photo.title === "my photo"));

  // The friend sees nothing about the viewer's photo in their own activity.
  assert.deepEqual((await activity(friend)).onYourPhotos, []);

  const web = new WebClient(server);
  await web.logIn(viewer);
  const page = await web.get("/activity");
  assert.equal(page.status, 200);
  assert.match(page.html, /Recent photos from your contacts/);
  assert.match(page.html, /Recent activity on your photos/);
  assert.match(page.html, /added a note to <a href="[^"]+">my photo<\/a>: <q>a heron<\/q>/);
  assert.doesNotMatch(page.html, /rude|spam/);
});

test("activity on the viewer's photos pages through every source in one order, and rows a previous release wrote without the photo's owner show once filled", async () => {
  const viewer = await buildMember(server);
  const fans = await Promise.all([1, 2, 3, 4, 5].map(() => buildMember(server)));
  const photo = await buildDistinctPhoto(server, viewer, { title: "paged" });
  const db = server.context.database.db;
  const [viewerId, ...fanIds] = await Promise.all([viewer, ...fans].map(idOf));
  const photoId = Number(photo.id);
  const t = Date.now() - 60 * 60_000;
  // Interleaved in time: fave, comment, fave, comment, ... so every page mixes both sources.
  await db.insertInto("faves").values(fanIds.map((id, i) => ({ photo_id: photoId, photo_owner_id: viewerId!, user_id: id, created_at: t + i * 2000 }))).execute();
  await db.insertInto("comments").values(fanIds.map((id, i) => ({ photo_id: photoId, photo_owner_id: viewerId!, author_id: id, body: `comment ${i}`, created_at: t + i * 2000 + 1000, updated_at: t, hidden_at: null }))).execute();

  const seen: string[] = [];
  for (let page = 1; page <= 4; page++) {
    const body = await activity(viewer, `?limit=3&page=${page}`);
    seen.push(...body.onYourPhotos.map((e: { kind: string; at: string }) => `${e.kind}@${e.at}`));
    if (body.nextPage === null) break;
  }
  const expected = fanIds.flatMap((_, i) => [`fave@${new Date(t + i * 2000).toISOString()}`, `comment@${new Date(t + i * 2000 + 1000).toISOString()}`]).reverse();
  assert.deepEqual(seen, expected, "pages of 3 cover all ten events, newest first, none twice");

  // A row as a server of the release before migration 0005 inserts it: no photo_owner_id.
  const late = await buildMember(server);
  await db.insertInto("faves").values({ photo_id: photoId, user_id: (await idOf(late))!, created_at: t + 60_000 }).execute();
  assert.notEqual((await activity(viewer)).onYourPhotos[0].actor.username, late.username, "not found by owner until filled");
  assert.equal(await new ActivityRepository(db).fillPhotoOwners(), 1);
  assert.equal((await activity(viewer)).onYourPhotos[0].actor.username, late.username);
  assert.equal(await new ActivityRepository(db).fillPhotoOwners(), 0, "nothing left to fill");
});

test("activity is for members: anonymous callers get 401", async () => {
  assert.equal((await api(server, "GET", "/api/v1/activity")).status, 401);
  const page = await fetch(`${server.url}/activity`, { headers: { accept: "text/html" }, redirect: "manual" });
  assert.notEqual(page.status, 200);
  assert.ok([302, 303, 401].includes(page.status), String(page.status));
});
