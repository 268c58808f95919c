import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

test("faves, comments and new contacts are recorded for the owner, listed newest first, never for oneself", async () => {
  const owner = await buildMember(server);
  const alice = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Sunset" });

  await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: owner.token });
  await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: owner.token, json: { text: "my own" } });
  let list = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.notifications, [], "nobody is told about their own fave or comment");

  await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: alice.token });
  await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: alice.token, json: { text: "lovely" } });
  await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: alice.token, json: {} });
  list = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  assert.deepEqual(list.body.notifications.map((n: { kind: string }) => n.kind), ["contact", "comment", "fave"]);
  const [contact, comment, fave] = list.body.notifications;
  assert.deepEqual(fave.actor, { username: alice.username });
  assert.deepEqual(fave.photo, { id: photo.id, title: "Sunset", pageUrl: photo.pageUrl });
  assert.equal(fave.read, false);
  assert.equal(fave.groupId, null);
  assert.equal(comment.photo.id, photo.id);
  assert.equal(contact.photo, null);
  assert.equal(list.body.unread, 3);
  assert.equal((await api(server, "GET", "/api/v1/notifications", { token: alice.token })).body.notifications.length, 0, "the actor is not told");
  assert.equal((await api(server, "GET", "/api/v1/notifications")).status, 401);
});

test("the notifications page reads as sentences with links, marks them read, and the nav shows the unread count", async () => {
  const owner = await buildMember(server);
  const alice = await buildMember(server);
  const photo = await buildPhoto(server, owner, { title: "Sunset <b>" }, corpusFile("photos/grayscale.jpg"));
  await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: alice.token });
  await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: alice.token, json: { text: "wow" } });

  const web = new WebClient(server);
  await web.logIn(owner);
  const home = await web.get("/");
  assert.match(home.html, /<a href="\/notifications" id="nav-notifications">Notifications <span class="badge" id="unread-count"[^>]*>2<\/span><\/a>/);

  const page = await web.get("/notifications");
  assert.equal(page.status, 200);
  const text = page.html.replace(/<[^>]+>/g, "");
  assert.match(text, new RegExp(`${alice.username} faved your photo Sunset &lt;b&gt;`));
  assert.match(text, new RegExp(`${alice.username} commented on your photo Sunset &lt;b&gt;`));
  assert.ok(page.html.includes(`<a href="/photos/${owner.username}/${photo.id}">Sunset &lt;b&gt;</a>`));
  assert.ok(page.html.includes(`<a href="/photos/${alice.username}">${alice.username}</a>`));
  assert.match(page.html, /class="unread"/, "the page still shows which were new");

  const after = await web.get("/");
  assert.doesNotMatch(after.html, /id="unread-count"/, "viewing the page marked them read");
  const json = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  assert.equal(json.body.unread, 0);
  assert.ok(json.body.notifications.every((n: { read: boolean }) => n.read));

  assert.equal((await new WebClient(server).get("/notifications")).status, 401, "visitors must log in");
});

test("notifications page by 50, newest first", async () => {
  const owner = await buildMember(server);
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/forest-path.jpg"));
  const fans = [];
  for (let i = 0; i < 51; i++) {
    const fan = await buildMember(server);
    fans.push(fan);
    await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: fan.token });
  }
  const first = await api(server, "GET", "/api/v1/notifications", { token: owner.token });
  assert.equal(first.body.notifications.length, 50);
  assert.equal(first.body.nextPage, 2);
  assert.equal(first.body.notifications[0].actor.username, fans[50]!.username);
  const second = await api(server, "GET", "/api/v1/notifications?page=2", { token: owner.token });
  assert.deepEqual(second.body.notifications.map((n: { actor: { username: string } }) => n.actor.username), [fans[0]!.username]);
  assert.equal(second.body.nextPage, null);

  const web = new WebClient(server);
  await web.logIn(owner);
  const page = await web.get("/notifications");
  assert.match(page.html, /href="\/notifications\?page=2"/);
  assert.equal((await web.get("/notifications?page=2")).status, 200);
});

test("notifications about a photo the member can no longer see do not reveal it", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const alice = await buildMember(server);
  // The friend is told about a photo of the owner's (a group addition, say): the kind that names another's photo.
  const photo = await buildPhoto(server, owner, { title: "Only friends", visibility: "friends" }, corpusFile("photos/china-roof.jpg"));
  await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } });
  await server.context.notifier.notify({ userId: await idOf(friend.username), kind: "group_add", actorId: await idOf(alice.username), photoId: Number(photo.id) });
  const seen = await api(server, "GET", "/api/v1/notifications", { token: friend.token });
  const about = seen.body.notifications.filter((n: { kind: string }) => n.kind === "group_add");
  assert.equal(about.length, 1);
  assert.equal(about[0].photo.title, "Only friends");

  // The owner no longer counts them a friend: the notification goes with the photo.
  await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: false } });
  const after = await api(server, "GET", "/api/v1/notifications", { token: friend.token });
  assert.equal(after.body.notifications.filter((n: { kind: string }) => n.kind === "group_add").length, 0);
  const web = new WebClient(server);
  await web.logIn(friend);
  const page = await web.get("/notifications");
  assert.doesNotMatch(page.html, /Only friends/);

  // Friends again, but a moderator hid the photo: still not revealed.
  await server.context.database.db.updateTable("photos").set({ hidden_at: Date.now() }).where("id", "=", Number(photo.id)).execute();
  await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } });
  const hidden = await api(server, "GET", "/api/v1/notifications", { token: friend.token });
  assert.equal(hidden.body.notifications.filter((n: { photo: unknown }) => n.photo !== null).length, 0, "a hidden photo is not revealed even to a friend");
});

async function idOf(username: string): Promise<number> {
  const row = await server.context.database.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow();
  return row.id;
}
