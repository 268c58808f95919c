import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createFlickr, FetchTransport } from "flickr-sdk";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember } from "../helpers/client.ts";
import { buildDistinctPhoto, distinctJpeg } from "../helpers/images.ts";
import { buildApiKey, grantInBrowser } from "../helpers/flickr.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

/**
 * flickr-sdk's own transport with the host changed, as a tool pointed at Pinhole would do:
 * the SDK still signs over https://api.flickr.com/…, up.flickr.com and www.flickr.com.
 */
class PinholeTransport extends FetchTransport {
  readonly seen: string[] = [];
  constructor(private readonly base: string) {
    super();
  }
  override async fetch(url: string, init: RequestInit): Promise<Response> {
    const rewritten = url.replace(/^https:\/\/(api|up|www)\.flickr\.com/, this.base);
    this.seen.push(new URL(url).host);
    return super.fetch(rewritten, init);
  }
}

test("flickr-sdk goes through OAuth, uploads, reads, searches, comments, faves, places and deletes a photo", async () => {
  const member = await buildMember(server);
  const other = await buildMember(server);
  const othersPhoto = await buildDistinctPhoto(server, other);
  const app = await buildApiKey(server, member, "Node tool");
  const transport = new PinholeTransport(server.url);

  // OAuth: request token, the member grants in the browser, the verifier comes back on the callback.
  const { oauth: start } = createFlickr({ consumerKey: app.key, consumerSecret: app.secret, oauthToken: false, oauthTokenSecret: false }, transport);
  const { requestToken, requestTokenSecret } = await start.request("http://tool.example/done");
  const authorizeUrl = new URL(start.authorizeUrl(requestToken, "delete"));
  assert.equal(authorizeUrl.host, "www.flickr.com", "the SDK builds Flickr's URL; only the host changes");
  const verifier = await grantInBrowser(server, member, authorizeUrl.pathname + authorizeUrl.search, "delete", "http://tool.example/done");
  const { oauth: finish } = createFlickr({ consumerKey: app.key, consumerSecret: app.secret, oauthToken: requestToken, oauthTokenSecret: requestTokenSecret }, transport);
  const access = await finish.verify(verifier);
  assert.equal(access.username, member.username);
  assert.match(access.nsid, /^[0-9]+@N00$/);

  const { flickr, upload } = createFlickr({ consumerKey: app.key, consumerSecret: app.secret, oauthToken: access.oauthToken, oauthTokenSecret: access.oauthTokenSecret }, transport);
  const login = await flickr("flickr.test.login", {});
  assert.equal(login.user.id, access.nsid);

  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "pinhole-flickr-sdk-"));
  try {
    const file = path.join(dir, "from-node.png");
    // JPEG bytes under a .png name: the type is read from the bytes, not the name.
    const jpeg = await distinctJpeg(80, 60);
    await fsp.writeFile(file, jpeg);
    const { id } = await upload(file, { title: "From Node", description: "Sent by flickr-sdk", tags: "node sdk", is_public: "0", is_friend: "1", is_family: "0" });
    const stored = await api(server, "GET", `/api/v1/photos/${id}`, { token: member.token });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.visibility, "friends");
    assert.deepEqual(stored.body.tags, ["node", "sdk"]);

    const info = await flickr("flickr.photos.getInfo", { photo_id: id });
    assert.equal(info.photo.title._content, "From Node");
    assert.deepEqual(info.photo.visibility, { ispublic: 0, isfriend: 1, isfamily: 0 });
    assert.deepEqual(info.photo.tags.tag.map((t: { raw: string }) => t.raw), ["node", "sdk"]);

    const sizes = await flickr("flickr.photos.getSizes", { photo_id: id });
    assert.deepEqual(sizes.sizes.size.map((s: { label: string }) => s.label), ["Square", "Large Square", "Thumbnail", "Original"]);

    const search = await flickr("flickr.photos.search", { user_id: "me", tags: "sdk,nothing", tag_mode: "any", extras: "url_t,tags" });
    assert.deepEqual(search.photos.photo.map((p: { id: string }) => p.id), [id]);
    assert.equal(search.photos.photo[0].tags, "node sdk");
    const all = await flickr("flickr.photos.search", { user_id: "me", tags: "sdk,nothing", tag_mode: "all" });
    assert.deepEqual(all.photos.photo, [], "an empty list is still an array");

    const stream = await flickr("flickr.people.getPhotos", { user_id: access.nsid });
    assert.deepEqual(stream.photos.photo.map((p: { id: string }) => p.id), [id]);

    await flickr("flickr.photos.comments.addComment", { photo_id: othersPhoto.id, comment_text: "From the SDK" });
    const comments = await flickr("flickr.photos.comments.getList", { photo_id: othersPhoto.id });
    assert.deepEqual(comments.comments.comment.map((c: { _content: string; authorname: string }) => [c._content, c.authorname]), [["From the SDK", member.username]]);

    await flickr("flickr.favorites.add", { photo_id: othersPhoto.id });
    const faves = await flickr("flickr.favorites.getList", {});
    assert.deepEqual(faves.photos.photo.map((p: { id: string }) => p.id), [othersPhoto.id]);
    await flickr("flickr.favorites.remove", { photo_id: othersPhoto.id });
    assert.deepEqual((await flickr("flickr.favorites.getList", {})).photos.photo, []);

    await flickr("flickr.photos.geo.setLocation", { photo_id: id, lat: "35.6586", lon: "139.7454" });
    const location = await flickr("flickr.photos.geo.getLocation", { photo_id: id });
    assert.equal(location.photo.location.latitude, 35.6586);

    const set = await flickr("flickr.photosets.create", { title: "From the SDK", primary_photo_id: id });
    const sets = await flickr("flickr.photosets.getList", {});
    assert.deepEqual(sets.photosets.photoset.map((s: { id: string; title: { _content: string } }) => [s.id, s.title._content]), [[set.photoset.id, "From the SDK"]]);
    const inSet = await flickr("flickr.photosets.getPhotos", { photoset_id: set.photoset.id, user_id: access.nsid });
    assert.deepEqual(inSet.photoset.photo.map((p: { id: string }) => p.id), [id]);

    await flickr("flickr.photos.delete", { photo_id: id });
    assert.equal((await api(server, "GET", `/api/v1/photos/${id}`, { token: member.token })).status, 404);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual([...new Set(transport.seen)].sort(), ["api.flickr.com", "up.flickr.com", "www.flickr.com"], "every request was signed over Flickr's own URL");
});
