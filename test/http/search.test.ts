import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";

let server: TestServer;
let admin: Member;
before(async () => {
  server = await startServer();
  admin = await buildMember(server); // the first account of a site is its admin
});
after(async () => server.close());

let drawn = 0;
/** A photo with bytes of its own and, optionally, the camera and date taken in its EXIF. */
async function upload(member: Member, fields: Record<string, string> = {}, exif: { model?: string; taken?: string } = {}): Promise<PhotoJson> {
  drawn++;
  const IFD0: Record<string, string> = { ImageDescription: `search ${drawn} ${process.pid} ${Date.now()}` };
  if (exif.model) Object.assign(IFD0, { Make: "Acme", Model: exif.model });
  const metadata = exif.taken ? { IFD0, IFD2: { DateTimeOriginal: exif.taken } } : { IFD0 };
  const bytes = await sharp({ create: { width: 40 + (drawn % 7), height: 30, channels: 3, background: { r: (drawn * 37) % 256, g: (drawn * 91) % 256, b: (drawn * 13) % 256 } } })
    .jpeg()
    .withMetadata({ exif: metadata })
    .toBuffer();
  const answer = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, fields, "search.jpg") });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as PhotoJson;
}

let unique = 0;
/** A word no other test uses, so each test sees only its own photos. */
const word = (stem: string) => `${stem}${process.pid % 1000}x${++unique}q`;

async function search(params: Record<string, string>, viewer?: Member): Promise<{ ids: string[]; body: { photos: PhotoJson[]; nextCursor: string | null } }> {
  const answer = await api(server, "GET", `/api/v1/search?${new URLSearchParams(params)}`, { token: viewer?.token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return { ids: (answer.body.photos as PhotoJson[]).map((p) => p.id), body: answer.body };
}

const ids = (...photos: PhotoJson[]) => photos.map((p) => p.id);
const sorted = (list: string[]) => [...list].sort();

test("words match titles, descriptions, tags and usernames; every word must match; case and accents do not matter", async () => {
  const w = word("harbour");
  const owner = await buildMember(server);
  const inTitle = await upload(owner, { title: `Evening ${w} lights`, description: "boats" });
  const inDescription = await upload(owner, { title: "Untitled", description: `walked along the ${w} at dusk` });
  const inTag = await upload(owner, { title: "Boats", tags: `"${w} Wall" pier` });
  const accented = await upload(owner, { title: `Café Kraków ${w}` });

  assert.deepEqual(sorted((await search({ q: w })).ids), sorted(ids(inTitle, inDescription, inTag, accented)));
  // Relevance: a title match before a tag match before a description match.
  assert.deepEqual((await search({ q: w })).ids.slice(0, 2).sort(), sorted(ids(inTitle, accented)));
  assert.deepEqual((await search({ q: w })).ids.slice(2), ids(inTag, inDescription));
  // AND: both words.
  assert.deepEqual((await search({ q: `${w} lights` })).ids, ids(inTitle));
  assert.deepEqual((await search({ q: `${w} nowhere${w}` })).ids, []);
  // Case and accents, either way round.
  assert.deepEqual((await search({ q: `CAFE krakow ${w.toUpperCase()}` })).ids, ids(accented));
  assert.deepEqual((await search({ q: `café KRAKÓW ${w}` })).ids, ids(accented));
  // Tags by their words and by their joined form.
  assert.deepEqual((await search({ q: `${w} wall` })).ids, ids(inTag));
  assert.deepEqual((await search({ q: `${w}wall` })).ids, ids(inTag));
  // A trailing * matches a prefix; without it, whole words only.
  assert.deepEqual(sorted((await search({ q: `${w.slice(0, -2)}*` })).ids), sorted(ids(inTitle, inDescription, inTag, accented)));
  assert.deepEqual((await search({ q: w.slice(0, -2) })).ids, []);
  // The owner's username is searchable.
  const byName = await search({ q: `${owner.username} ${w}` });
  assert.deepEqual(sorted(byName.ids), sorted(ids(inTitle, inDescription, inTag, accented)));
  const other = await buildMember(server);
  const theirs = await upload(other, { title: "Nothing to do with it" });
  assert.deepEqual((await search({ q: other.username })).ids, ids(theirs));
  // The answer is the photo JSON of the photostream API.
  const stream = await api(server, "GET", `/api/v1/users/${owner.username}/photos`);
  assert.deepEqual((await search({ q: w, sort: "uploaded" })).body.photos, stream.body.photos);
});

test("the index follows edits, tag changes and deletions", async () => {
  const w = word("lighthouse");
  const next = word("beacon");
  const owner = await buildMember(server);
  const photo = await upload(owner, { title: `Old ${w}`, tags: "coast" });
  assert.deepEqual((await search({ q: w })).ids, ids(photo));

  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { title: `New ${next}` } })).status, 200);
  assert.deepEqual((await search({ q: w })).ids, [], "the old title no longer matches");
  assert.deepEqual((await search({ q: next })).ids, ids(photo));

  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { description: `by the ${w}` } })).status, 200);
  assert.deepEqual((await search({ q: `${w} ${next}` })).ids, ids(photo));

  const tag = word("tagged");
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { tags: `coast ${tag}` } })).status, 200);
  assert.deepEqual((await search({ q: tag })).ids, ids(photo));
  assert.deepEqual((await search({ tags: tag })).ids, ids(photo));
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { tags: "coast" } })).status, 200);
  assert.deepEqual((await search({ q: tag })).ids, [], "a removed tag no longer matches");
  assert.deepEqual((await search({ tags: tag })).ids, []);

  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: owner.token })).status, 204);
  assert.deepEqual((await search({ q: next })).ids, []);
});

test("filters: member, tags (all or any), dates taken and uploaded, camera, licence, media", async () => {
  const w = word("filter");
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const [a, b, c] = [word("ta"), word("tb"), word("tc")];
  const p1 = await upload(owner, { title: w, tags: `${a} ${b}` }, { model: `Cam ${w} One`, taken: "2019:07:04 10:11:12" });
  const p2 = await upload(owner, { title: w, tags: a }, { model: `Cam ${w} Two`, taken: "2021:01:31 23:59:59" });
  const p3 = await upload(other, { title: w, tags: c }, { taken: "2021:02:01 00:00:00" });
  const p4 = await upload(other, { title: w });
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${p3.id}`, { token: other.token, json: { license: "cc-by-4.0" } })).status, 200);

  assert.deepEqual(sorted((await search({ q: w, user: owner.username })).ids), sorted(ids(p1, p2)));
  assert.deepEqual(sorted((await search({ q: w, user: owner.username.toUpperCase() })).ids), sorted(ids(p1, p2)), "usernames in any case");
  assert.deepEqual((await search({ q: w, user: "nobody-at-all" })).ids, []);
  assert.deepEqual(sorted((await search({ tags: a })).ids), sorted(ids(p1, p2)));
  assert.deepEqual((await search({ tags: `${a},${b}` })).ids, ids(p1));
  assert.deepEqual((await search({ tags: `${a} ${b}`, tagMode: "all" })).ids, ids(p1));
  assert.deepEqual(sorted((await search({ tags: `${b}, ${c}`, tagMode: "any" })).ids), sorted(ids(p1, p3)));
  assert.deepEqual(sorted((await search({ q: w, takenFrom: "2021-01-31" })).ids), sorted(ids(p2, p3)));
  assert.deepEqual(sorted((await search({ q: w, takenTo: "2021-01-31" })).ids), sorted(ids(p1, p2)), "takenTo includes its whole day");
  assert.deepEqual((await search({ q: w, takenFrom: "2021-01-31", takenTo: "2021-01-31" })).ids, ids(p2));
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  assert.equal((await search({ q: w, uploadedFrom: today, uploadedTo: today })).ids.length, 4);
  assert.deepEqual((await search({ q: w, uploadedFrom: tomorrow })).ids, []);
  assert.deepEqual((await search({ q: w, uploadedTo: "2020-01-01" })).ids, []);
  assert.deepEqual(sorted((await search({ q: w, uploadedFrom: p2.uploadedAt })).ids), sorted(ids(p2, p3, p4)), "an instant is a bound too");
  assert.deepEqual((await search({ q: w, camera: `Cam ${w} Two` })).ids, ids(p2));
  assert.deepEqual((await search({ q: w, license: "cc-by-4.0" })).ids, ids(p3));
  assert.deepEqual(sorted((await search({ q: w, license: "all-rights-reserved" })).ids), sorted(ids(p1, p2, p4)));
  assert.equal((await search({ q: w, media: "photos" })).ids.length, 4);
  assert.equal((await search({ q: w, media: "all" })).ids.length, 4);
  assert.deepEqual((await search({ q: w, media: "videos" })).ids, [], "Pinhole stores no videos");
});

test("sorts: relevance, taken (undated last), uploaded, interesting", async () => {
  const w = word("sorting");
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const old = await upload(owner, { description: w }, { taken: "2010:05:05 05:05:05" });
  const recent = await upload(owner, { title: w }, { taken: "2022:05:05 05:05:05" });
  const undated = await upload(owner, { tags: w });
  assert.deepEqual((await search({ q: w })).ids, ids(recent, undated, old), "relevance: title, tag, description");
  assert.deepEqual((await search({ q: w, sort: "taken" })).ids, ids(recent, old, undated));
  assert.deepEqual((await search({ q: w, sort: "uploaded" })).ids, ids(undated, recent, old));
  assert.equal((await api(server, "PUT", `/api/v1/photos/${old.id}/fave`, { token: fan.token })).status, 200);
  assert.equal((await api(server, "POST", `/api/v1/photos/${recent.id}/comments`, { token: fan.token, json: { text: "nice" } })).status, 201);
  assert.deepEqual((await search({ q: w, sort: "interesting" })).ids, ids(old, recent, undated), "3 a fave, 2 a comment, nothing last");
  assert.deepEqual((await search({ user: owner.username })).ids, ids(undated, recent, old), "without words: newest first");
});

test("every sort pages by cursor without duplicates or gaps, also while photos are added", async () => {
  const w = word("paging");
  const owner = await buildMember(server);
  const fan = await buildMember(server);
  const photos: PhotoJson[] = [];
  for (let i = 0; i < 7; i++) {
    const where: Record<string, string> = i % 3 === 0 ? { title: `${w} ${i}` } : i % 3 === 1 ? { tags: w } : { description: w };
    photos.push(await upload(owner, where, i % 2 === 0 ? { taken: `201${i}:01:01 00:00:00` } : {}));
  }
  await api(server, "PUT", `/api/v1/photos/${photos[3]!.id}/fave`, { token: fan.token });
  await api(server, "PUT", `/api/v1/photos/${photos[5]!.id}/fave`, { token: fan.token });
  for (const sort of ["relevance", "taken", "uploaded", "interesting"]) {
    const all = (await search({ q: w, sort, perPage: "100" })).ids;
    assert.ok(all.length >= 7, `${sort}: ${all.length}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({ q: w, sort, perPage: "2", ...(cursor ? { cursor } : {}) });
      seen.push(...page.ids);
      cursor = page.body.nextCursor;
      // A photo added between pages must not shift the pages still to come.
      if (pages++ === 0) await upload(owner, { title: `${w} added ${sort}` });
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, `${sort}: no photo twice`);
    const missing = all.filter((id) => !seen.includes(id));
    assert.deepEqual(missing, [], `${sort}: no photo skipped`);
    assert.equal(pages, Math.ceil(seen.length / 2), `${sort}: full pages until the last`);
  }
});

test("results follow visibility, restricted, hidden, suspended owners and blocks", async () => {
  const w = word("privacy");
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const stranger = await buildMember(server);
  const optedIn = await buildMember(server);
  const blocked = await buildMember(server);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/me/settings/restricted`, { token: optedIn.token, json: { show: true } })).status, 200);
  const pub = await upload(owner, { title: `${w} public` });
  const priv = await upload(owner, { title: `${w} private`, visibility: "private" });
  const friends = await upload(owner, { title: `${w} friends`, visibility: "friends" });
  const restricted = await upload(owner, { title: `${w} restricted`, restricted: "true" });
  const hidden = await upload(owner, { title: `${w} hidden` });
  const report = await api(server, "POST", "/api/v1/reports", { token: stranger.token, json: { targetKind: "photo", targetId: hidden.id, reason: "search test" } });
  assert.equal(report.status, 201);
  assert.equal((await api(server, "POST", `/api/v1/admin/reports/${report.body.id}/resolution`, { token: admin.token, json: { action: "hide" } })).status, 200);

  const seenBy = async (viewer?: Member) => sorted((await search({ q: w, perPage: "100" }, viewer)).ids);
  assert.deepEqual(await seenBy(), ids(pub));
  assert.deepEqual(await seenBy(stranger), ids(pub));
  assert.deepEqual(await seenBy(friend), sorted(ids(pub, friends)));
  assert.deepEqual(await seenBy(optedIn), sorted(ids(pub, restricted)));
  assert.deepEqual(await seenBy(owner), sorted(ids(pub, priv, friends, restricted, hidden)));
  // A block ends what a friendship showed; public photos stay (logged out they would show anyway).
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${blocked.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  assert.deepEqual(await seenBy(blocked), sorted(ids(pub, friends)));
  assert.equal((await api(server, "PUT", `/api/v1/blocks/${blocked.username}`, { token: owner.token })).status, 204);
  assert.deepEqual(await seenBy(blocked), ids(pub));
  // LIMIT counts only what the viewer may see: a page of one is the public photo, not an empty page.
  assert.deepEqual((await search({ q: w, perPage: "1" }, stranger)).ids, ids(pub));
  assert.equal((await search({ q: w, perPage: "1" }, stranger)).body.nextCursor, null);
  // A suspended member's photos are gone for everyone else, and come back.
  assert.equal((await api(server, "PUT", `/api/v1/admin/members/${owner.username}/suspension`, { token: admin.token, json: { suspended: true } })).status, 200);
  assert.deepEqual(await seenBy(), []);
  assert.deepEqual(await seenBy(friend), []);
  assert.equal((await api(server, "PUT", `/api/v1/admin/members/${owner.username}/suspension`, { token: admin.token, json: { suspended: false } })).status, 200);
  assert.deepEqual(await seenBy(), ids(pub));
});

test("hasLocation and bbox find only locations the viewer may see: a hidden location does not leak", async () => {
  const w = word("located");
  const owner = await buildMember(server);
  const contact = await buildMember(server);
  const stranger = await buildMember(server);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${contact.username}`, { token: owner.token, json: {} })).status, 201);
  const open = await upload(owner, { title: `${w} open` });
  const forContacts = await upload(owner, { title: `${w} contacts` });
  const secret = await upload(owner, { title: `${w} secret` });
  const nowhere = await upload(owner, { title: `${w} nowhere` });
  const fiji = await upload(owner, { title: `${w} fiji` });
  const put = async (photo: PhotoJson, latitude: number, longitude: number, visibility: string) =>
    assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: owner.token, json: { latitude, longitude, visibility } })).status, 200);
  await put(open, 54.58, -3.14, "everyone");
  await put(forContacts, 54.59, -3.13, "contacts");
  await put(secret, 54.57, -3.15, "private");
  await put(fiji, -17.7, 178.1, "everyone");
  const box = "-3.3,54.5,-3.0,54.7";

  for (const viewer of [undefined, stranger, contact]) {
    assert.deepEqual((await search({ q: w, bbox: box }, viewer)).ids, ids(open), "only the location shown to everyone");
    assert.deepEqual(sorted((await search({ q: w, hasLocation: "true" }, viewer)).ids), sorted(ids(open, fiji)));
    // Photos whose location the viewer may not see read as photos without one.
    assert.deepEqual(sorted((await search({ q: w, hasLocation: "false" }, viewer)).ids), sorted(ids(forContacts, secret, nowhere)));
  }
  // The photo JSON of a list agrees: no location for those.
  const listed = (await search({ q: w, perPage: "100" }, contact)).body.photos;
  assert.equal(listed.find((p) => p.id === forContacts.id)!.location, null);
  // The owner finds all of theirs.
  assert.deepEqual(sorted((await search({ q: w, bbox: box }, owner)).ids), sorted(ids(open, forContacts, secret)));
  // A box across the antimeridian.
  assert.deepEqual((await search({ q: w, bbox: "170,-20,-170,-10" })).ids, ids(fiji));
  assert.deepEqual((await search({ q: w, bbox: "-170,-20,170,-10" })).ids, ids(open).filter(() => false), "the other way round: not Fiji, not the Lake District");
});

test("bad parameters answer 400 with a message naming what is right, and change nothing", async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ bbox: "1,2,3" }, /bbox must be four numbers/],
    [{ bbox: "a,b,c,d" }, /bbox must be four numbers/],
    [{ bbox: "-200,0,10,10" }, /longitudes/],
    [{ bbox: "0,50,10,40" }, /minLat/],
    [{ takenFrom: "2024-13-01" }, /takenFrom must be a day/],
    [{ takenTo: "yesterday" }, /takenTo must be a day/],
    [{ uploadedFrom: "2024-02-30" }, /uploadedFrom must be a day/],
    [{ uploadedTo: "2024-05-17T10:00" }, /uploadedTo must be a day .* or an ISO 8601 time/],
    [{ sort: "random" }, /sort must be one of relevance, taken, uploaded, interesting/],
    [{ sort: "relevance" }, /sort=relevance needs words/],
    [{ license: "cc-by-3.0" }, /license must be a licence id/],
    [{ tagMode: "some" }, /tagMode must be all or any/],
    [{ media: "audio" }, /media must be photos, videos or all/],
    [{ hasLocation: "maybe" }, /hasLocation must be true or false/],
    [{ cursor: "not-a-cursor" }, /cursor is not valid/],
    [{ perPage: "0" }, /perPage/],
    [{ perPage: "101" }, /perPage/],
  ];
  for (const [params, message] of cases) {
    const answer = await api(server, "GET", `/api/v1/search?${new URLSearchParams(params)}`);
    assert.equal(answer.status, 400, JSON.stringify(params));
    assert.match(answer.body.error.message, message, JSON.stringify(params));
  }
  // A cursor of one sort is refused by another.
  const owner = await buildMember(server);
  const w = word("cursorsort");
  await upload(owner, { title: w });
  await upload(owner, { title: w });
  const first = await search({ q: w, perPage: "1", sort: "uploaded" });
  assert.ok(first.body.nextCursor);
  assert.equal((await api(server, "GET", `/api/v1/search?${new URLSearchParams({ q: w, sort: "taken", cursor: first.body.nextCursor })}`)).status, 400);
});

test("the search page: a GET form with every filter, results in the grid, the next page by cursor", async () => {
  const w = word("webpage");
  const owner = await buildMember(server);
  const photos: PhotoJson[] = [];
  for (let i = 0; i < 3; i++) photos.push(await upload(owner, { title: `${w} number ${i}`, tags: "webtag" }));
  const web = new WebClient(server);
  const home = await web.get("/");
  assert.match(home.html, /<form method="get" action="\/search"[^>]*role="search"/, "the header has a search box");

  const empty = await web.get("/search");
  assert.equal(empty.status, 200);
  for (const name of ["q", "user", "tags", "tagMode", "takenFrom", "takenTo", "uploadedFrom", "uploadedTo", "camera", "license", "hasLocation", "bbox", "media", "sort"]) {
    assert.match(empty.html, new RegExp(`name="${name}"`), `the form has ${name}`);
  }
  assert.doesNotMatch(empty.html, /class="jg"/, "no results before a search");

  const first = await web.get(`/search?${new URLSearchParams({ q: w, user: owner.username, tags: "", sort: "uploaded", perPage: "2" })}`);
  assert.equal(first.status, 200);
  assert.match(first.html, new RegExp(`name="q" id="search-q" value="${w}"`), "the query is kept in the form");
  assert.match(first.html, new RegExp(`name="user" id="search-user" value="${owner.username}"`));
  assert.match(first.html, /<option value="uploaded" selected>/);
  assert.match(first.html, /<ul class="jg">/);
  const shown = (html: string) =>
    photos
      .filter((p) => html.includes(`/photos/${owner.username}/${p.id}"`))
      .sort((x, y) => html.indexOf(`/${x.id}"`) - html.indexOf(`/${y.id}"`))
      .map((p) => p.id);
  assert.deepEqual(shown(first.html), ids(photos[2]!, photos[1]!));
  const next = /<a href="([^"]+)" rel="next" id="search-next">/.exec(first.html)?.[1]?.replaceAll("&amp;", "&");
  assert.ok(next, "a next page link");
  assert.match(next, /cursor=/);
  const second = await web.get(next);
  assert.deepEqual(shown(second.html), ids(photos[0]!));
  assert.doesNotMatch(second.html, /rel="next"/);

  const bad = await web.get("/search?q=x&bbox=nonsense");
  assert.equal(bad.status, 400);
  assert.match(bad.html, /bbox must be four numbers/);
  assert.match(bad.html, /name="bbox" id="search-bbox" value="nonsense"/, "the form keeps what was typed");
});

test("a refused search speaks the visitor's language: on the page, and in the API's localizedMessage beside its English", async () => {
  const page = await fetch(`${server.url}/search?${new URLSearchParams({ q: "lake", takenFrom: "2024-13-01" })}`, { headers: { accept: "text/html", "accept-language": "de" } });
  assert.equal(page.status, 400);
  const html = await page.text();
  assert.match(html, /<html lang="de"/);
  assert.match(html, /<p class="error" role="alert" id="search-error">takenFrom muss ein Tag im Format JJJJ-MM-TT sein \(etwa 2024-05-17\)\.<\/p>/);

  const answer = await api(server, "GET", `/api/v1/search?${new URLSearchParams({ q: "lake", sort: "random" })}`, { headers: { "accept-language": "ja" } });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.error.message, "sort must be one of relevance, taken, uploaded, interesting.");
  assert.equal(answer.body.error.localizedMessage, "sort には次のいずれかを指定してください: relevance, taken, uploaded, interesting。");
});

test("the search API is in the OpenAPI description", async () => {
  const spec = await api(server, "GET", "/api/v1/openapi.json");
  const op = spec.body.paths["/api/v1/search"]?.get;
  assert.ok(op, "GET /api/v1/search is described");
  const names = (op.parameters as Array<{ name: string }>).map((p) => p.name);
  for (const name of ["q", "user", "tags", "tagMode", "takenFrom", "takenTo", "uploadedFrom", "uploadedTo", "camera", "license", "hasLocation", "bbox", "media", "sort", "cursor", "perPage"]) assert.ok(names.includes(name), name);
});
