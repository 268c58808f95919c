import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { eventually, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { locationVisibleTo, PhotosRepository } from "../../src/photos/repository.ts";
import { canSeeLocation, LOCATION_VISIBILITIES, NO_STANDING } from "../../src/photos/visibility.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

let drawn = 0;
/** A photo whose file records a camera model and a date taken, as a camera would write them. */
async function photoWithExif(owner: Member, exif: { model?: string; takenAt?: string }, fields: Record<string, string> = {}): Promise<PhotoJson> {
  drawn++;
  const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: (drawn * 53) % 256, g: (drawn * 17) % 256, b: (Date.now() + drawn) % 256 } } })
    .jpeg()
    .withMetadata({
      exif: {
        IFD0: { ImageDescription: `exif ${drawn} ${process.pid} ${Date.now()}`, ...(exif.model ? { Make: "Acme", Model: exif.model } : {}) },
        ...(exif.takenAt ? { IFD2: { DateTimeOriginal: exif.takenAt } } : {}),
      },
    })
    .toBuffer();
  const upload = await api(server, "POST", "/api/v1/photos", { token: owner.token, form: photoForm(bytes, fields, "exif.jpg") });
  assert.equal(upload.status, 201, JSON.stringify(upload.body));
  return upload.body as PhotoJson;
}

async function createAlbum(owner: Member, body: Record<string, unknown> = {}): Promise<{ id: number; title: string }> {
  const created = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: `Album ${Math.random().toString(36).slice(2, 8)}`, ...body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function albumIds(albumId: number, viewer?: Member, status = 200): Promise<string[]> {
  const answer = await api(server, "GET", `/api/v1/albums/${albumId}?limit=100`, { token: viewer?.token });
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  return status === 200 ? (answer.body.photos as PhotoJson[]).map((p) => p.id) : [];
}

const add = (owner: Member, albumId: number, photoIds: string[]) => api(server, "POST", `/api/v1/albums/${albumId}/photos`, { token: owner.token, json: { photoIds } });

describe("albums", () => {
  test("create, read, rename, add, remove and delete; deleting the album keeps its photos", async () => {
    const owner = await buildMember(server);
    const [a, b, c] = [await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner)];
    const album = await createAlbum(owner, { title: "Holiday", description: "By the sea" });
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}`, { token: owner.token })).body.album.photoCount, 0);
    const added = await add(owner, album.id, [a.id, b.id]);
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body, { added: 2 });
    assert.deepEqual((await add(owner, album.id, [b.id, c.id])).body, { added: 1 }, "a photo already in the album is not an error");
    assert.deepEqual(await albumIds(album.id), [a.id, b.id, c.id], "in the order added");

    const renamed = await api(server, "PATCH", `/api/v1/albums/${album.id}`, { token: owner.token, json: { title: "Summer", coverPhotoId: c.id } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.title, "Summer");
    assert.equal(renamed.body.cover.id, c.id);
    assert.equal(renamed.body.description, "By the sea");
    const stranger = await buildDistinctPhoto(server, owner);
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${album.id}`, { token: owner.token, json: { coverPhotoId: stranger.id } })).status, 400, "the cover must be in the album");
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${album.id}`, { token: owner.token, json: { title: "" } })).status, 400);

    const removed = await api(server, "DELETE", `/api/v1/albums/${album.id}/photos`, { token: owner.token, json: { photoIds: [c.id] } });
    assert.equal(removed.status, 204);
    assert.deepEqual(await albumIds(album.id), [a.id, b.id]);
    const after = (await api(server, "GET", `/api/v1/albums/${album.id}`)).body.album;
    assert.equal(after.cover.id, a.id, "removing the cover falls back to the first photo");

    const other = await buildMember(server);
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${album.id}`, { token: other.token, json: { title: "mine" } })).status, 403);
    assert.equal((await api(server, "DELETE", `/api/v1/albums/${album.id}`, { token: other.token })).status, 403);
    assert.equal((await api(server, "DELETE", `/api/v1/albums/${album.id}`)).status, 401);
    assert.equal((await api(server, "DELETE", `/api/v1/albums/${album.id}`, { token: owner.token })).status, 204);
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}`, { token: owner.token })).status, 404);
    assert.equal((await api(server, "GET", `/api/v1/photos/${a.id}`, { token: owner.token })).status, 200, "the photos stay");
  });

  test("adding is all or nothing: another member's photo, or one that does not exist, changes nothing", async () => {
    const owner = await buildMember(server);
    const other = await buildMember(server);
    const mine = await buildDistinctPhoto(server, owner);
    const theirsPublic = await buildDistinctPhoto(server, other);
    const theirsPrivate = await buildDistinctPhoto(server, other, { visibility: "private" });
    const album = await createAlbum(owner);
    const foreign = await add(owner, album.id, [mine.id, theirsPublic.id]);
    assert.equal(foreign.status, 403, JSON.stringify(foreign.body));
    assert.match(foreign.body.error.message, /not yours/);
    assert.equal((await add(owner, album.id, [mine.id, theirsPrivate.id])).status, 404, "a photo the owner may not see is not admitted to exist");
    assert.equal((await add(owner, album.id, [mine.id, "999999999999"])).status, 404);
    assert.equal((await add(owner, album.id, [mine.id, "abc"])).status, 400);
    assert.deepEqual(await albumIds(album.id, owner), [], "nothing was added");
    assert.equal((await api(server, "POST", `/api/v1/albums/${album.id}/photos`, { token: other.token, json: { photoIds: [theirsPublic.id] } })).status, 404, "another member's empty album is not there for them");
  });

  test("the order must be exactly a permutation of the album's photos", async () => {
    const owner = await buildMember(server);
    const photos = [await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner)];
    const [a, b, c] = photos.map((p) => p.id) as [string, string, string];
    const album = await createAlbum(owner);
    await add(owner, album.id, [a, b, c]);
    const order = (photoIds: string[]) => api(server, "PUT", `/api/v1/albums/${album.id}/order`, { token: owner.token, json: { photoIds } });
    for (const bad of [[a, b], [a, b, c, c], [a, b, b], [a, b, (await buildDistinctPhoto(server, owner)).id]]) {
      const answer = await order(bad);
      assert.equal(answer.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(answer.body)}`);
    }
    assert.deepEqual(await albumIds(album.id), [a, b, c], "unchanged");
    assert.equal((await order([c, a, b])).status, 204);
    assert.deepEqual(await albumIds(album.id), [c, a, b]);
    // Pages follow the order too.
    const first = await api(server, "GET", `/api/v1/albums/${album.id}?limit=2`);
    assert.deepEqual(first.body.photos.map((p: PhotoJson) => p.id), [c, a]);
    const second = await api(server, "GET", `/api/v1/albums/${album.id}?limit=2&cursor=${first.body.nextCursor}`);
    assert.deepEqual(second.body.photos.map((p: PhotoJson) => p.id), [b]);
    assert.equal(second.body.nextCursor, null);
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}?cursor=bm9wZQ`)).status, 400, "a cursor that is not one");
  });

  test("a refused order, collection or album form says why in the reader's language: the API's localizedMessage (message staying English) and the error page", async () => {
    const owner = await buildMember(server);
    const other = await buildMember(server);
    const photos = [await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner), await buildDistinctPhoto(server, owner)];
    const album = await createAlbum(owner);
    await add(owner, album.id, photos.map((p) => p.id));
    const reorder = await api(server, "PUT", `/api/v1/albums/${album.id}/order`, { token: owner.token, json: { photoIds: [photos[0]!.id] }, headers: { "accept-language": "de" } });
    assert.equal(reorder.status, 400);
    assert.equal(reorder.body.error.message, "photoIds must list each of the album's 3 photos exactly once, in the new order.");
    assert.equal(reorder.body.error.localizedMessage, "photoIds muss die Fotos des Albums (3 Fotos) jeweils genau einmal nennen, in der neuen Reihenfolge.");

    const theirs = await createAlbum(other);
    const collection = await api(server, "POST", "/api/v1/collections", { token: owner.token, json: { title: "Trips", albumIds: [album.id, theirs.id] }, headers: { "accept-language": "ja" } });
    assert.equal(collection.status, 400);
    assert.equal(collection.body.error.localizedMessage, `アルバム ${theirs.id} はあなたのアルバムではありません。コレクションに入れられるのは持ち主のアルバムだけです。何も変更していません。`);

    // A page: a new album from another member's photo, in the language the footer picked.
    const theirPhoto = await buildDistinctPhoto(server, other, { visibility: "public" });
    const web = new WebClient(server);
    await web.logIn(owner);
    await web.get(`/language?lang=de&return=/photos/${other.username}/${theirPhoto.id}`);
    await web.get(`/photos/${other.username}/${theirPhoto.id}`);
    const refused = await web.post("/albums/new", { title: "Not mine", photoId: theirPhoto.id });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /<html lang="de" dir="ltr">/);
    assert.ok(refused.html.includes("Ein Album enthält nur deine eigenen Fotos."), refused.html.slice(0, 2000));
  });

  test("each viewer sees, counts and gets as cover only the photos they may see; an album with none is a 404", async () => {
    const owner = await buildMember(server);
    const friend = await buildMember(server);
    const stranger = await buildMember(server);
    assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
    const priv = await buildDistinctPhoto(server, owner, { visibility: "private", title: "secret-private" });
    const friends = await buildDistinctPhoto(server, owner, { visibility: "friends", title: "secret-friends" });
    const pub = await buildDistinctPhoto(server, owner, { title: "open-public" });
    const album = await createAlbum(owner, { title: "Mixed album" });
    await add(owner, album.id, [priv.id, friends.id, pub.id]);
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${album.id}`, { token: owner.token, json: { coverPhotoId: priv.id } })).status, 200);

    const seen = async (viewer?: Member) => (await api(server, "GET", `/api/v1/albums/${album.id}`, { token: viewer?.token })).body;
    const asOwner = await seen(owner);
    assert.deepEqual(asOwner.photos.map((p: PhotoJson) => p.id), [priv.id, friends.id, pub.id]);
    assert.equal(asOwner.album.photoCount, 3);
    assert.equal(asOwner.album.cover.id, priv.id);
    const asFriend = await seen(friend);
    assert.deepEqual(asFriend.photos.map((p: PhotoJson) => p.id), [friends.id, pub.id]);
    assert.equal(asFriend.album.photoCount, 2);
    assert.equal(asFriend.album.cover.id, friends.id, "the private cover falls back to the first photo the friend may see");
    for (const viewer of [stranger, undefined]) {
      const body = await seen(viewer);
      assert.deepEqual(body.photos.map((p: PhotoJson) => p.id), [pub.id]);
      assert.equal(body.album.photoCount, 1);
      assert.equal(body.album.cover.id, pub.id);
    }
    const listed = (await api(server, "GET", `/api/v1/users/${owner.username}/albums`)).body.albums;
    assert.deepEqual(listed.map((a: { id: number; photoCount: number }) => [a.id, a.photoCount]), [[album.id, 1]]);

    // The pages: titles, no private photo.
    const web = new WebClient(server);
    const albumPage = await web.get(`/photos/${owner.username}/albums/${album.id}`);
    assert.equal(albumPage.status, 200);
    assert.match(albumPage.html, /Mixed album/);
    assert.ok(albumPage.html.includes(pub.id) && !albumPage.html.includes(priv.id) && !albumPage.html.includes(friends.id), "a visitor sees only the public photo");
    assert.ok(!albumPage.html.includes("secret-"), "nor the others' titles");
    const listPage = await web.get(`/photos/${owner.username}/albums`);
    assert.match(listPage.html, /Mixed album/);
    assert.match(listPage.html, /1 photo</);
    assert.ok(!listPage.html.includes(new URL(priv.sizes[0]!.url).pathname.split("/")[3]!), "the private cover's image is not on the list");
    assert.equal((await web.get(`/photos/${stranger.username}/albums/${album.id}`)).status, 404, "under another member's name");

    // Nothing visible: 404 for everyone but the owner, and gone from the list.
    await api(server, "DELETE", `/api/v1/albums/${album.id}/photos`, { token: owner.token, json: { photoIds: [pub.id] } });
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}`, { token: stranger.token })).status, 404);
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}`)).status, 404);
    assert.equal((await web.get(`/photos/${owner.username}/albums/${album.id}`)).status, 404);
    assert.equal((await api(server, "GET", `/api/v1/albums/${album.id}`, { token: friend.token })).status, 200);
    assert.deepEqual((await api(server, "GET", `/api/v1/users/${owner.username}/albums`)).body.albums, []);
    const empty = await createAlbum(owner, { title: "Nothing yet" });
    assert.equal((await api(server, "GET", `/api/v1/albums/${empty.id}`, { token: owner.token })).status, 200, "an empty album is its owner's");
    assert.equal((await api(server, "GET", `/api/v1/albums/${empty.id}`, { token: friend.token })).status, 404);
  });

  test("deleting a photo takes it out of its albums; the photo JSON names the albums the viewer may see", async () => {
    const owner = await buildMember(server);
    const viewer = await buildMember(server);
    const a = await buildDistinctPhoto(server, owner);
    const b = await buildDistinctPhoto(server, owner);
    const hidden = await buildDistinctPhoto(server, owner, { visibility: "private" });
    const one = await createAlbum(owner, { title: "One" });
    const two = await createAlbum(owner, { title: "Two" });
    await add(owner, one.id, [a.id, b.id]);
    await add(owner, two.id, [a.id, hidden.id]);
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${one.id}`, { token: owner.token, json: { coverPhotoId: b.id } })).status, 200);
    const json = await api(server, "GET", `/api/v1/photos/${a.id}`, { token: viewer.token });
    assert.deepEqual(json.body.albums, [{ id: one.id, title: "One" }, { id: two.id, title: "Two" }]);
    const page = await new WebClient(server).get(`/photos/${owner.username}/${a.id}`);
    assert.match(page.html, /In albums: <a href="\/photos\/[^"]+\/albums\/\d+">One<\/a>, <a[^>]*>Two<\/a>/);

    assert.equal((await api(server, "DELETE", `/api/v1/photos/${b.id}`, { token: owner.token })).status, 204);
    const album = await api(server, "GET", `/api/v1/albums/${one.id}`, { token: owner.token });
    assert.deepEqual(album.body.photos.map((p: PhotoJson) => p.id), [a.id]);
    assert.equal(album.body.album.photoCount, 1);
    assert.equal(album.body.album.cover.id, a.id, "the deleted cover is forgotten");
    assert.equal((await api(server, "PUT", `/api/v1/albums/${one.id}/order`, { token: owner.token, json: { photoIds: [a.id] } })).status, 204, "the order holds only what is left");
  });

  test("the photo page names a smart album the photo matches though no hand-made album holds it, and none once the rule stops matching", async () => {
    const owner = await buildMember(server);
    const photo = await buildDistinctPhoto(server, owner, { tags: "lighthouse" });
    const pagePath = `/photos/${owner.username}/${photo.id}`;
    const visitor = new WebClient(server);
    assert.doesNotMatch((await visitor.get(pagePath)).html, /In albums:/, "no album yet");
    const smart = await createAlbum(owner, { title: "Lights", rule: { tags: ["lighthouse"] } });
    assert.match((await visitor.get(pagePath)).html, new RegExp(`In albums: <a href="/photos/${owner.username}/albums/${smart.id}">Lights</a>`));
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${smart.id}`, { token: owner.token, json: { rule: { tags: ["harbour"] } } })).status, 200);
    assert.doesNotMatch((await visitor.get(pagePath)).html, /In albums:/, "the owner has a smart album, which this photo no longer matches");
  });

  test("the photo page's forms add a photo to an album, or to a new one; the photostream links to albums and collections", async () => {
    const owner = await buildMember(server);
    const photo = await buildDistinctPhoto(server, owner);
    const album = await createAlbum(owner, { title: "Form album" });
    const web = new WebClient(server);
    await web.logIn(owner);
    const page = await web.get(`/photos/${owner.username}/${photo.id}`);
    assert.match(page.html, /id="add-to-album"/);
    assert.match(page.html, /Form album/);
    const added = await web.post("/albums/add", { albumId: String(album.id), photoId: photo.id, next: `/photos/${owner.username}/${photo.id}` });
    assert.equal(added.status, 303);
    assert.deepEqual(await albumIds(album.id), [photo.id]);
    const created = await web.post("/albums/new", { title: "Made from the photo", photoId: photo.id });
    assert.equal(created.status, 303);
    const newId = Number(/albums\/(\d+)$/.exec(created.location!)![1]);
    assert.deepEqual(await albumIds(newId), [photo.id]);
    assert.equal((await web.post("/albums/add", { albumId: String(album.id), photoId: photo.id }, { withCsrf: false })).status, 403, "forms need the CSRF token");
    const stream = await new WebClient(server).get(`/photos/${owner.username}`);
    assert.match(stream.html, new RegExp(`href="/photos/${owner.username}/albums"`));
    assert.match(stream.html, new RegExp(`href="/photos/${owner.username}/collections"`));
    const other = new WebClient(server);
    await other.logIn(await buildMember(server));
    assert.doesNotMatch((await other.get(`/photos/${owner.username}/${photo.id}`)).html, /id="add-to-album"/, "only the owner adds");
  });
});

describe("smart albums", () => {
  test("by tags (all or any), date taken, camera and faves; they follow new uploads, tags and faves", async () => {
    const owner = await buildMember(server);
    const faver = await buildMember(server);
    const other = await buildMember(server);
    const beach = await photoWithExif(owner, { model: "Acme Z9", takenAt: "2021:06:15 10:00:00" }, { tags: "beach sunset" });
    const sunset = await photoWithExif(owner, { model: "Other 1", takenAt: "2022:01:02 10:00:00" }, { tags: "sunset" });
    const undated = await buildDistinctPhoto(server, owner, { tags: "beach" });
    await buildDistinctPhoto(server, other, { tags: "beach sunset" });

    const all = await createAlbum(owner, { rule: { tags: ["Beach", "sunset"] } });
    const any = await createAlbum(owner, { rule: { tags: ["beach", "sunset"], tagMode: "any" } });
    const y2021 = await createAlbum(owner, { rule: { takenFrom: "2021-01-01", takenTo: "2021-12-31" } });
    const camera = await createAlbum(owner, { rule: { camera: "Acme Z9" } });
    const faved = await createAlbum(owner, { rule: { minFaves: 1 } });
    assert.deepEqual(await albumIds(all.id), [beach.id]);
    assert.deepEqual(await albumIds(any.id), [sunset.id, beach.id, undated.id], "newest taken first, undated last; only the owner's photos");
    assert.deepEqual(await albumIds(y2021.id, owner), [beach.id]);
    assert.deepEqual(await albumIds(camera.id, owner), [beach.id]);
    assert.deepEqual(await albumIds(faved.id, owner), [], "nothing faved yet");

    const later = await photoWithExif(owner, { model: "Acme Z9", takenAt: "2021:12:31 23:59:00" });
    assert.deepEqual(await albumIds(y2021.id, owner), [later.id, beach.id], "takenTo includes its whole day; new uploads join");
    assert.deepEqual(await albumIds(camera.id, owner), [later.id, beach.id]);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${sunset.id}`, { token: owner.token, json: { tags: "beach sunset" } })).status, 200);
    assert.deepEqual(await albumIds(all.id), [sunset.id, beach.id], "tagging a photo brings it in");
    assert.equal((await api(server, "PUT", `/api/v1/photos/${undated.id}/fave`, { token: faver.token })).status, 200);
    assert.deepEqual(await albumIds(faved.id, owner), [undated.id], "a fave brings it in");
    const page = await api(server, "GET", `/api/v1/albums/${any.id}?limit=2`);
    const next = await api(server, "GET", `/api/v1/albums/${any.id}?limit=2&cursor=${page.body.nextCursor}`);
    assert.deepEqual([...page.body.photos, ...next.body.photos].map((p: PhotoJson) => p.id), [sunset.id, beach.id, undated.id], "pages of a smart album");
    assert.deepEqual((await api(server, "GET", `/api/v1/photos/${beach.id}`)).body.albums.map((a: { id: number }) => a.id).sort(), [all.id, any.id, y2021.id, camera.id].sort(), "the photo JSON names matching smart albums");

    // The rule is the owner's to read; others see that it is smart.
    const asOther = await api(server, "GET", `/api/v1/albums/${all.id}`, { token: other.token });
    assert.equal(asOther.body.album.smart, true);
    assert.equal(asOther.body.album.rule, null);
    assert.deepEqual((await api(server, "GET", `/api/v1/albums/${all.id}`, { token: owner.token })).body.album.rule, { tags: ["beach", "sunset"], tagMode: "all" });
    const patched = await api(server, "PATCH", `/api/v1/albums/${all.id}`, { token: owner.token, json: { rule: { tags: ["sunset"] } } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(await albumIds(all.id), [sunset.id, beach.id]);
  });

  test("made and changed from the albums page without JavaScript: the form's criteria become the rule; a half-given place is refused", async () => {
    const owner = await buildMember(server);
    const tag = `form${Date.now().toString(36)}`;
    const tagged = await buildDistinctPhoto(server, owner, { tags: tag });
    const other = await buildDistinctPhoto(server, owner, { tags: "elsewhere" });
    const web = new WebClient(server);
    await web.logIn(owner);
    const list = await web.get(`/photos/${owner.username}/albums`);
    assert.match(list.html, /id="new-smart-album"/);
    const fields = { title: "By the form", tags: tag, tagMode: "all", takenFrom: "", takenTo: "", camera: "", nearLatitude: "", nearLongitude: "", nearRadiusKm: "", minFaves: "" };
    assert.equal((await web.post("/albums/new-smart", fields, { withCsrf: false })).status, 403, "no CSRF token, no album");
    const made = await web.post("/albums/new-smart", fields);
    assert.equal(made.status, 303, made.html);
    const id = Number(/\/albums\/(\d+)$/.exec(made.location ?? "")?.[1]);
    const album = await api(server, "GET", `/api/v1/albums/${id}`, { token: owner.token });
    assert.deepEqual(album.body.album.rule, { tags: [tag], tagMode: "all" });
    assert.deepEqual(album.body.photos.map((p: PhotoJson) => p.id), [tagged.id]);
    const page = await web.get(`/photos/${owner.username}/albums/${id}`);
    assert.match(page.html, /id="album-rule-form"/);
    assert.match(page.html, new RegExp(`name="tags" value="${tag}"`), "the form shows the rule as it is");

    const halfPlace = await web.post(`/albums/${id}/rule`, { ...fields, nearLatitude: "51.5" });
    assert.equal(halfPlace.status, 400);
    assert.match(halfPlace.html, /latitude, longitude and radius together/);
    assert.deepEqual((await api(server, "GET", `/api/v1/albums/${id}`, { token: owner.token })).body.album.rule, { tags: [tag], tagMode: "all" }, "nothing changed");
    const changed = await web.post(`/albums/${id}/rule`, { ...fields, tags: `${tag} elsewhere`, tagMode: "any", minFaves: "0" });
    assert.equal(changed.status, 303, changed.html);
    const now = await api(server, "GET", `/api/v1/albums/${id}`, { token: owner.token });
    assert.deepEqual(now.body.album.rule, { tags: [tag, "elsewhere"], tagMode: "any", minFaves: 0 });
    assert.deepEqual(now.body.photos.map((p: PhotoJson) => p.id).sort(), [tagged.id, other.id].sort());
    const empty = await web.post(`/albums/${id}/rule`, { ...fields, tags: "" });
    assert.equal(empty.status, 400, "a rule needs at least one criterion");
  });

  test("photos cannot be added, removed or reordered by hand: 409; rules are checked", async () => {
    const owner = await buildMember(server);
    const photo = await buildDistinctPhoto(server, owner, { tags: "smart" });
    const album = await createAlbum(owner, { rule: { tags: ["smart"] } });
    for (const [method, path, json] of [
      ["POST", "photos", { photoIds: [photo.id] }],
      ["DELETE", "photos", { photoIds: [photo.id] }],
      ["PUT", "order", { photoIds: [photo.id] }],
    ] as const) {
      const answer = await api(server, method, `/api/v1/albums/${album.id}/${path}`, { token: owner.token, json });
      assert.equal(answer.status, 409, `${method} ${path}`);
      assert.match(answer.body.error.message, /smart album/);
    }
    const manual = await createAlbum(owner);
    assert.equal((await api(server, "PATCH", `/api/v1/albums/${manual.id}`, { token: owner.token, json: { rule: { tags: ["x"] } } })).status, 409, "a hand-made album has no rule");
    for (const rule of [{}, { near: { latitude: 91, longitude: 0, radiusKm: 1 } }, { near: { latitude: 0, longitude: 181, radiusKm: 1 } }, { near: { latitude: 0, longitude: 0, radiusKm: 0 } }, { near: { latitude: 0, longitude: 0, radiusKm: 20001 } }, { takenFrom: "2021-13-01" }, { takenFrom: "2022-01-01", takenTo: "2021-01-01" }, { minFaves: -1 }, { tags: ["!!!"] }, { colour: "red" }]) {
      const answer = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: "bad", rule } });
      assert.equal(answer.status, 400, `${JSON.stringify(rule)}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    assert.equal((await api(server, "GET", `/api/v1/users/${owner.username}/albums`, { token: owner.token })).body.albums.length, 2, "no bad album was made");
  });

  test("near: by distance, and never through a location the viewer may not see", async () => {
    const owner = await buildMember(server);
    const contact = await buildMember(server);
    const stranger = await buildMember(server);
    assert.equal((await api(server, "PUT", `/api/v1/contacts/${contact.username}`, { token: owner.token, json: {} })).status, 201);
    const place = async (photo: PhotoJson, latitude: number, longitude: number, visibility: string) => {
      const answer = await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude, longitude, visibility } });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    };
    const open = await buildDistinctPhoto(server, owner, { title: "near-open" });
    const contactsOnly = await buildDistinctPhoto(server, owner, { title: "near-contacts" });
    const secret = await buildDistinctPhoto(server, owner, { title: "near-secret" });
    const far = await buildDistinctPhoto(server, owner, { title: "near-far" });
    await place(open, 35.6586, 139.7454, "everyone"); // Tokyo Tower
    await place(contactsOnly, 35.7101, 139.8107, "contacts"); // Skytree, about 8 km away
    await place(secret, 35.6595, 139.7005, "private"); // Shibuya, about 4 km away
    await place(far, 34.6937, 135.5023, "everyone"); // Osaka, about 400 km away
    const tokyo = await createAlbum(owner, { title: "Tokyo", rule: { near: { latitude: 35.6586, longitude: 139.7454, radiusKm: 10 } } });
    const ids = async (viewer?: Member) => (await albumIds(tokyo.id, viewer)).sort();
    assert.deepEqual(await ids(owner), [open.id, contactsOnly.id, secret.id].sort(), "the owner: every own photo within 10 km");
    assert.deepEqual(await ids(contact), [open.id, contactsOnly.id].sort(), "a contact: the location shared with contacts too");
    assert.deepEqual(await ids(stranger), [open.id], "a stranger: only locations for everyone");
    assert.deepEqual(await ids(), [open.id]);
    const count = async (viewer?: Member) => (await api(server, "GET", `/api/v1/albums/${tokyo.id}`, { token: viewer?.token })).body.album.photoCount;
    assert.equal(await count(stranger), 1, "the count does not leak either");
    assert.deepEqual((await api(server, "GET", `/api/v1/photos/${secret.id}`, { token: stranger.token })).body.albums, [], "the photo JSON does not name the album for a photo whose place is hidden");
    assert.deepEqual((await api(server, "GET", `/api/v1/photos/${secret.id}`, { token: owner.token })).body.albums, [{ id: tokyo.id, title: "Tokyo" }]);
    const page = await new WebClient(server).get(`/photos/${owner.username}/albums/${tokyo.id}`);
    assert.ok(!page.html.includes("near-secret") && !page.html.includes("near-contacts"), "the page shows none of the hidden ones");
    // Only the open photo within the radius: a small radius leaves out the others.
    const close = await createAlbum(owner, { rule: { near: { latitude: 35.6586, longitude: 139.7454, radiusKm: 1 } } });
    assert.deepEqual(await albumIds(close.id, owner), [open.id]);
    // Making the open photo's place private takes it out for others at once; the album then is a 404 for them.
    await place(open, 35.6586, 139.7454, "private");
    await albumIds(tokyo.id, stranger, 404);
    const wide = await createAlbum(owner, { rule: { near: { latitude: 35, longitude: 137, radiusKm: 20_000 } } });
    assert.equal((await albumIds(wide.id, owner)).length, 4, "the whole Earth");
  });
});

describe("collections", () => {
  test("albums grouped under a name, in order; only the owner's albums; each viewer sees the albums they may see", async () => {
    const owner = await buildMember(server);
    const other = await buildMember(server);
    const pub = await buildDistinctPhoto(server, owner);
    const priv = await buildDistinctPhoto(server, owner, { visibility: "private" });
    const open = await createAlbum(owner, { title: "Open album" });
    const closed = await createAlbum(owner, { title: "Closed album" });
    await add(owner, open.id, [pub.id]);
    await add(owner, closed.id, [priv.id]);
    const theirs = await createAlbum(other);
    const refused = await api(server, "POST", "/api/v1/collections", { token: owner.token, json: { title: "Trips", albumIds: [open.id, theirs.id] } });
    assert.equal(refused.status, 400, "another member's album");
    assert.deepEqual((await api(server, "GET", `/api/v1/users/${owner.username}/collections`, { token: owner.token })).body.collections, [], "nothing was made");

    const created = await api(server, "POST", "/api/v1/collections", { token: owner.token, json: { title: "Trips", description: "Far away", albumIds: [closed.id, open.id] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.albums.map((a: { id: number }) => a.id), [closed.id, open.id]);
    const id = created.body.id;
    const asOther = await api(server, "GET", `/api/v1/collections/${id}`, { token: other.token });
    assert.deepEqual(asOther.body.albums.map((a: { id: number }) => a.id), [open.id], "the closed album is not shown");
    const reordered = await api(server, "PATCH", `/api/v1/collections/${id}`, { token: owner.token, json: { title: "Journeys", albumIds: [open.id, closed.id] } });
    assert.equal(reordered.status, 200);
    assert.equal(reordered.body.title, "Journeys");
    assert.deepEqual(reordered.body.albums.map((a: { id: number }) => a.id), [open.id, closed.id]);
    assert.equal((await api(server, "PATCH", `/api/v1/collections/${id}`, { token: owner.token, json: { albumIds: [theirs.id] } })).status, 400);
    assert.equal((await api(server, "PATCH", `/api/v1/collections/${id}`, { token: other.token, json: { title: "x" } })).status, 403);

    const web = new WebClient(server);
    const list = await web.get(`/photos/${owner.username}/collections`);
    assert.match(list.html, /Journeys/);
    const page = await web.get(`/photos/${owner.username}/collections/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /Open album/);
    assert.doesNotMatch(page.html, /Closed album/);

    // Only closed albums left: not there for others.
    await api(server, "PATCH", `/api/v1/collections/${id}`, { token: owner.token, json: { albumIds: [closed.id] } });
    assert.equal((await api(server, "GET", `/api/v1/collections/${id}`, { token: other.token })).status, 404);
    assert.deepEqual((await api(server, "GET", `/api/v1/users/${owner.username}/collections`)).body.collections, []);

    assert.equal((await api(server, "DELETE", `/api/v1/collections/${id}`, { token: owner.token })).status, 204);
    assert.equal((await api(server, "GET", `/api/v1/collections/${id}`, { token: owner.token })).status, 404);
    assert.equal((await api(server, "GET", `/api/v1/albums/${closed.id}`, { token: owner.token })).status, 200, "deleting a collection keeps its albums");
    // Deleting an album takes it out of its collections.
    const second = await api(server, "POST", "/api/v1/collections", { token: owner.token, json: { title: "Again", albumIds: [open.id] } });
    await api(server, "DELETE", `/api/v1/albums/${open.id}`, { token: owner.token });
    assert.deepEqual((await api(server, "GET", `/api/v1/collections/${second.body.id}`, { token: owner.token })).body.albums, []);
  });

  test("every album and collection route is in the OpenAPI description", async () => {
    const spec = (await api(server, "GET", "/api/v1/openapi.json")).body;
    for (const path of ["/api/v1/albums", "/api/v1/albums/{id}", "/api/v1/albums/{id}/photos", "/api/v1/albums/{id}/order", "/api/v1/users/{username}/albums", "/api/v1/collections", "/api/v1/collections/{id}", "/api/v1/users/{username}/collections"]) {
      assert.ok(spec.paths[path], `${path} is described`);
    }
  });
});

test("the owner reorders an album in a browser, by dragging and by the keyboard buttons", async (t) => {
  const browser = await launchChromium();
  if (!browser) return t.skip("no Chromium here");
  try {
    const owner = await buildMember(server);
    const photos = [await buildDistinctPhoto(server, owner, { title: "first" }), await buildDistinctPhoto(server, owner, { title: "second" }), await buildDistinctPhoto(server, owner, { title: "third" })];
    const [a, b, c] = photos.map((p) => p.id) as [string, string, string];
    const album = await createAlbum(owner, { title: "Browser album" });
    await add(owner, album.id, [a, b, c]);
    const page = await browser.newPage();
    await logInThroughForm(page, server.url, owner);
    await page.goto(`${server.url}/photos/${owner.username}/albums/${album.id}`);
    // The keyboard: focus "move later" on the first photo and press Enter.
    await page.locator(`li[data-photo-id="${a}"] .move-later`).focus();
    await page.keyboard.press("Enter");
    await eventually(() => albumIds(album.id), (ids) => ids.join() === [b, a, c].join(), "the keyboard move is saved");
    // The database has the new order a moment before the page has the answer that says so.
    await page.waitForFunction(() => document.querySelector("#album-status")?.textContent === "Order saved.", undefined, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("move-later")), true, "the focus stays on the button");
    // Drag the third photo onto the start of the first tile.
    const source = page.locator(`li[data-photo-id="${c}"]`);
    const target = page.locator(`li[data-photo-id="${b}"]`);
    const box = (await target.boundingBox())!;
    await source.dragTo(target, { targetPosition: { x: 2, y: box.height / 2 } });
    await eventually(() => albumIds(album.id), (ids) => ids.join() === [c, b, a].join(), "the drag is saved");
    await page.reload();
    const shown = await page.locator("#album-photos li[data-photo-id]").evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.photoId));
    assert.deepEqual(shown, [c, b, a], "the page shows the saved order");
    // The script has no words of its own: in German it says what the German page gave it.
    await page.context().addCookies([{ name: "lang", value: "de", url: server.url }]);
    await page.reload();
    const status = () => page.evaluate(() => document.querySelector("#album-status")?.textContent ?? "");
    await page.locator(`li[data-photo-id="${c}"] .move-earlier`).click();
    await eventually(status, (text) => text === "Schon das erste Foto.", "the German status for the first photo");
    await page.locator(`li[data-photo-id="${c}"] .move-later`).click();
    await eventually(status, (text) => text === "Reihenfolge gespeichert.", "the German status once saved");
    assert.deepEqual(await albumIds(album.id), [b, c, a]);
  } finally {
    await browser.close();
  }
});

test("locationVisibleTo (the SQL the near rule uses) agrees with canSeeLocation for every level and viewer", async () => {
  const owner = await buildMember(server);
  const viewers = { stranger: await buildMember(server), contact: await buildMember(server), friend: await buildMember(server), family: await buildMember(server), blocked: await buildMember(server) };
  for (const [name, json] of [["contact", {}], ["friend", { friend: true }], ["family", { family: true }], ["blocked", { friend: true }]] as const) {
    assert.equal((await api(server, "PUT", `/api/v1/contacts/${viewers[name].username}`, { token: owner.token, json })).status, 201);
  }
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${viewers.blocked.username}`, { token: owner.token })).status, 204);
  const idOf = async (member: Member) => (await api(server, "GET", "/api/v1/me", { token: member.token })).body.id as number;
  const ownerId = await idOf(owner);
  const repository = new PhotosRepository(server.context.database.db);
  const db = server.context.database.db;
  const photo = await buildDistinctPhoto(server, owner);
  const audiences: Array<[string, number | null]> = [["anonymous", null], ["owner", ownerId]];
  for (const [name, member] of Object.entries(viewers)) audiences.push([name, await idOf(member)]);
  for (const level of LOCATION_VISIBILITIES) {
    assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 1, longitude: 2, visibility: level } })).status, 200);
    for (const [name, viewerId] of audiences) {
      const standing = viewerId === null || viewerId === ownerId ? NO_STANDING : await repository.standing(ownerId, viewerId);
      const inCode = canSeeLocation(level, viewerId, ownerId, standing);
      const row = await db.selectFrom("photos").select("id").where("id", "=", Number(photo.id)).where(locationVisibleTo({ viewerId, showsRestricted: false }, "photos")).executeTakeFirst();
      assert.equal(row !== undefined, inCode, `${level} seen by ${name}: code and SQL agree`);
    }
  }
});
