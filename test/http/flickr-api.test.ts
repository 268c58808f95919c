import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { child, children, parseXml } from "../helpers/xml.ts";
import { authorize, buildApiKey, call, callJson, send, type AppKey, type Token } from "../helpers/flickr.ts";

let server: TestServer;
let owner: Member;
let app: AppKey;
let token: Token;
before(async () => {
  server = await startServer();
  owner = await buildMember(server);
  app = await buildApiKey(server, owner);
  token = await authorize(server, app, owner, "delete");
});
after(async () => server.close());

test("format=rest answers Flickr's XML: <rsp stat=\"ok\"> with attributes and text as Flickr writes them", async () => {
  const photo = await buildDistinctPhoto(server, owner, { title: "Boats & <harbour>", tags: "sea \"lake district\"" });
  const answer = await call(server, "flickr.photos.getInfo", { photo_id: photo.id }, { app, unsigned: true });
  assert.equal(answer.status, 200);
  assert.match(answer.type, /^text\/xml/);
  const rsp = parseXml(answer.text);
  assert.equal(rsp.name, "rsp");
  assert.equal(rsp.attributes.stat, "ok");
  const info = child(rsp, "photo")!;
  assert.equal(info.attributes.id, photo.id);
  assert.equal(child(info, "title")!.text, "Boats & <harbour>");
  assert.equal(child(info, "owner")!.attributes.username, owner.username);
  assert.deepEqual(children(child(info, "tags")!, "tag").map((t) => [t.text, t.attributes.raw]), [["sea", "sea"], ["lakedistrict", "lake district"]]);
  assert.equal(child(info, "visibility")!.attributes.ispublic, "1");
});

test("format=json answers bare JSON with nojsoncallback=1, else wrapped in jsonFlickrApi() or the jsoncallback given", async () => {
  const bare = await call(server, "flickr.test.echo", { format: "json", nojsoncallback: "1", foo: "bar" }, { app });
  assert.match(bare.type, /^application\/json/);
  const parsed = JSON.parse(bare.text);
  assert.equal(parsed.stat, "ok");
  assert.deepEqual(parsed.foo, { _content: "bar" });
  assert.deepEqual(parsed.method, { _content: "flickr.test.echo" });
  assert.equal(parsed.oauth_signature, undefined, "OAuth parameters are not echoed");

  const wrapped = await call(server, "flickr.test.echo", { format: "json", foo: "bar" }, { app, unsigned: true });
  assert.match(wrapped.type, /^text\/javascript/);
  const inner = /^jsonFlickrApi\((.*)\)$/s.exec(wrapped.text);
  assert.ok(inner, wrapped.text);
  assert.equal(JSON.parse(inner[1]!).foo._content, "bar");

  const named = await call(server, "flickr.test.echo", { format: "json", jsoncallback: "handle" }, { app, unsigned: true });
  assert.match(named.text, /^handle\(\{/);
  const unsafe = await call(server, "flickr.test.echo", { format: "json", jsoncallback: "alert(1);x" }, { app, unsigned: true });
  assert.match(unsafe.text, /^jsonFlickrApi\(\{/, "a callback that is not a plain name is not echoed into script");
});

test("lists are arrays in JSON even with one element or none", async () => {
  const member = await buildMember(server);
  const key = await buildApiKey(server, member);
  const none = await callJson(server, "flickr.people.getPublicPhotos", { user_id: `${await nsidOf(member)}` }, { app: key, unsigned: true });
  assert.deepEqual(none.photos.photo, []);
  assert.equal(none.photos.total, 0);
  const photo = await buildDistinctPhoto(server, member, { tags: "solo" });
  const one = await callJson(server, "flickr.people.getPublicPhotos", { user_id: `${await nsidOf(member)}` }, { app: key, unsigned: true });
  assert.ok(Array.isArray(one.photos.photo));
  assert.equal(one.photos.photo[0].id, photo.id);
  const info = await callJson(server, "flickr.photos.getInfo", { photo_id: photo.id }, { app: key, unsigned: true });
  assert.ok(Array.isArray(info.photo.tags.tag) && info.photo.tags.tag.length === 1);
  assert.ok(Array.isArray(info.photo.urls.url));
  const licenses = await callJson(server, "flickr.photos.licenses.getInfo", {}, { app: key, unsigned: true });
  assert.ok(Array.isArray(licenses.licenses.license));
});

async function nsidOf(member: Member): Promise<string> {
  const found = await callJson(server, "flickr.people.findByUsername", { username: member.username }, { app, unsigned: true });
  return found.user.nsid;
}

test("errors are HTTP 200 with stat=fail and Flickr's codes, in XML and in JSON", async () => {
  const xml = await call(server, "flickr.photos.getInfo", { photo_id: "123456789" }, { app, unsigned: true });
  assert.equal(xml.status, 200);
  const rsp = parseXml(xml.text);
  assert.equal(rsp.attributes.stat, "fail");
  assert.deepEqual(child(rsp, "err")!.attributes, { code: "1", msg: "Photo not found" });

  const cases: Array<[string, Record<string, string>, Parameters<typeof call>[3], number]> = [
    ["flickr.photos.getInfo", { photo_id: "not-a-number" }, { app, unsigned: true }, 1],
    ["flickr.no.such.method", {}, { app, unsigned: true }, 112],
    ["flickr.test.echo", {}, { app: { key: "0".repeat(32), secret: "x" }, unsigned: true }, 100],
    ["flickr.test.echo", {}, { app: { key: app.key, secret: "wrong-secret" } }, 96],
    ["flickr.test.echo", {}, { app, token: { token: "no-such-token", secret: "x" } }, 98],
    ["flickr.test.login", {}, { app, unsigned: true }, 99],
    ["flickr.people.getInfo", { user_id: "999999@N00" }, { app, unsigned: true }, 1],
  ];
  for (const [method, params, options, code] of cases) {
    const answer = await call(server, method, { ...params, format: "json", nojsoncallback: "1" }, options);
    assert.equal(answer.status, 200, `${method}: ${answer.text}`);
    const body = JSON.parse(answer.text);
    assert.equal(body.stat, "fail", `${method}: ${answer.text}`);
    assert.equal(body.code, code, `${method}: ${answer.text}`);
    assert.equal(typeof body.message, "string");
  }
  const noKey = await send(server, "/services/rest/", { method: "flickr.test.echo", format: "json", nojsoncallback: "1" });
  assert.deepEqual(JSON.parse(noKey.text), { stat: "fail", code: 100, message: "Invalid API Key (Key has invalid format)" });
  const format = await call(server, "flickr.test.echo", { format: "soap" }, { app, unsigned: true });
  assert.equal(child(parseXml(format.text), "err")!.attributes.code, "111");
});

test("the API key may arrive only as oauth_consumer_key, and any of GET, form POST and multipart POST works", async () => {
  for (const http of ["GET", "POST", "MULTIPART"] as const) {
    const login = await callJson(server, "flickr.test.login", {}, { app, token, http });
    assert.equal(login.user.username._content, owner.username, http);
  }
  const unsignedWithKey = await send(server, "/services/rest", { method: "flickr.test.echo", oauth_consumer_key: app.key, format: "json", nojsoncallback: "1" });
  assert.equal(JSON.parse(unsignedWithKey.text).code, 97, "a consumer key without a signature is a missing signature");
});

test("perms: read cannot write, write cannot delete, delete can", async () => {
  const member = await buildMember(server);
  const key = await buildApiKey(server, member);
  const photo = await buildDistinctPhoto(server, member);
  const read = await authorize(server, key, member, "read");
  const write = await authorize(server, key, member, "write");
  const del = await authorize(server, key, member, "delete");
  const setMeta = (t: Token) => callJson(server, "flickr.photos.setMeta", { photo_id: photo.id, title: "Renamed", description: "New words" }, { app: key, token: t, http: "POST" });
  assert.equal((await setMeta(read)).code, 99);
  assert.equal((await setMeta(write)).stat, "ok");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).body.title, "Renamed");
  assert.equal((await callJson(server, "flickr.photos.delete", { photo_id: photo.id }, { app: key, token: write, http: "POST" })).code, 99);
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 200, "nothing was deleted");
  assert.equal((await callJson(server, "flickr.photos.delete", { photo_id: photo.id }, { app: key, token: del, http: "POST" })).stat, "ok");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 404);
});

test("setTags, addTags, setPerms and setMeta change the photo as the JSON API would; bad input changes nothing", async () => {
  const photo = await buildDistinctPhoto(server, owner, { tags: "one" });
  const opts = { app, token, http: "POST" as const };
  assert.equal((await callJson(server, "flickr.photos.addTags", { photo_id: photo.id, tags: 'two "three four"' }, opts)).stat, "ok");
  assert.deepEqual((await api(server, "GET", `/api/v1/photos/${photo.id}`)).body.tags, ["one", "two", "three four"]);
  assert.equal((await callJson(server, "flickr.photos.setTags", { photo_id: photo.id, tags: "only" }, opts)).stat, "ok");
  assert.deepEqual((await api(server, "GET", `/api/v1/photos/${photo.id}`)).body.tags, ["only"]);
  const perms = await callJson(server, "flickr.photos.setPerms", { photo_id: photo.id, is_public: "0", is_friend: "1", is_family: "1" }, opts);
  assert.equal(perms.photoid._content, photo.id);
  const after = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token });
  assert.equal(after.body.visibility, "friends_and_family");
  assert.notEqual(perms.photoid.secret, /\/img\/\d+\/([0-9a-f]+)\//.exec(photo.sizes[0]!.url)![1], "a more private photo gets a new secret");
  const bad = await callJson(server, "flickr.photos.geo.setLocation", { photo_id: photo.id, lat: "91", lon: "0" }, opts);
  assert.equal(bad.code, 3);
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.location, null);
});

test("getExif, getSizes labels and licences use Flickr's names and ids", async () => {
  await api(server, "PUT", "/api/v1/me/settings/photos", { token: owner.token, json: { license: "cc-by-sa-4.0", downloadAllowed: false } });
  const photo = await buildDistinctPhoto(server, owner, {}, { width: 900, height: 600 });
  const sizes = await callJson(server, "flickr.photos.getSizes", { photo_id: photo.id }, { app, unsigned: true });
  assert.deepEqual(sizes.sizes.size.map((s: { label: string }) => s.label), ["Square", "Large Square", "Thumbnail", "Small", "Small 320", "Medium", "Medium 640", "Medium 800"], "no Original for a visitor when downloads are off");
  const mine = await callJson(server, "flickr.photos.getSizes", { photo_id: photo.id }, { app, token });
  assert.equal(mine.sizes.size.at(-1).label, "Original", "the owner may always download");
  assert.equal(mine.sizes.size.at(-1).width, 900);
  const info = await callJson(server, "flickr.photos.getInfo", { photo_id: photo.id }, { app, unsigned: true });
  assert.equal(info.photo.license, "12");
  const licenses = await callJson(server, "flickr.photos.licenses.getInfo", {}, { app, unsigned: true });
  const byId = new Map(licenses.licenses.license.map((l: { id: string; name: string }) => [l.id, l.name]));
  assert.equal(byId.get("0"), "All Rights Reserved");
  assert.equal(byId.get("9"), "Public Domain Dedication (CC0)");
  assert.equal(byId.get("12"), "CC BY-SA 4.0");
  const exif = await callJson(server, "flickr.photos.getExif", { photo_id: photo.id }, { app, unsigned: true });
  assert.ok(Array.isArray(exif.photo.exif));
});

test("photosets are albums: create with a primary photo, add, remove, list and page them; every viewer sees only the photos they may see", async () => {
  const open = await buildDistinctPhoto(server, owner, { title: "Open" });
  const closed = await buildDistinctPhoto(server, owner, { title: "Closed", visibility: "private" });
  const created = await callJson(server, "flickr.photosets.create", { title: "Harbour", description: "Boats", primary_photo_id: open.id }, { app, token, http: "POST" });
  assert.equal(created.stat, "ok", JSON.stringify(created));
  const setId = created.photoset.id;
  assert.match(created.photoset.url, new RegExp(`/photos/${owner.username}/albums/${setId}$`));
  assert.equal((await callJson(server, "flickr.photosets.addPhoto", { photoset_id: setId, photo_id: closed.id }, { app, token, http: "POST" })).stat, "ok");
  assert.deepEqual(await callJson(server, "flickr.photosets.addPhoto", { photoset_id: setId, photo_id: closed.id }, { app, token, http: "POST" }), { stat: "fail", code: 3, message: "Photo already in set" });
  assert.equal((await callJson(server, "flickr.photosets.addPhoto", { photoset_id: "999999", photo_id: closed.id }, { app, token, http: "POST" })).code, 1);
  assert.equal((await callJson(server, "flickr.photosets.addPhoto", { photoset_id: setId, photo_id: "999999" }, { app, token, http: "POST" })).code, 2);

  const mine = await callJson(server, "flickr.photosets.getPhotos", { photoset_id: setId }, { app, token });
  assert.deepEqual(mine.photoset.photo.map((p: { id: string }) => p.id), [open.id, closed.id]);
  assert.equal(mine.photoset.total, 2);
  assert.equal(mine.photoset.primary, open.id);
  const theirs = await callJson(server, "flickr.photosets.getPhotos", { photoset_id: setId }, { app, unsigned: true });
  assert.deepEqual(theirs.photoset.photo.map((p: { id: string }) => p.id), [open.id], "a visitor sees only the public photo");
  assert.equal(theirs.photoset.total, 1);
  const paged = await callJson(server, "flickr.photosets.getPhotos", { photoset_id: setId, per_page: "1", page: "2" }, { app, token });
  assert.deepEqual(paged.photoset.photo.map((p: { id: string }) => p.id), [closed.id]);

  const list = await callJson(server, "flickr.photosets.getList", { user_id: mine.photoset.owner }, { app, unsigned: true });
  assert.deepEqual(list.photosets.photoset.map((s: { id: string; photos: number; title: { _content: string } }) => [s.id, s.photos, s.title._content]), [[setId, 1, "Harbour"]]);
  const info = await callJson(server, "flickr.photosets.getInfo", { photoset_id: setId }, { app, unsigned: true });
  assert.equal(info.photoset.description._content, "Boats");
  assert.equal(info.photoset.username, owner.username);

  const stranger = await buildMember(server);
  const strangerToken = await authorize(server, app, stranger, "write");
  const refused = await callJson(server, "flickr.photosets.removePhoto", { photoset_id: setId, photo_id: open.id }, { app, token: strangerToken, http: "POST" });
  assert.equal(refused.stat, "fail", "only the owner changes an album");
  const notTheirs = await callJson(server, "flickr.photosets.create", { title: "Taken", primary_photo_id: open.id }, { app, token: strangerToken, http: "POST" });
  assert.equal(notTheirs.stat, "fail", "an album holds only its owner's photos");
  assert.deepEqual((await callJson(server, "flickr.photosets.getList", {}, { app, token: strangerToken })).photosets.photoset, [], "a refused create leaves no empty album");

  assert.equal((await callJson(server, "flickr.photosets.removePhoto", { photoset_id: setId, photo_id: closed.id }, { app, token, http: "POST" })).stat, "ok");
  assert.deepEqual((await callJson(server, "flickr.photosets.getPhotos", { photoset_id: setId }, { app, token })).photoset.photo.map((p: { id: string }) => p.id), [open.id]);
  const readOnly = await authorize(server, app, owner, "read");
  assert.equal((await callJson(server, "flickr.photosets.addPhoto", { photoset_id: setId, photo_id: closed.id }, { app, token: readOnly, http: "POST" })).code, 99, "read permission cannot change albums");
});

test("text search is the site's full-text search: words in titles, descriptions and tags, only among what the caller may see", async () => {
  const member = await buildMember(server);
  const key = await buildApiKey(server, member);
  const memberToken = await authorize(server, key, member, "read");
  const seen = await buildDistinctPhoto(server, member, { title: "Lighthouse at dusk" });
  const tagged = await buildDistinctPhoto(server, member, { title: "Untitled", tags: "lighthouse" });
  const hidden = await buildDistinctPhoto(server, member, { title: "Lighthouse keeper", visibility: "private" });
  const ids = (answer: { photos: { photo: Array<{ id: string }> } }) => answer.photos.photo.map((p) => p.id).sort();
  const nsid = (await callJson(server, "flickr.people.findByUsername", { username: member.username }, { app: key, unsigned: true })).user.nsid;
  assert.deepEqual(ids(await callJson(server, "flickr.photos.search", { text: "lighthouse", user_id: nsid }, { app: key, unsigned: true })), [seen.id, tagged.id].sort());
  assert.deepEqual(ids(await callJson(server, "flickr.photos.search", { text: "LIGHTHOUSE", user_id: "me" }, { app: key, token: memberToken })), [seen.id, tagged.id, hidden.id].sort(), "the owner finds their private photo");
  assert.deepEqual(ids(await callJson(server, "flickr.photos.search", { text: "lighthouse dusk", user_id: nsid }, { app: key, unsigned: true })), [seen.id], "every word must match");
  assert.deepEqual(ids(await callJson(server, "flickr.photos.search", { text: "lighthouse", tags: "lighthouse", user_id: nsid }, { app: key, unsigned: true })), [tagged.id], "other filters still apply");
  assert.deepEqual(ids(await callJson(server, "flickr.photos.search", { text: "!!!", user_id: nsid }, { app: key, unsigned: true })), [], "no words: nothing matches");
  const parameterless = await callJson(server, "flickr.photos.search", {}, { app, unsigned: true });
  assert.equal(parameterless.code, 3);
});
