import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, WebClient } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

test("follow, mark as friend and family, and unfollow from a photostream without JavaScript", async () => {
  const me = await buildMember(server);
  const them = await buildMember(server);
  const web = new WebClient(server);
  await web.logIn(me);
  const stream = `/photos/${them.username}`;

  let page = await web.get(stream);
  assert.match(page.html, new RegExp(`<form method="post" action="/people/${them.username}/follow"[^>]*><input type="hidden" name="_csrf" value="[^"]+"><button type="submit" id="follow-button">Follow</button>`));
  assert.doesNotMatch(page.html, /name="friend"/, "no friend/family boxes before following");

  assert.equal((await web.post(`/people/${them.username}/follow`, {}, { withCsrf: false })).status, 403, "the CSRF token is required");
  const followed = await web.post(`/people/${them.username}/follow`, {});
  assert.equal(followed.status, 303);
  assert.equal(followed.location, stream);
  page = await web.get(stream);
  assert.match(page.html, /id="follow-button">Unfollow</);
  assert.match(page.html, /<input type="checkbox" name="friend" value="on"> Friend/);

  assert.equal((await web.post(`/people/${them.username}/contact`, { friend: "on", family: "on" })).status, 303);
  assert.deepEqual((await api(server, "GET", "/api/v1/contacts", { token: me.token })).body.contacts, [{ username: them.username, friend: true, family: true }]);
  page = await web.get(stream);
  assert.match(page.html, /name="friend" value="on" checked/);
  assert.equal((await web.post(`/people/${them.username}/contact`, { family: "on" })).status, 303, "an unchecked box is sent as nothing");
  assert.deepEqual((await api(server, "GET", "/api/v1/contacts", { token: me.token })).body.contacts, [{ username: them.username, friend: false, family: true }]);

  const notes = await api(server, "GET", "/api/v1/notifications", { token: them.token });
  assert.deepEqual(notes.body.notifications.map((n: { kind: string; actor: { username: string } }) => [n.kind, n.actor.username]), [["contact", me.username]], "they are told once");

  assert.equal((await web.post(`/people/${them.username}/unfollow`, {})).status, 303);
  assert.deepEqual((await api(server, "GET", "/api/v1/contacts", { token: me.token })).body.contacts, []);
  assert.match((await web.get(stream)).html, /id="follow-button">Follow</);
});

test("the contacts page lists whom the member follows, for the member only", async () => {
  const me = await buildMember(server);
  const other = await buildMember(server);
  const a = await buildMember(server);
  await api(server, "PUT", `/api/v1/contacts/${a.username}`, { token: me.token, json: { friend: true } });
  const web = new WebClient(server);
  assert.equal((await web.get(`/people/${me.username}/contacts`)).status, 401, "visitors log in first");
  await web.logIn(me);
  const page = await web.get(`/people/${me.username}/contacts`);
  assert.equal(page.status, 200);
  assert.match(page.html, new RegExp(`<a href="/photos/${a.username}">${a.username}</a> <span class="badge">friend</span>`));
  assert.equal((await web.get(`/people/${other.username}/contacts`)).status, 403, "another member's contacts are theirs");
  assert.match((await web.get(`/photos/${me.username}`)).html, new RegExp(`href="/people/${me.username}/contacts"`), "linked from one's own photostream");
});

test("block and unblock from a member's page; a blocked member cannot follow, fave or comment", async () => {
  const me = await buildMember(server);
  const pest = await buildMember(server);
  const photo = await buildPhoto(server, me, { title: "mine" });
  await api(server, "PUT", `/api/v1/contacts/${me.username}`, { token: pest.token, json: {} });
  const web = new WebClient(server);
  await web.logIn(me);
  let page = await web.get(`/photos/${pest.username}`);
  assert.match(page.html, /id="block-button" class="link">Block</);
  assert.equal((await web.post(`/people/${pest.username}/block`, {}, { withCsrf: false })).status, 403);
  assert.equal((await web.post(`/people/${pest.username}/block`, {})).status, 303);
  page = await web.get(`/photos/${pest.username}`);
  assert.match(page.html, /id="block-button" class="link">Unblock</);
  assert.doesNotMatch(page.html, /id="follow-button"/, "no follow while blocking");

  assert.equal((await api(server, "GET", "/api/v1/contacts", { token: pest.token })).body.contacts.length, 0, "blocking ended their contact");
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${me.username}`, { token: pest.token, json: {} })).status, 403);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: pest.token })).status, 403);
  assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: pest.token, json: { text: "hi" } })).status, 403);

  const pestWeb = new WebClient(server);
  await pestWeb.logIn(pest);
  await pestWeb.get(`/photos/${me.username}/${photo.id}`);
  const refused = await pestWeb.post(`/photos/${me.username}/${photo.id}/fave`, {});
  assert.equal(refused.status, 403);
  assert.match(refused.html, /blocked you/);

  assert.equal((await web.post(`/people/${pest.username}/unblock`, {})).status, 303);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: pest.token })).status, 200);
});

test("contact forms refuse visitors, oneself and unknown members", async () => {
  const me = await buildMember(server);
  const visitor = new WebClient(server);
  await visitor.get("/");
  for (const action of ["follow", "unfollow", "contact", "block", "unblock"]) {
    assert.equal((await visitor.post(`/people/${me.username}/${action}`, {}, { withCsrf: false })).status, 401, action);
  }
  const web = new WebClient(server);
  await web.logIn(me);
  await web.get(`/photos/${me.username}`);
  assert.equal((await web.post(`/people/${me.username}/follow`, {})).status, 400);
  assert.equal((await web.post(`/people/${me.username}/block`, {})).status, 400);
  assert.equal((await web.post("/people/nobody-here/follow", {})).status, 404);
  const anonymousStream = await new WebClient(server).get(`/photos/${me.username}`);
  assert.doesNotMatch(anonymousStream.html, /id="follow-button"|id="block-button"/, "visitors see no buttons");
  assert.match(anonymousStream.html, new RegExp(`href="/photos/${me.username}/favorites"`));
});
