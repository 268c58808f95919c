import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

test("a friends photo opens to the contacts its owner marks friend, on the photo and in the photostream, and closes again on a block", async () => {
  const owner = await buildMember(server);
  const viewer = await buildMember(server);
  const photo = await buildPhoto(server, owner, { visibility: "friends", title: "for friends" });
  const sees = async () => {
    const single = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: viewer.token });
    const stream = await api(server, "GET", `/api/v1/users/${owner.username}/photos`, { token: viewer.token });
    const listed = (stream.body.photos as Array<{ id: string }>).some((p) => p.id === photo.id);
    assert.equal(single.status === 200, listed, "the photo API and the photostream agree");
    return listed;
  };
  assert.equal(await sees(), false, "a stranger does not see it");

  // The viewer following the owner changes nothing: the owner decides who is a friend.
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: viewer.token, json: { friend: true } })).status, 201);
  assert.equal(await sees(), false);

  const marked = await api(server, "PUT", `/api/v1/contacts/${viewer.username}`, { token: owner.token, json: { friend: true } });
  assert.equal(marked.status, 201);
  assert.deepEqual(marked.body, { username: viewer.username, friend: true, family: false });
  assert.equal(await sees(), true, "a friend sees a friends photo");

  assert.equal((await api(server, "PUT", `/api/v1/contacts/${viewer.username}`, { token: owner.token, json: { family: true } })).status, 200, "changing a contact answers 200");
  assert.equal(await sees(), true, "the friend flag stays when only family is given");

  assert.equal((await api(server, "PUT", `/api/v1/blocks/${viewer.username}`, { token: owner.token })).status, 204);
  assert.equal(await sees(), false, "a blocked member no longer sees it");
  const again = await api(server, "PUT", `/api/v1/contacts/${owner.username}`, { token: viewer.token, json: {} });
  assert.equal(again.status, 403, "a blocked member cannot add the blocker as a contact");
  assert.equal((await api(server, "DELETE", `/api/v1/blocks/${viewer.username}`, { token: owner.token })).status, 204);
  assert.equal(await sees(), false, "unblocking does not make them friends again");
});

test("contacts answer clearly for unknown members, oneself and anonymous callers", async () => {
  const member = await buildMember(server);
  assert.equal((await api(server, "PUT", "/api/v1/contacts/nobody-here", { token: member.token, json: {} })).status, 404);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${member.username}`, { token: member.token, json: {} })).status, 400);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${member.username}`, { json: {} })).status, 401);
});
