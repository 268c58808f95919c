import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { authorize, buildApiKey, callJson, type AppKey, type CallOptions, type Token } from "../helpers/flickr.ts";

/**
 * Every method answers only what the JSON API would show the same viewer: visibility,
 * contacts, blocks, restricted photos, and locations (lists: only those for everyone).
 */
let server: TestServer;
const tag = `priv${crypto.randomBytes(4).toString("hex")}`;
let owner: Member;
let ownerNsid: string;
let groupId: string;
const photos: Record<"pub" | "friends" | "priv" | "restricted", PhotoJson> = {} as never;
type ViewerName = "anonymous" | "stranger" | "friend" | "blocked" | "owner";
const callers = {} as Record<ViewerName, CallOptions>;

before(async () => {
  server = await startServer();
  owner = await buildMember(server);
  const friend = await buildMember(server);
  const stranger = await buildMember(server);
  const blocked = await buildMember(server);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${blocked.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.ok([200, 201, 204].includes((await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token, json: {} })).status));
  photos.pub = await buildDistinctPhoto(server, owner, { tags: tag });
  photos.friends = await buildDistinctPhoto(server, owner, { tags: tag, visibility: "friends" });
  photos.priv = await buildDistinctPhoto(server, owner, { tags: tag, visibility: "private" });
  photos.restricted = await buildDistinctPhoto(server, owner, { tags: tag, restricted: "true" });
  const place = async (photo: PhotoJson, visibility: string) => assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 35.6586, longitude: 139.7454, visibility } })).status, 200);
  await place(photos.pub, "everyone");
  await place(photos.friends, "contacts");
  await place(photos.priv, "everyone");
  await place(photos.restricted, "everyone");
  for (const photo of Object.values(photos)) {
    assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: owner.token })).status, 200);
    assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: owner.token, json: { text: "owner's note" } })).status, 201);
  }
  const group = await api(server, "POST", "/api/v1/groups", { token: owner.token, json: { name: `Pool ${tag}`, privacy: "public" } });
  groupId = String(group.body.id);
  for (const photo of Object.values(photos)) assert.equal((await api(server, "POST", `/api/v1/groups/${groupId}/pool`, { token: owner.token, json: { photoId: photo.id } })).status, 201);

  const strangerApp = await buildApiKey(server, stranger, "Stranger's app");
  callers.anonymous = { app: strangerApp, unsigned: true };
  const signedIn = async (member: Member): Promise<CallOptions> => {
    const app: AppKey = await buildApiKey(server, member);
    const token: Token = await authorize(server, app, member, "write");
    return { app, token };
  };
  callers.stranger = await signedIn(stranger);
  callers.friend = await signedIn(friend);
  callers.blocked = await signedIn(blocked);
  callers.owner = await signedIn(owner);
  ownerNsid = (await callJson(server, "flickr.test.login", {}, callers.owner)).user.id;
});
after(async () => server.close());

const SEES: Record<ViewerName, Array<keyof typeof photos>> = {
  anonymous: ["pub"],
  stranger: ["pub"],
  friend: ["pub", "friends"],
  blocked: ["pub"],
  owner: ["pub", "friends", "priv", "restricted"],
};
const idsOf = (names: Array<keyof typeof photos>) => names.map((n) => photos[n].id).sort();
const listed = (answer: any) => {
  assert.equal(answer.stat, "ok", JSON.stringify(answer));
  return (answer.photos.photo as Array<{ id: string }>).map((p) => p.id).sort();
};

for (const viewer of Object.keys(SEES) as ViewerName[]) {
  test(`${viewer}: photo methods answer only the photos the JSON API shows them, others are "Photo not found"`, async () => {
    for (const [name, photo] of Object.entries(photos)) {
      const visible = SEES[viewer].includes(name as keyof typeof photos);
      for (const method of ["flickr.photos.getInfo", "flickr.photos.getSizes", "flickr.photos.getExif", "flickr.photos.comments.getList"]) {
        const answer = await callJson(server, method, { photo_id: photo.id }, callers[viewer]);
        if (visible) assert.equal(answer.stat, "ok", `${viewer} ${method} ${name}: ${JSON.stringify(answer)}`);
        else assert.deepEqual([answer.stat, answer.code], ["fail", 1], `${viewer} ${method} ${name}`);
      }
      if (viewer === "anonymous") assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status === 200, visible, "the JSON API agrees");
    }
  });

  test(`${viewer}: search, photostreams, pools and faves list only what they may see`, async () => {
    const expected = idsOf(SEES[viewer]);
    assert.deepEqual(listed(await callJson(server, "flickr.photos.search", { tags: tag }, callers[viewer])), expected);
    assert.deepEqual(listed(await callJson(server, "flickr.people.getPhotos", { user_id: ownerNsid }, callers[viewer])), expected);
    assert.deepEqual(listed(await callJson(server, "flickr.groups.pools.getPhotos", { group_id: groupId }, callers[viewer])), expected);
    assert.deepEqual(listed(await callJson(server, "flickr.favorites.getPublicList", { user_id: ownerNsid }, callers[viewer])), idsOf(["pub"]));
    if (viewer !== "anonymous") assert.deepEqual(listed(await callJson(server, "flickr.favorites.getList", { user_id: ownerNsid }, callers[viewer])), expected);
    assert.deepEqual(listed(await callJson(server, "flickr.people.getPublicPhotos", { user_id: ownerNsid }, callers[viewer])), idsOf(["pub"]), "public photos only, whoever asks");
    const recent = listed(await callJson(server, "flickr.photos.getRecent", { per_page: "500" }, callers[viewer]));
    assert.ok(recent.includes(photos.pub.id) && !recent.includes(photos.priv.id) && !recent.includes(photos.friends.id) && !recent.includes(photos.restricted.id));
  });

  test(`${viewer}: locations show as the owner allows — lists and bbox only those for everyone, or the owner's own`, async () => {
    const inBox = listed(await callJson(server, "flickr.photos.search", { tags: tag, bbox: "139,35,140,36", extras: "geo" }, callers[viewer]));
    const expectedInBox = viewer === "owner" ? idsOf(["pub", "friends", "priv", "restricted"]) : idsOf(SEES[viewer].filter((n) => n !== "friends"));
    assert.deepEqual(inBox, expectedInBox);
    const geo = await callJson(server, "flickr.photos.search", { tags: tag, extras: "geo" }, callers[viewer]);
    for (const p of geo.photos.photo) {
      const shown = p.latitude !== 0;
      assert.equal(shown, p.id !== photos.friends.id || viewer === "owner", `${viewer}: list location of ${p.id}`);
    }
    if (SEES[viewer].includes("friends")) {
      const location = await callJson(server, "flickr.photos.geo.getLocation", { photo_id: photos.friends.id }, callers[viewer]);
      assert.equal(location.stat, "ok", "a contact sees a location for contacts on the photo itself");
      const info = await callJson(server, "flickr.photos.getInfo", { photo_id: photos.friends.id }, callers[viewer]);
      assert.ok(info.photo.location);
    }
    const hidden = await callJson(server, "flickr.photos.geo.getLocation", { photo_id: photos.priv.id }, callers[viewer]);
    assert.equal(hidden.stat === "ok", viewer === "owner");
  });

  if (viewer !== "anonymous" && viewer !== "owner") {
    test(`${viewer}: cannot fave, comment on, tag, edit, place, pool or delete what is not theirs`, async () => {
      const write = { ...callers[viewer], http: "POST" as const };
      for (const name of ["friends", "priv"] as const) {
        if (SEES[viewer].includes(name)) continue;
        assert.equal((await callJson(server, "flickr.favorites.add", { photo_id: photos[name].id }, write)).code, 1);
        assert.equal((await callJson(server, "flickr.photos.comments.addComment", { photo_id: photos[name].id, comment_text: "hi" }, write)).code, 1);
      }
      for (const [method, extra] of [
        ["flickr.photos.setMeta", { title: "x" }],
        ["flickr.photos.setTags", { tags: "x" }],
        ["flickr.photos.addTags", { tags: "x" }],
        ["flickr.photos.setPerms", { is_public: "0", is_friend: "0", is_family: "0" }],
        ["flickr.photos.geo.setLocation", { lat: "1", lon: "1" }],
      ] as const) {
        assert.equal((await callJson(server, method, { photo_id: photos.pub.id, ...extra }, write)).code, 1, `${viewer} ${method}`);
      }
      assert.equal((await callJson(server, "flickr.photos.delete", { photo_id: photos.pub.id }, write)).code, 99, "write perms do not delete");
      const pooled = await callJson(server, "flickr.groups.pools.add", { photo_id: photos.pub.id, group_id: groupId }, write);
      assert.equal(pooled.stat, "fail");
      const after = await api(server, "GET", `/api/v1/photos/${photos.pub.id}`);
      assert.equal(after.body.title, photos.pub.title);
      assert.deepEqual(after.body.tags, [tag]);
      if (viewer === "blocked") assert.equal((await callJson(server, "flickr.favorites.add", { photo_id: photos.pub.id }, write)).code, 99, "a blocked member cannot fave");
    });
  }
}
