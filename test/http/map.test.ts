import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { seedLocatedPhotos } from "../helpers/map.ts";
import { MapsRepository, rebuildMap } from "../../src/maps/repository.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";

let server: TestServer;
let admin: Member;
let crowd: Member;
before(async () => {
  server = await startServer();
  // The first account of a site is its admin.
  admin = await buildMember(server);
  crowd = await buildMember(server);
  // 300 public photos around Paris, located for everyone: enough that world views are clusters.
  await seedLocated(crowd, Array.from({ length: 300 }, (_, i) => [48.85 + ((i % 20) - 10) * 0.004, 2.35 + (Math.floor(i / 20) - 7) * 0.004] as [number, number]));
});
after(async () => server.close());

const WORLD = "-180,-90,180,90";
const PARIS = [48.85, 2.35] as const;

type MapAnswer = {
  kind: "clusters" | "points";
  total: number;
  truncated: boolean;
  clusters: Array<{ latitude: number; longitude: number; count: number; photo: { id: string; thumbnailUrl: string; pageUrl: string } | null }>;
  points: Array<{ id: string; latitude: number; longitude: number; title: string; thumbnailUrl: string; pageUrl: string }>;
};

const seedLocated = (owner: Member, places: Array<[number, number]>) => seedLocatedPhotos(server, owner.username, places);

async function map(query: string, viewer?: Member): Promise<MapAnswer> {
  const answer = await api(server, "GET", `/api/v1/map?${query}`, { token: viewer?.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as MapAnswer;
}

/** The photo ids on the map around a place, as single photos (the box holds few). */
async function idsNear(place: readonly [number, number], viewer?: Member, user?: string): Promise<string[]> {
  const [lat, lon] = place;
  const answer = await map(`bbox=${lon - 0.5},${lat - 0.5},${lon + 0.5},${lat + 0.5}&zoom=10${user ? `&user=${user}` : ""}`, viewer);
  assert.equal(answer.kind, "points");
  return answer.points.map((p) => p.id).sort();
}

/** The count of the world-view cluster nearest to a place (0 when none is within a degree): cluster counts are locations too. */
async function clusterCountNear(place: readonly [number, number], viewer?: Member): Promise<number> {
  const answer = await map(`bbox=${WORLD}&zoom=3`, viewer);
  assert.equal(answer.kind, "clusters");
  assert.equal(answer.total, answer.clusters.reduce((n, c) => n + c.count, 0));
  const near = answer.clusters.filter((c) => Math.abs(c.latitude - place[0]) < 1 && Math.abs(c.longitude - place[1]) < 1);
  return near.reduce((n, c) => n + c.count, 0);
}

async function place(owner: Member, photoId: string, at: readonly [number, number], visibility = "everyone"): Promise<void> {
  const answer = await api(server, "PUT", `/api/v1/photos/${photoId}/location`, { token: owner.token, json: { latitude: at[0], longitude: at[1], visibility } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

async function assertInvariant(): Promise<void> {
  const { stored, recounted } = await new MapsRepository(server.context.database.db).invariantCheck();
  assert.deepEqual(stored.points, recounted.points, "map_points holds exactly the photos on everyone's map");
  assert.deepEqual(stored.cells, recounted.cells, "map_cells equals a live recount of map_points");
}

test("world views are clusters at the mean of their photos, with a thumbnail; deep or sparse views are single photos inside the box", async () => {
  const world = await map(`bbox=${WORLD}&zoom=2`);
  assert.equal(world.kind, "clusters");
  assert.ok(world.total >= 300);
  const paris = world.clusters.find((c) => Math.abs(c.latitude - PARIS[0]) < 0.5 && Math.abs(c.longitude - PARIS[1]) < 0.5);
  assert.ok(paris, JSON.stringify(world.clusters));
  assert.equal(paris.count, 300);
  // The seeded grid is symmetric around 48.85 (−10…9 steps) and 2.35 (−7…7): its mean is half a step off.
  assert.ok(Math.abs(paris.latitude - (48.85 - 0.002)) < 1e-6 && Math.abs(paris.longitude - 2.35) < 1e-6, `${paris.latitude}, ${paris.longitude}`);
  assert.match(paris.photo!.thumbnailUrl, /\/img\/\d+\/[0-9a-f]{20}\/sq75\.jpg$/);
  assert.match(paris.photo!.pageUrl, new RegExp(`/photos/${crowd.username}/\\d+$`));
  assert.deepEqual(world.points, []);

  // Closer in, the cells are smaller: the same photos in more clusters, counted the same.
  const city = await map(`bbox=2.2,48.75,2.5,48.95&zoom=13`);
  assert.equal(city.kind, "clusters");
  assert.equal(city.total, 300);
  assert.ok(city.clusters.length > 4, `${city.clusters.length} clusters at zoom 13`);

  // Zoomed right in: single photos, only those inside the box.
  const street = await map(`bbox=2.3395,48.8295,2.3445,48.8345&zoom=17`);
  assert.equal(street.kind, "points");
  assert.ok(street.points.length > 0 && street.points.length < 10, JSON.stringify(street.points));
  for (const p of street.points) assert.ok(p.latitude >= 48.8295 && p.latitude <= 48.8345 && p.longitude >= 2.3395 && p.longitude <= 2.3445, JSON.stringify(p));
  assert.ok(street.points.every((p) => p.title.startsWith("seeded ") && p.pageUrl.includes(`/photos/${crowd.username}/${p.id}`)));

  // A box holding few photos answers them one by one at any zoom; a box elsewhere holds none of them.
  const few = await seedLocated(crowd, [[-33.86, 151.21], [-33.87, 151.2]]);
  const sydney = await map(`bbox=150,-35,152,-33&zoom=4`);
  assert.equal(sydney.kind, "points");
  assert.deepEqual(sydney.points.map((p) => p.id).sort(), few.map(String).sort());
  assert.deepEqual((await map(`bbox=100,-10,120,10&zoom=4`)).points, []);
});

test("a box across the antimeridian holds photos on both sides of it", async () => {
  const fiji = await seedLocated(crowd, [[-17.5, 179.5], [-17.6, -179.6]]);
  const across = await map(`bbox=179,-18,-179,-17&zoom=8`);
  assert.equal(across.kind, "points");
  assert.deepEqual(across.points.map((p) => p.id).sort(), fiji.map(String).sort());
  assert.deepEqual((await map(`bbox=179,-18,179.9,-17&zoom=8`)).points.map((p) => p.id), [String(fiji[0])]);
  // Latitudes beyond Web Mercator's are clamped, not refused.
  assert.equal((await map(`bbox=-180,-90,180,90&zoom=0`)).kind, "clusters");
});

test("bad boxes and zooms are refused with 400, naming the problem", async () => {
  const bad = ["bbox=1,2,3&zoom=3", "bbox=a,b,c,d&zoom=3", "bbox=0,10,10,5&zoom=3", "bbox=0,0,0,10&zoom=3", "bbox=-181,0,10,10&zoom=3", "bbox=0,-91,10,10&zoom=3", "bbox=0,0,10,10&zoom=21", "bbox=0,0,10,10&zoom=-1", "bbox=0,0,10,10&zoom=2.5", "bbox=0,0,10,10", "zoom=3", "bbox=1e400,0,10,10&zoom=3"];
  for (const query of bad) {
    const answer = await api(server, "GET", `/api/v1/map?${query}`);
    assert.equal(answer.status, 400, `${query}: ${JSON.stringify(answer.body)}`);
    assert.ok(answer.body.error.message.length > 0);
  }
  assert.equal((await api(server, "GET", `/api/v1/map?bbox=${WORLD}&zoom=3&user=nobody-here`)).status, 404);
});

test("a refused box is explained in the reader's language (localizedMessage; message stays English), and so is a map page's 404; map.js gets its fallback words", async () => {
  const cases = [
    ["bbox=1,2,3&zoom=3", "errors.map.bboxShape"],
    ["bbox=-181,0,10,10&zoom=3", "errors.map.bboxLongitudes"],
    ["bbox=0,-91,10,10&zoom=3", "errors.map.bboxLatitudes"],
    ["bbox=0,10,10,5&zoom=3", "errors.map.bboxOrder"],
    ["bbox=0,0,0,10&zoom=3", "errors.map.bboxWidth"],
  ] as const;
  for (const [query, key] of cases) {
    const answer = await api(server, "GET", `/api/v1/map?${query}`, { headers: { "accept-language": "ja" } });
    assert.equal(answer.status, 400, query);
    assert.deepEqual(answer.body.error, { code: "invalid", message: CATALOGS.en[key], localizedMessage: CATALOGS.ja[key], details: { field: "bbox" } }, query);
  }
  assert.equal((await api(server, "GET", `/api/v1/map?bbox=${WORLD}&zoom=3&user=nobody-here`, { headers: { "accept-language": "de" } })).body.error.localizedMessage, "Es gibt kein Mitglied mit diesem Namen.");
  const missing = await fetch(`${server.url}/photos/nobody-here/map`, { headers: { accept: "text/html", "accept-language": "de" } });
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Es gibt kein Mitglied mit diesem Namen\./);
  const page = await (await fetch(`${server.url}/map`, { headers: { "accept-language": "de" } })).text();
  assert.match(page, /data-msg-failed-status="Der Server antwortete mit \{status\}\."/, "what map.js says when an answer has no message");
});

test("a member's map holds only their photos", async () => {
  const one = await buildMember(server);
  const two = await buildMember(server);
  const rome = [41.9, 12.5] as const;
  const a = await buildDistinctPhoto(server, one);
  const b = await buildDistinctPhoto(server, two);
  await place(one, a.id, rome);
  await place(two, b.id, [41.91, 12.49]);
  assert.deepEqual(await idsNear(rome), [a.id, b.id].sort());
  assert.deepEqual(await idsNear(rome, undefined, one.username), [a.id]);
  assert.deepEqual(await idsNear(rome, undefined, two.username), [b.id]);
  const theirs = await map(`bbox=${WORLD}&zoom=2&user=${one.username}`);
  assert.equal(theirs.total, 1, "the crowd in Paris is not theirs");
  // Their pages: the site's map and theirs, each listing the newest photos for browsers without JavaScript.
  const web = new WebClient(server);
  const page = await web.get(`/photos/${one.username}/map`);
  assert.equal(page.status, 200);
  assert.match(page.html, /id="site-map"[^>]*data-user="/);
  assert.ok(page.html.includes(`/photos/${one.username}/${a.id}`) && !page.html.includes(`/photos/${two.username}/${b.id}`));
  assert.match((await web.get(`/photos/${one.username}`)).html, new RegExp(`href="/photos/${one.username}/map"`));
  const site = await web.get("/map");
  assert.equal(site.status, 200);
  assert.ok(site.html.includes(`/photos/${two.username}/${b.id}`));
  assert.match(site.html, /<script src="\/static\/leaflet\.[0-9a-f]{12}\.js" defer><\/script>/);
  assert.equal((await web.get("/photos/nobody-here/map")).status, 404);
});

test("a photo is on someone's map only if they may see the photo and where it was taken; cluster counts too", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const contact = await buildMember(server);
  const stranger = await buildMember(server);
  const blocked = await buildMember(server);
  const optedIn = await buildMember(server);
  assert.equal((await api(server, "PUT", "/api/v1/me/settings/restricted", { token: optedIn.token, json: { show: true } })).status, 200);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${contact.username}`, { token: owner.token, json: {} })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${blocked.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token })).status, 204);

  const reykjavik = [64.14, -21.94] as const;
  const cases = {
    everyone: { fields: {}, location: "everyone" },
    contactsLocation: { fields: {}, location: "contacts" },
    friendsLocation: { fields: {}, location: "friends_and_family" },
    privateLocation: { fields: {}, location: "private" },
    friendsPhoto: { fields: { visibility: "friends" }, location: "everyone" },
    privatePhoto: { fields: { visibility: "private" }, location: "everyone" },
    restricted: { fields: { restricted: "true" }, location: "everyone" },
    hidden: { fields: {}, location: "everyone" },
  } as const;
  const ids = new Map<string, string>();
  let i = 0;
  for (const [name, c] of Object.entries(cases)) {
    const photo = await buildDistinctPhoto(server, owner, c.fields);
    await place(owner, photo.id, [reykjavik[0] + i * 0.01, reykjavik[1]], c.location);
    ids.set(name, photo.id);
    i++;
  }
  const report = await api(server, "POST", "/api/v1/reports", { token: stranger.token, json: { targetKind: "photo", targetId: ids.get("hidden"), reason: "map" } });
  assert.equal(report.status, 201);
  assert.equal((await api(server, "POST", `/api/v1/admin/reports/${report.body.id}/resolution`, { token: admin.token, json: { action: "hide" } })).status, 200);

  const expected: Array<[string, Member | undefined, string[]]> = [
    ["anonymous", undefined, ["everyone"]],
    ["stranger", stranger, ["everyone"]],
    // Lists show only locations for everyone: a contact or friend sees no more on a map.
    ["contact", contact, ["everyone"]],
    ["friend", friend, ["everyone", "friendsPhoto"]],
    // Blocked: public photos only, as they would logged out.
    ["blocked", blocked, ["everyone"]],
    ["opted-in", optedIn, ["everyone", "restricted"]],
    ["owner", owner, Object.keys(cases)],
  ];
  for (const [who, viewer, names] of expected) {
    const want = names.map((n) => ids.get(n)!).sort();
    assert.deepEqual(await idsNear(reykjavik, viewer), want, `${who} sees ${names.join(", ")}`);
    assert.equal(await clusterCountNear(reykjavik, viewer), names.length, `${who}'s cluster counts ${names.length}`);
    assert.deepEqual(await idsNear(reykjavik, viewer, owner.username), want, `${who} on the owner's map`);
  }
  await assertInvariant();
});

test("a photo leaves the map at once when it is made private, its location less visible or removed, it is hidden, its owner suspended or it is deleted", async () => {
  const owner = await buildMember(server);
  const lisbon = [38.72, -9.14] as const;
  const photo = await buildDistinctPhoto(server, owner);
  // Suspension ends the owner's sessions: the photo deleted at the end is uploaded first.
  const other = await buildDistinctPhoto(server, owner);
  await place(owner, photo.id, lisbon);
  const onMap = async (expected: boolean, what: string) => {
    assert.deepEqual(await idsNear(lisbon), expected ? [photo.id] : [], `${what}: single photos`);
    assert.equal(await clusterCountNear(lisbon), expected ? 1 : 0, `${what}: cluster counts`);
    await assertInvariant();
  };
  const patch = async (json: Record<string, unknown>) => assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json })).status, 200);
  await onMap(true, "public, located for everyone");
  await patch({ visibility: "private" });
  await onMap(false, "made private");
  await patch({ visibility: "public" });
  await onMap(true, "public again");
  await place(owner, photo.id, lisbon, "contacts");
  await onMap(false, "location for contacts only");
  await place(owner, photo.id, lisbon, "everyone");
  await onMap(true, "location for everyone again");
  // Moved: it leaves its old place and shows at the new one.
  await place(owner, photo.id, [38.73, -9.15]);
  assert.equal((await map(`bbox=-9.16,38.725,-9.145,38.735&zoom=15`)).points[0]?.id, photo.id);
  assert.deepEqual((await map(`bbox=-9.145,38.715,-9.135,38.725&zoom=15`)).points, []);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}/location`, { token: owner.token })).status, 204);
  await onMap(false, "location removed");
  await place(owner, photo.id, lisbon);
  await patch({ restricted: true });
  await onMap(false, "restricted (for anonymous visitors)");
  await patch({ restricted: false });
  await onMap(true, "not restricted again");

  const suspend = async (suspended: boolean) =>
    assert.equal((await api(server, "PUT", `/api/v1/admin/members/${owner.username}/suspension`, { token: admin.token, json: { suspended } })).status, 200);
  await suspend(true);
  await onMap(false, "owner suspended");
  await suspend(false);
  await onMap(true, "suspension lifted");
  const again = { ...owner, token: (await api(server, "POST", "/api/v1/sessions", { json: { username: owner.username, password: owner.password } })).body.token as string };

  const report = await api(server, "POST", "/api/v1/reports", { token: crowd.token, json: { targetKind: "photo", targetId: photo.id, reason: "map" } });
  assert.equal((await api(server, "POST", `/api/v1/admin/reports/${report.body.id}/resolution`, { token: admin.token, json: { action: "hide" } })).status, 200);
  await onMap(false, "hidden by a moderator");

  await place(again, other.id, lisbon);
  assert.deepEqual(await idsNear(lisbon), [other.id]);
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${other.id}`, { token: again.token })).status, 204);
  assert.deepEqual(await idsNear(lisbon), [], "deleted");
  await assertInvariant();
});

test("the map kept in step by every write equals the map rebuilt from the photos table", async () => {
  await assertInvariant();
  const before = await new MapsRepository(server.context.database.db).invariantCheck();
  const rebuilt = await rebuildMap(server.context.database.db);
  assert.equal(rebuilt.points, before.recounted.points.length);
  const after = await new MapsRepository(server.context.database.db).invariantCheck();
  assert.deepEqual(after.stored, before.stored, "rebuilding changes nothing: the transactions had kept it exact");
});

test("the map pages allow the configured tile server's images and nothing else", async () => {
  // Test servers have no tiles unless given some (test/helpers/server.ts).
  const bare = await fetch(`${server.url}/map`);
  assert.match(bare.headers.get("content-security-policy") ?? "", /img-src 'self' data: blob:;/);
  assert.match(await bare.text(), /data-tiles=""/);
  const withTiles = await startServer({ PINHOLE_MAP_TILES_URL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", PINHOLE_MAP_TILES_ATTRIBUTION: "© OpenStreetMap contributors" });
  try {
    const page = await fetch(`${withTiles.url}/map`);
    assert.match(page.headers.get("content-security-policy") ?? "", /img-src 'self' data: blob: https:\/\/tile\.openstreetmap\.org;/);
    const text = await page.text();
    assert.match(text, /data-tiles="https:\/\/tile\.openstreetmap\.org\/\{z\}\/\{x\}\/\{y\}\.png"/);
    assert.match(text, /data-attribution="© OpenStreetMap contributors"/);
  } finally {
    await withTiles.close();
  }
});

test("the openapi description has the map's route", async () => {
  const spec = (await api(server, "GET", "/api/v1/openapi.json")).body;
  const route = spec.paths["/api/v1/map"]?.get;
  assert.ok(route, "GET /api/v1/map is described");
  assert.deepEqual(route.parameters.map((p: { name: string }) => p.name).sort(), ["bbox", "user", "zoom"]);
  assert.ok(route.responses["200"] && route.responses["400"]);
});
