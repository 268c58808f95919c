import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import exifr from "exifr";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

const locationSeenBy = async (photoId: string, viewer?: Member) => {
  const answer = await api(server, "GET", `/api/v1/photos/${photoId}`, { token: viewer?.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.location as { latitude: number; longitude: number; visibility: string } | null;
};
const pageShowsLocation = async (owner: Member, photoId: string, viewer?: Member) => {
  const web = new WebClient(server);
  if (viewer) await web.logIn(viewer);
  const page = await web.get(`/photos/${owner.username}/${photoId}`);
  assert.equal(page.status, 200);
  return /id="location"/.test(page.html);
};

test("a location from the camera is the owner's alone until they share it; derivatives never carry it", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/evening-boats.jpg"));
  assert.deepEqual(await locationSeenBy(photo.id, owner), { latitude: 54.580012, longitude: -3.138641, altitude: 76, visibility: "private" });
  assert.equal(await locationSeenBy(photo.id, other), null);
  assert.equal(await locationSeenBy(photo.id), null);
  assert.equal(await pageShowsLocation(owner, photo.id), false);
  assert.equal(await pageShowsLocation(owner, photo.id, owner), true);
  for (const size of photo.sizes) {
    const bytes = Buffer.from(await (await fetch(size.url)).arrayBuffer());
    const gps = await exifr.gps(bytes).catch(() => undefined);
    assert.ok(!gps || gps.latitude === undefined, `${size.name}.${size.format} carries no GPS`);
  }
});

test("who sees the location: everyone, contacts, friends and family, or only the owner — apart from who sees the photo", async () => {
  const owner = await buildMember(server);
  const contact = await buildMember(server);
  const friend = await buildMember(server);
  const stranger = await buildMember(server);
  const blocked = await buildMember(server);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${contact.username}`, { token: owner.token, json: {} })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  const photo = await buildDistinctPhoto(server, owner);
  assert.equal(await locationSeenBy(photo.id, owner), null, "no location yet");

  const set = async (visibility: string) => {
    const answer = await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 35.6586, longitude: 139.7454, visibility } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.location, { latitude: 35.6586, longitude: 139.7454, altitude: null, visibility });
  };
  const who = async () => {
    const viewers: Array<[string, Member | undefined]> = [["anonymous", undefined], ["stranger", stranger], ["contact", contact], ["friend", friend], ["blocked", blocked]];
    const seeing: string[] = [];
    for (const [name, viewer] of viewers) if (await locationSeenBy(photo.id, viewer)) seeing.push(name);
    return seeing;
  };
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${blocked.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token })).status, 204);

  await set("everyone");
  assert.deepEqual(await who(), ["anonymous", "stranger", "contact", "friend", "blocked"], "as for public photos: logged out, the blocked member would see it anyway");
  assert.equal(await pageShowsLocation(owner, photo.id), true);
  await set("contacts");
  assert.deepEqual(await who(), ["contact", "friend"]);
  assert.equal(await locationSeenBy(photo.id, blocked), null, "a blocked member never, even one marked friend before the block");
  assert.equal(await pageShowsLocation(owner, photo.id, contact), true);
  assert.equal(await pageShowsLocation(owner, photo.id, stranger), false);
  await set("friends_and_family");
  assert.deepEqual(await who(), ["friend"]);
  await set("private");
  assert.deepEqual(await who(), []);

  // Lists never look up how each viewer stands to each owner: there only "everyone" shows.
  await set("contacts");
  const listed = (await api(server, "GET", `/api/v1/users/${owner.username}/photos`, { token: contact.token })).body.photos[0];
  assert.equal(listed.location, null);
  await set("everyone");
  assert.ok((await api(server, "GET", `/api/v1/users/${owner.username}/photos`)).body.photos[0].location);

  // Bad coordinates are refused and change nothing; only the owner may set or remove.
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 91, longitude: 0 } })).status, 400);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude: 10, longitude: 10, visibility: "neighbours" } })).status, 400);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: contact.token, json: { latitude: 1, longitude: 1 } })).status, 403);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}/location`, { token: stranger.token })).status, 403);
  assert.equal((await locationSeenBy(photo.id, owner))?.latitude, 35.6586);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}/location`, { token: owner.token })).status, 204);
  assert.equal(await locationSeenBy(photo.id, owner), null);
});

test("the owner's default applies to new uploads, and the photo page's form sets, moves and removes a location", async () => {
  const owner = await buildMember(server);
  const saved = await api(server, "PUT", "/api/v1/me/settings/photos", { token: owner.token, json: { license: "all-rights-reserved", downloadAllowed: false, locationVisibility: "everyone" } });
  assert.equal(saved.body.locationVisibility, "everyone");
  const photo = await buildPhoto(server, owner, {}, corpusFile("photos/evening-boats.jpg"));
  assert.equal((await locationSeenBy(photo.id))?.visibility, "everyone", "shared as the member chose for new uploads");

  const web = new WebClient(server);
  await web.logIn(owner);
  const moved = await web.post(`/photos/${owner.username}/${photo.id}/location`, { latitude: "48.8584", longitude: "2.2945", visibility: "contacts" });
  assert.equal(moved.status, 303);
  assert.deepEqual(await locationSeenBy(photo.id, owner), { latitude: 48.8584, longitude: 2.2945, altitude: null, visibility: "contacts" });
  assert.equal(await locationSeenBy(photo.id), null);
  assert.equal((await web.post(`/photos/${owner.username}/${photo.id}/location`, { latitude: "north", longitude: "2" })).status, 400);
  assert.equal((await web.post(`/photos/${owner.username}/${photo.id}/location`, { latitude: "", longitude: "" })).status, 303);
  assert.equal(await locationSeenBy(photo.id, owner), null);
});
