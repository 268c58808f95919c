import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const batch = (member: Member, json: unknown) => api(server, "POST", "/api/v1/photos/batch", { token: member.token, json });
const photoAs = async (id: string, viewer?: Member): Promise<{ status: number; body: PhotoJson }> => {
  const answer = await api(server, "GET", `/api/v1/photos/${id}`, { token: viewer?.token });
  return { status: answer.status, body: answer.body as PhotoJson };
};
const threePhotos = async (owner: Member, fields: Record<string, string> = {}) => Promise.all([1, 2, 3].map(() => buildDistinctPhoto(server, owner, fields)));
const status = async (url: string) => (await fetch(url)).status;

test("tags are added to and removed from many photos at once, each keeping its other tags", async () => {
  const owner = await buildMember(server);
  const [a, b, c] = await threePhotos(owner, { tags: 'sunset "Lake District"' });
  await api(server, "PATCH", `/api/v1/photos/${b!.id}`, { token: owner.token, json: { tags: "sunset boats" } });
  const answer = await batch(owner, { photoIds: [a!.id, b!.id], addTags: 'holiday "Lake District"', removeTags: "SUNSET" });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { photoIds: [a!.id, b!.id], deleted: false });
  assert.deepEqual((await photoAs(a!.id, owner)).body.tags, ["Lake District", "holiday"]);
  assert.deepEqual((await photoAs(b!.id, owner)).body.tags, ["boats", "holiday", "Lake District"]);
  assert.deepEqual((await photoAs(c!.id, owner)).body.tags, ["sunset", "Lake District"], "a photo not chosen is untouched");
  const tagged = await api(server, "GET", `/api/v1/users/${owner.username}/photos?limit=10`);
  assert.equal(tagged.status, 200);
  const holiday = await new WebClient(server).get(`/photos/${owner.username}/tags/holiday`);
  assert.equal(holiday.status, 200);
  for (const photo of [a!, b!]) assert.match(holiday.html, new RegExp(`/photos/${owner.username}/${photo.id}"`), "the tag's page lists the photos it was added to");
  assert.doesNotMatch(holiday.html, new RegExp(`/photos/${owner.username}/${c!.id}"`));
  const found = await api(server, "GET", `/api/v1/search?q=holiday&user=${owner.username}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.deepEqual(found.body.photos.map((p: PhotoJson) => p.id).sort(), [a!.id, b!.id].sort(), "search finds the photos by the tag a batch added");
  const gone = await api(server, "GET", `/api/v1/search?q=sunset&user=${owner.username}`);
  assert.deepEqual(gone.body.photos.map((p: PhotoJson) => p.id), [c!.id], "and no longer by the tag it removed");
});

test("making photos more private moves them to new secrets: their old image URLs stop working", async () => {
  const owner = await buildMember(server);
  const stranger = await buildMember(server);
  const [a, b] = await threePhotos(owner);
  const answer = await batch(owner, { photoIds: [a!.id, b!.id], visibility: "friends", license: "cc-by-4.0", downloadAllowed: true });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  for (const photo of [a!, b!]) {
    const now = (await photoAs(photo.id, owner)).body;
    assert.equal(now.visibility, "friends");
    assert.equal(now.license.id, "cc-by-4.0");
    assert.equal(now.downloadAllowed, true);
    assert.notEqual(now.sizes[0]!.url, photo.sizes[0]!.url);
    assert.equal(await status(now.sizes[0]!.url), 200);
    for (const size of photo.sizes) assert.equal(await status(size.url), 404, `old URL ${size.url} is gone`);
    assert.equal((await photoAs(photo.id, stranger)).status, 404);
    assert.equal((await photoAs(photo.id)).status, 404);
  }
  // Opening them up again keeps the URLs: nothing more private, nothing to hide.
  const opened = (await photoAs(a!.id, owner)).body;
  assert.equal((await batch(owner, { photoIds: [a!.id], visibility: "public" })).status, 200);
  assert.equal((await photoAs(a!.id, owner)).body.sizes[0]!.url, opened.sizes[0]!.url);
  assert.equal((await photoAs(a!.id)).status, 200);
  // Restricting is more private too.
  assert.equal((await batch(owner, { photoIds: [a!.id], restricted: true })).status, 200);
  assert.equal(await status(opened.sizes[0]!.url), 404);
  assert.equal((await photoAs(a!.id)).status, 404);
});

test("one photo that is not the member's fails the whole batch, and nothing changes", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const [a, b] = await threePhotos(owner, { tags: "mine" });
  const theirs = await buildDistinctPhoto(server, other, { tags: "theirs" });
  for (const ids of [[a!.id, theirs.id, b!.id], [a!.id, "999999999999"]]) {
    const answer = await batch(owner, { photoIds: ids, addTags: "stolen", visibility: "private" });
    assert.equal(answer.status, 404, JSON.stringify(answer.body));
    assert.match(answer.body.error.message, /not photos of yours: .*Nothing was changed/);
  }
  for (const photo of [a!, b!]) {
    const now = (await photoAs(photo.id, owner)).body;
    assert.deepEqual(now.tags, ["mine"]);
    assert.equal(now.visibility, "public");
    assert.equal(now.sizes[0]!.url, photo.sizes[0]!.url, "no secret moved");
    assert.equal(await status(photo.sizes[0]!.url), 200);
  }
  assert.deepEqual((await photoAs(theirs.id, other)).body.tags, ["theirs"]);
  assert.equal((await batch(other, { photoIds: [a!.id], delete: true })).status, 404, "nor can anyone delete them");
  assert.equal((await photoAs(a!.id, owner)).status, 200);
});

test("a batch refused part way (too many tags on one photo) leaves every photo and every file as it was", async () => {
  const owner = await buildMember(server);
  const [a, b] = await threePhotos(owner);
  const many = Array.from({ length: 74 }, (_, i) => `t${i}`).join(" ");
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${b!.id}`, { token: owner.token, json: { tags: many } })).status, 200);
  const answer = await batch(owner, { photoIds: [a!.id, b!.id], addTags: "one two", visibility: "private" });
  assert.equal(answer.status, 400);
  assert.match(answer.body.error.message, new RegExp(`Photo ${b!.id} would have more than 75 tags`));
  assert.deepEqual((await photoAs(a!.id, owner)).body.tags, []);
  for (const photo of [a!, b!]) {
    const now = (await photoAs(photo.id)).body;
    assert.equal(now.visibility, "public");
    assert.equal(now.sizes[0]!.url, photo.sizes[0]!.url);
    assert.equal(await status(photo.sizes[0]!.url), 200);
  }
});

test("locations are set, shared and removed in a batch", async () => {
  const owner = await buildMember(server);
  const visitor = await buildMember(server);
  const [a, b] = await threePhotos(owner);
  const set = await batch(owner, { photoIds: [a!.id, b!.id], location: { latitude: 54.58, longitude: -3.14 } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual((await photoAs(a!.id, owner)).body.location, { latitude: 54.58, longitude: -3.14, altitude: null, visibility: "private" });
  assert.equal((await photoAs(a!.id, visitor)).body.location, null, "a member's default keeps a location theirs");
  assert.equal((await batch(owner, { photoIds: [a!.id, b!.id], locationVisibility: "everyone" })).status, 200);
  assert.deepEqual((await photoAs(b!.id, visitor)).body.location, { latitude: 54.58, longitude: -3.14, altitude: null, visibility: "everyone" });
  assert.equal((await batch(owner, { photoIds: [a!.id], location: null })).status, 200);
  assert.equal((await photoAs(a!.id, owner)).body.location, null);
  assert.notEqual((await photoAs(b!.id, owner)).body.location, null);
  assert.equal((await batch(owner, { photoIds: [a!.id], location: { latitude: 91, longitude: 0 } })).status, 400);
});

test("photos deleted in a batch are gone with their files; a batch must say what to do", async () => {
  const owner = await buildMember(server);
  const [a, b, c] = await threePhotos(owner);
  const mixed = await batch(owner, { photoIds: [a!.id], delete: true, addTags: "x" });
  assert.equal(mixed.status, 400);
  assert.match(mixed.body.error.message, /cannot be combined/);
  const nothing = await batch(owner, { photoIds: [a!.id] });
  assert.equal(nothing.status, 400);
  assert.match(nothing.body.error.message, /Say what to change/);
  assert.equal((await batch(owner, { photoIds: [], addTags: "x" })).status, 400);
  assert.equal((await batch(owner, { photoIds: Array.from({ length: 501 }, (_, i) => String(i + 1)), addTags: "x" })).status, 400);
  assert.equal((await api(server, "POST", "/api/v1/photos/batch", { json: { photoIds: [a!.id], delete: true } })).status, 401);
  const gone = await batch(owner, { photoIds: [a!.id, b!.id], delete: true });
  assert.equal(gone.status, 200, JSON.stringify(gone.body));
  assert.deepEqual(gone.body, { photoIds: [a!.id, b!.id], deleted: true });
  for (const photo of [a!, b!]) {
    assert.equal((await photoAs(photo.id, owner)).status, 404);
    for (const size of photo.sizes) assert.equal(await status(size.url), 404);
  }
  assert.equal((await photoAs(c!.id, owner)).status, 200);
  const stream = await api(server, "GET", `/api/v1/users/${owner.username}/photos`, { token: owner.token });
  assert.deepEqual(stream.body.photos.map((p: PhotoJson) => p.id), [c!.id]);
});

test("the Organizr page changes the ticked photos through a plain form", async () => {
  const owner = await buildMember(server);
  const [a, b, c] = await threePhotos(owner);
  const web = new WebClient(server);
  const anonymous = await web.get("/organize");
  assert.equal(anonymous.status, 401, "members only");
  assert.match(anonymous.html, /log in/i);
  await web.logIn(owner);
  const page = await web.get("/organize");
  assert.equal(page.status, 200);
  for (const photo of [a!, b!, c!]) assert.match(page.html, new RegExp(`name="photoIds" value="${photo.id}"`));
  assert.match((await web.get(`/photos/${owner.username}`)).html, /id="organize-link"/);
  const applied = await web.post("/organize", [["photoIds", a!.id], ["photoIds", c!.id], ["addTags", "picked"], ["visibility", ""], ["license", "cc0-1.0"], ["location", "keep"], ["intent", "apply"]]);
  assert.equal(applied.status, 303, applied.html.slice(0, 300));
  assert.equal(applied.location, "/organize?changed=2");
  assert.match((await web.get(applied.location!)).html, /Changed 2 photos/);
  for (const photo of [a!, c!]) {
    const now = (await photoAs(photo.id, owner)).body;
    assert.deepEqual(now.tags, ["picked"]);
    assert.equal(now.license.id, "cc0-1.0");
    assert.equal(now.visibility, "public", "an empty choice leaves visibility as it is");
  }
  assert.deepEqual((await photoAs(b!.id, owner)).body.tags, []);
  const unconfirmed = await web.post("/organize", [["photoIds", b!.id], ["intent", "delete"]]);
  assert.equal(unconfirmed.status, 400);
  assert.match(unconfirmed.html, /Yes, delete them/);
  assert.equal((await photoAs(b!.id, owner)).status, 200);
  const deleted = await web.post("/organize", [["photoIds", b!.id], ["intent", "delete"], ["confirmDelete", "1"]]);
  assert.equal(deleted.location, "/organize?deleted=1");
  assert.equal((await photoAs(b!.id, owner)).status, 404);
  const withoutCsrf = await web.post("/organize", [["photoIds", a!.id], ["addTags", "x"]], { withCsrf: false });
  assert.equal(withoutCsrf.status, 403);
});

test("a batch adds photos to one of the member's albums in the same transaction; never to another's or to a smart album", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const [a, b, c] = await threePhotos(owner);
  const album = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: "Picked", description: "" } });
  assert.equal(album.status, 201, JSON.stringify(album.body));
  assert.equal((await api(server, "POST", `/api/v1/albums/${album.body.id}/photos`, { token: owner.token, json: { photoIds: [c!.id] } })).status < 300, true);
  const added = await batch(owner, { photoIds: [a!.id, c!.id, b!.id], albumId: album.body.id, addTags: "picked" });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  const inAlbum = await api(server, "GET", `/api/v1/albums/${album.body.id}`, { token: owner.token });
  assert.deepEqual(inAlbum.body.photos.map((p: PhotoJson) => p.id), [c!.id, a!.id, b!.id], "new photos join at the end, in the order given; one already there stays put");
  assert.deepEqual((await photoAs(a!.id, owner)).body.tags, ["picked"]);

  const theirs = await api(server, "POST", "/api/v1/albums", { token: other.token, json: { title: "Theirs", description: "" } });
  assert.equal((await batch(owner, { photoIds: [a!.id], albumId: theirs.body.id })).status, 404);
  const smart = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: "Smart", description: "", rule: { tags: ["picked"] } } });
  assert.equal(smart.status, 201, JSON.stringify(smart.body));
  const refused = await batch(owner, { photoIds: [a!.id], albumId: smart.body.id, addTags: "never" });
  assert.equal(refused.status, 409);
  assert.deepEqual((await photoAs(a!.id, owner)).body.tags, ["picked"], "the refused batch changed nothing");

  const web = new WebClient(server);
  await web.logIn(owner);
  const page = await web.get("/organize");
  assert.match(page.html, new RegExp(`<option value="${album.body.id}">Picked</option>`));
  assert.doesNotMatch(page.html, /<option value="[0-9]+">Smart<\/option>/, "smart albums are not offered");
  const form = await web.post("/organize", [["photoIds", a!.id], ["albumId", album.body.id], ["location", "keep"], ["intent", "apply"]]);
  assert.equal(form.status, 303);
});
