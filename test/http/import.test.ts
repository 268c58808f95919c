import path from "node:path";
import fs from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, corpusFile, photoForm, WebClient, type Member } from "../helpers/client.ts";
import { distinctJpeg } from "../helpers/images.ts";
import { makeZip, readZip, json } from "../helpers/zip.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";
import { TransferRepository } from "../../src/transfer/repository.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

function zipForm(zip: Buffer, name = "export.zip"): FormData {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(zip)], { type: "application/zip" }), name);
  return form;
}

async function importZip(target: TestServer, member: Member, zip: Buffer, name?: string): Promise<any> {
  const started = await api(target, "POST", "/api/v1/imports", { token: member.token, form: zipForm(zip, name) });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  assert.equal(started.headers.get("location"), `/api/v1/imports/${started.body.id}`);
  for (let i = 0; i < 600; i++) {
    const state = await api(target, "GET", `/api/v1/imports/${started.body.id}`, { token: member.token });
    assert.equal(state.status, 200);
    if (state.body.status === "done" || state.body.status === "failed") return state.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail("the import did not finish");
}

/** A member's albums with their photo ids in album order, as the member sees them. */
async function albumsOf(target: TestServer, member: Member): Promise<Array<{ title: string; description: string; coverId: string | null; photoIds: string[] }>> {
  const list = await api(target, "GET", `/api/v1/users/${member.username}/albums`, { token: member.token });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return Promise.all(
    list.body.albums.map(async (a: any) => {
      const page = await api(target, "GET", `/api/v1/albums/${a.id}?limit=100`, { token: member.token });
      return { title: a.title, description: a.description, coverId: a.cover?.id ?? null, photoIds: page.body.photos.map((p: any) => p.id) };
    }),
  );
}

async function photosOf(target: TestServer, member: Member): Promise<any[]> {
  const list = await api(target, "GET", `/api/v1/users/${member.username}/photos?limit=100`, { token: member.token });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return Promise.all(list.body.photos.map(async (p: any) => (await api(target, "GET", `/api/v1/photos/${p.id}`, { token: member.token })).body));
}

test("a Flickr export split over three zips, imported in any order: titles, descriptions, tags, dates, locations, privacy, licences and albums; a broken file fails alone; a re-run duplicates nothing", async () => {
  const member = await buildMember(server);
  const [harbour, sunset] = [await distinctJpeg(60, 40), await distinctJpeg(50, 50)];
  const boats = fs.readFileSync(corpusFile("photos/evening-boats.jpg"));
  const metadata = await makeZip({
    "account_profile.json": { screen_name: "flickrfan", nsid: "12345678@N00" },
    "photo_1001.json": {
      id: "1001",
      name: "The harbour",
      description: "Boats at dusk",
      date_taken: "2012-06-02 18:30:00",
      date_imported: "2012-06-03 10:00:00",
      tags: [{ tag: "boats" }, { tag: "lake district" }],
      geo: [{ latitude: "54580012", longitude: "-3138641", accuracy: "16" }],
      privacy: "public",
      license: "Attribution-NonCommercial-ShareAlike License",
      safety: "safe",
      albums: [{ id: "7001", title: "Summer" }],
      comments: [{ id: "c1", date: "2012-06-04 09:00:00", user: "https://www.flickr.com/people/anna/", comment: "Lovely light" }],
    },
    "photo_1002.json": {
      id: "1002",
      name: "Evening boats",
      description: "",
      date_taken: "2011-01-01 00:00:00",
      tags: [],
      geo: { latitude: "51.5", longitude: "-0.12" },
      privacy: "friends & family",
      license: "All Rights Reserved",
      safety: "restricted",
    },
    "photo_1003.json": { id: "1003", name: "Sunset", description: "Split from its file", date_taken: "2015-08-09 20:10:00", tags: [{ tag: "sun" }], privacy: "private", license: "Attribution License", geo: [] },
    "albums.json": { albums: [{ id: "7001", title: "Summer", description: "Warm days", photo_count: 2, cover_photo: "https://www.flickr.com/photos/flickrfan/1003/", photos: ["1001", "1003"] }] },
  });
  const filesOne = await makeZip({ "the-harbour_1001_o.jpg": harbour, "evening-boats_1002_o.jpg": boats, "notes_1004_o.jpg": "this is not a photo at all" });
  const filesTwo = await makeZip({ "sunset_1003_o.jpg": sunset });

  // The file of 1003 first, then all the metadata, then the other files.
  const first = await importZip(server, member, filesTwo, "data-download-2.zip");
  assert.deepEqual([first.status, first.format, first.total, first.done, first.skipped, first.failed], ["done", "flickr", 1, 1, 0, 0]);
  const second = await importZip(server, member, metadata, "12345_abcdef_part1.zip");
  assert.deepEqual([second.status, second.total, second.failed], ["done", 0, 0]);
  const third = await importZip(server, member, filesOne, "data-download-1.zip");
  assert.deepEqual([third.status, third.total, third.done, third.skipped, third.failed], ["done", 3, 2, 0, 1]);
  const broken = third.entries.find((e: any) => e.entry === "notes_1004_o.jpg");
  assert.equal(broken.outcome, "failed");
  assert.ok(broken.reason.length > 0, "a failure says why");
  assert.ok(third.notices.some((n: string) => /Creative Commons 4\.0/.test(n)), "the licence mapping is shown");

  const photos = await photosOf(server, member);
  assert.equal(photos.length, 3);
  const byTitle = new Map(photos.map((p) => [p.title, p]));
  const one = byTitle.get("The harbour");
  assert.equal(one.description, "Boats at dusk");
  assert.deepEqual(one.tags, ["boats", "lake district"]);
  assert.equal(one.visibility, "public");
  assert.equal(one.license.id, "cc-by-nc-sa-4.0");
  assert.equal(one.takenAt, "2012-06-02T18:30:00", "the date Flickr recorded, when the file has none");
  assert.deepEqual(one.location, { latitude: 54.580012, longitude: -3.138641, altitude: null, visibility: "private" }, "Flickr's millionths of a degree, with the member's default audience");
  const anonymous = await api(server, "GET", `/api/v1/photos/${one.id}`);
  assert.equal(anonymous.body.location, null, "an imported location is not shown to others by default");
  const comments = await api(server, "GET", `/api/v1/photos/${one.id}/comments`, { token: member.token });
  assert.equal(comments.body.comments[0]?.text, "Lovely light");

  const two = byTitle.get("Evening boats");
  assert.equal(two.visibility, "friends_and_family");
  assert.equal(two.restricted, true);
  assert.equal(two.license.id, "all-rights-reserved");
  assert.equal(two.takenAt, "2019-09-14T19:12:08+01:00", "the file's own date wins over Flickr's");
  assert.deepEqual(two.location, { latitude: 51.5, longitude: -0.12, altitude: null, visibility: "private" });

  const three = byTitle.get("Sunset");
  assert.ok(three, "metadata that arrived after its file was applied to it");
  assert.equal(three.description, "Split from its file");
  assert.equal(three.visibility, "private");
  assert.equal(three.license.id, "cc-by-4.0");
  assert.deepEqual(three.tags, ["sun"]);
  assert.equal(three.location, null);

  assert.deepEqual(await albumsOf(server, member), [{ title: "Summer", description: "Warm days", coverId: three.id, photoIds: [one.id, three.id] }], "the album holds its photos in Flickr's order, whichever zip brought them");

  // The same zip again: nothing new, nothing duplicated.
  const again = await importZip(server, member, filesOne, "data-download-1.zip");
  assert.deepEqual([again.total, again.done, again.skipped, again.failed], [3, 0, 2, 1]);
  assert.equal((await photosOf(server, member)).length, 3);
  const againComments = await api(server, "GET", `/api/v1/photos/${one.id}/comments`, { token: member.token });
  assert.equal(againComments.body.comments.length, 1, "comments are not imported twice");
  assert.equal((await albumsOf(server, member)).length, 1, "the album is not made twice");
});

test("an import is its member's: others get 404; a file that is not a zip is refused with nothing started; a zip of something else fails with a reason", async () => {
  const member = await buildMember(server);
  const other = await buildMember(server);
  const notZip = await api(server, "POST", "/api/v1/imports", { token: member.token, form: photoForm(await distinctJpeg(), {}, "photo.jpg") });
  assert.equal(notZip.status, 415, JSON.stringify(notZip.body));
  assert.equal((await api(server, "GET", "/api/v1/imports", { token: member.token })).body.imports.length, 0);
  const empty = new FormData();
  empty.append("title", "no file");
  assert.equal((await api(server, "POST", "/api/v1/imports", { token: member.token, form: empty })).status, 400);
  assert.equal((await api(server, "POST", "/api/v1/imports", { form: zipForm(await makeZip({ "a.txt": "x" })) })).status, 401);

  const unknown = await importZip(server, member, await makeZip({ "notes.txt": "hello" }));
  assert.equal(unknown.status, "failed");
  assert.match(unknown.error, /neither a Flickr data export nor a Pinhole export/);
  assert.equal((await api(server, "GET", `/api/v1/imports/${unknown.id}`, { token: other.token })).status, 404);
  assert.equal((await api(server, "GET", `/api/v1/imports/${unknown.id}`)).status, 401);
  const page = await fetch(`${server.url}/imports/${unknown.id}`, { headers: { authorization: `Bearer ${member.token}` } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /neither a Flickr data export/);
});

test("why an entry was skipped or failed, and why an import failed, are read in the reader's language on the import's page, in English through the API; reasons stored as text before show as written", async () => {
  const member = await buildMember(server);
  const heron = await distinctJpeg(31, 21);
  const uploaded = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(heron, {}, "heron.jpg") });
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
  const result = await importZip(server, member, await makeZip({
    "photo_501.json": { id: "501", name: "Grey heron", privacy: "public" },
    "heron_501_o.jpg": heron,
    "photo_502.json": "{ this is not json",
    "notes_503_o.jpg": "this is not a photo at all",
    "albums.json": { albums: [{ id: "9", title: "Birds", photos: ["501"] }] },
  }));
  assert.equal(result.status, "done");
  const reasonOf = (entry: string) => result.entries.find((e: any) => e.entry === entry)?.reason;
  const en = CATALOGS.en;
  assert.equal(reasonOf("heron_501_o.jpg"), en["transfer.reason.alreadyHere"], "the API says it in English");
  assert.equal(reasonOf("photo_502.json"), "photo_502.json is not valid JSON.");
  assert.equal(reasonOf("notes_503_o.jpg"), en["errors.upload.notAnImage"], "the photo service's refusal, as its English");
  assert.equal(reasonOf("albums.json#9"), "album “Birds” (1 photo)");

  // Rows stored before reasons were messages hold English text, and one may name a key a later version dropped.
  const transfer = new TransferRepository(server.context.database.db);
  await transfer.recordEntry({ importId: Number(result.id), entry: "legacy_600_o.jpg", kind: "photo", outcome: "skipped", reason: "already here: the same file was imported or uploaded before", photoId: null, now: Date.now() });
  await transfer.recordEntry({ importId: Number(result.id), entry: "dropped_601_o.jpg", kind: "photo", outcome: "failed", reason: JSON.stringify({ key: "transfer.reason.noLongerSaid", en: "a reason no longer in the catalogs" }), photoId: null, now: Date.now() });

  const page = async (language: string, id = result.id) => {
    const response = await fetch(`${server.url}/imports/${id}`, { headers: { accept: "text/html", "accept-language": language, authorization: `Bearer ${member.token}` } });
    assert.equal(response.status, 200);
    return response.text();
  };
  const row = (html: string, entry: string) => new RegExp(`<tr><td>${entry.replace(/[.#]/g, "\\$&")}</td>.*?</tr>`).exec(html)?.[0] ?? "";
  const german = await page("de");
  assert.match(row(german, "heron_501_o.jpg"), /<td>schon vorhanden: Dieselbe Datei wurde früher importiert oder hochgeladen<\/td>/);
  assert.match(row(german, "photo_502.json"), /<td>photo_502\.json ist kein gültiges JSON\.<\/td>/);
  assert.ok(row(german, "notes_503_o.jpg").includes(CATALOGS.de["errors.upload.notAnImage"]));
  assert.match(row(german, "albums.json#9"), /<td>Album „Birds“ \(1 Foto\)<\/td>/);
  assert.match(row(german, "legacy_600_o.jpg"), /<td>already here: the same file was imported or uploaded before<\/td>/, "an old reason as it was written");
  assert.match(row(german, "dropped_601_o.jpg"), /<td>a reason no longer in the catalogs<\/td>/, "a dropped key's English");
  const arabic = await page("ar");
  assert.match(row(arabic, "albums.json#9"), /<td>الألبوم «Birds» \(صورة واحدة\)<\/td>/, "Arabic's plural form for one");

  const unknown = await importZip(server, member, await makeZip({ "notes.txt": "hello" }));
  assert.match(unknown.error, /^This zip is neither a Flickr data export nor a Pinhole export: no photo_<id>\.json, /);
  assert.match(await page("ja", unknown.id), /<p class="alert error" role="alert">この zip は Flickr のデータエクスポートでも Pinhole のエクスポートでもありません。photo_&lt;id&gt;\.json も、/);
});

test("round trip: a Pinhole export imported as a new member on another Pinhole keeps every photo and field", async () => {
  const source = server;
  const target = await startServer();
  try {
    const owner = await buildMember(source);
    const friend = await buildMember(source);
    const commenter = await buildMember(source);
    const upload = async (fields: Record<string, string>, bytes?: Buffer) => {
      const answer = await api(source, "POST", "/api/v1/photos", { token: owner.token, form: photoForm(bytes ?? (await distinctJpeg(70, 50)), fields, "original-name.jpg") });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body;
    };
    const open = await upload({ title: "Open", description: "For everyone", tags: 'sea "north wales"', license: "cc-by-4.0", downloadAllowed: "true" });
    const closed = await upload({ title: "Closed", visibility: "private", restricted: "true", license: "cc0-1.0" }, fs.readFileSync(corpusFile("photos/evening-boats.jpg")));
    assert.equal((await api(source, "PUT", `/api/v1/photos/${open.id}/location`, { token: owner.token, json: { latitude: 53.1, longitude: -4.2, visibility: "everyone" } })).status, 200);
    assert.equal((await api(source, "POST", `/api/v1/photos/${open.id}/comments`, { token: commenter.token, json: { text: "Nice one" } })).status, 201);
    assert.equal((await api(source, "POST", `/api/v1/photos/${open.id}/comments`, { token: owner.token, json: { text: "Thanks!" } })).status, 201);
    assert.equal((await api(source, "POST", `/api/v1/photos/${closed.id}/notes`, { token: owner.token, json: { x: 0.25, y: 0.5, width: 0.2, height: 0.1, text: "a gull" } })).status, 201);
    assert.equal((await api(source, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true, family: true } })).status, 201);
    assert.equal((await api(source, "PUT", `/api/v1/contacts/${commenter.username}`, { token: owner.token, json: {} })).status, 201);
    const friendsPhoto = await api(source, "POST", "/api/v1/photos", { token: friend.token, form: photoForm(await distinctJpeg(), {}, "f.jpg") });
    assert.equal((await api(source, "PUT", `/api/v1/photos/${friendsPhoto.body.id}/fave`, { token: owner.token })).status, 200);
    assert.equal((await api(source, "PUT", "/api/v1/me/settings/notes", { token: owner.token, json: { permission: "friends" } })).status, 200);
    const album = await api(source, "POST", "/api/v1/albums", { token: owner.token, json: { title: "Coast", description: "Both of them" } });
    assert.equal(album.status, 201, JSON.stringify(album.body));
    assert.equal((await api(source, "POST", `/api/v1/albums/${album.body.id}/photos`, { token: owner.token, json: { photoIds: [closed.id, open.id] } })).status, 200);
    assert.equal((await api(source, "PATCH", `/api/v1/albums/${album.body.id}`, { token: owner.token, json: { coverPhotoId: open.id } })).status, 200);

    const exported = Buffer.from(await (await fetch(`${source.url}/api/v1/me/export`, { headers: { authorization: `Bearer ${owner.token}` } })).arrayBuffer());
    const zip = await readZip(exported);
    assert.equal(json(zip, "account.json").username, owner.username);

    // On the target, a member of the same name as the friend exists; the commenter does not.
    const newcomer = await buildMember(target);
    await buildMember(target, { username: friend.username });
    const result = await importZip(target, newcomer, exported, "pinhole.zip");
    assert.deepEqual([result.status, result.format, result.total, result.done, result.skipped, result.failed], ["done", "pinhole", 2, 2, 0, 0]);
    const contactEntries = result.entries.filter((e: any) => e.kind === "contact");
    assert.deepEqual(contactEntries.map((e: any) => e.outcome).sort(), ["done", "skipped"]);
    assert.ok(contactEntries.some((e: any) => e.outcome === "skipped" && e.reason.includes(commenter.username)), "a contact with no member of that name here is reported as skipped");
    assert.ok(result.entries.some((e: any) => e.kind === "fave" && e.outcome === "skipped"), "a fave of a photo not on this server is reported as skipped");

    const before = new Map((await photosOf(source, owner)).map((p) => [p.title, p]));
    const after = new Map((await photosOf(target, newcomer)).map((p) => [p.title, p]));
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [title, was] of before) {
      const now = after.get(title);
      for (const field of ["description", "tags", "visibility", "restricted", "takenAt", "width", "height", "camera", "exposure", "location", "license", "downloadAllowed"]) {
        assert.deepEqual(now[field], was[field], `${title}: ${field}`);
      }
      const download = async (url: string, token: string) => {
        const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(answer.status, 200, `${title}: the original downloads (${url})`);
        return Buffer.from(await answer.arrayBuffer());
      };
      const originalBefore = await download(was.originalUrl, owner.token);
      const originalAfter = await download(now.originalUrl, newcomer.token);
      assert.ok(originalAfter.length > 0 && originalAfter.equals(originalBefore), `${title}: the original is the same file`);
    }
    // Comments: the member's own stay theirs; others' keep the author's name from the source.
    const reExport = await readZip(Buffer.from(await (await fetch(`${target.url}/api/v1/me/export`, { headers: { authorization: `Bearer ${newcomer.token}` } })).arrayBuffer()));
    const openAfter = json(reExport, `photos/${after.get("Open").id}.json`);
    assert.deepEqual(openAfter.comments.map((c: any) => [c.author, c.imported, c.text]), [[commenter.username, true, "Nice one"], [newcomer.username, false, "Thanks!"]]);
    const shown = await api(target, "GET", `/api/v1/photos/${after.get("Open").id}/comments`);
    assert.deepEqual(shown.body.comments.map((c: any) => [c.author.username, c.importedAuthor]), [[newcomer.username, commenter.username], [newcomer.username, null]], "an imported comment names its author on the source site");
    const openBefore = json(zip, `photos/${open.id}.json`);
    assert.deepEqual(openAfter.comments.map((c: any) => c.createdAt), openBefore.comments.map((c: any) => c.createdAt));
    assert.equal(openAfter.originalName, "original-name.jpg");
    const closedAfter = json(reExport, `photos/${after.get("Closed").id}.json`);
    assert.deepEqual(closedAfter.notes.map((n: any) => [n.author, n.imported, n.text, n.x, n.y, n.width, n.height]), [[newcomer.username, false, "a gull", 0.25, 0.5, 0.2, 0.1]]);
    assert.deepEqual(json(reExport, "contacts.json").contacts.map((c: any) => [c.username, c.friend, c.family]), [[friend.username, true, true]]);
    assert.equal(json(reExport, "account.json").notePermission, "friends");
    assert.deepEqual(await albumsOf(target, newcomer), [{ title: "Coast", description: "Both of them", coverId: after.get("Open").id, photoIds: [after.get("Closed").id, after.get("Open").id] }], "the album, its order and its cover");
    // Private stays private on the target.
    assert.equal((await api(target, "GET", `/api/v1/photos/${after.get("Closed").id}`)).status, 404);

    // Importing the same export again adds nothing.
    const again = await importZip(target, newcomer, exported, "pinhole.zip");
    assert.deepEqual([again.done, again.skipped, again.failed], [0, 2, 0]);
    assert.equal((await photosOf(target, newcomer)).length, 2);
    assert.equal((await albumsOf(target, newcomer)).length, 1, "the album is not made twice");
    const twice = json(await readZip(Buffer.from(await (await fetch(`${target.url}/api/v1/me/export`, { headers: { authorization: `Bearer ${newcomer.token}` } })).arrayBuffer())), `photos/${after.get("Open").id}.json`);
    assert.equal(twice.comments.length, 2);
  } finally {
    await target.close();
  }
});

test("an import works in slices and resumes from its recorded entries: with a zero time slice every entry is its own run of the job, and the outcome is the same", async () => {
  const sliced = await startServer({ PINHOLE_IMPORT_SLICE_SECONDS: "0" });
  try {
    const member = await buildMember(sliced);
    const zip = await makeZip({
      "photo_501.json": { id: "501", name: "First", privacy: "public", tags: [{ tag: "one" }] },
      "photo_502.json": { id: "502", name: "Second", privacy: "family" },
      "first_501_o.jpg": await distinctJpeg(30, 20),
      "second_502_o.jpg": await distinctJpeg(20, 30),
    });
    const started = await api(sliced, "POST", "/api/v1/imports", { token: member.token, form: zipForm(zip) });
    assert.equal(started.status, 202);
    let partial = false;
    let state: any;
    for (let i = 0; i < 600; i++) {
      state = (await api(sliced, "GET", `/api/v1/imports/${started.body.id}`, { token: member.token })).body;
      if (state.status === "running" && state.done < state.total) partial = true;
      if (state.status === "done" || state.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(partial, "progress was visible while the import ran");
    assert.deepEqual([state.status, state.total, state.done, state.skipped, state.failed], ["done", 2, 2, 0, 0]);
    const titles = (await photosOf(sliced, member)).map((p) => [p.title, p.visibility, p.tags]).sort();
    assert.deepEqual(titles, [["First", "public", ["one"]], ["Second", "family", []]]);
    const page = await fetch(`${sliced.url}/imports/${started.body.id}`, { headers: { authorization: `Bearer ${member.token}` } });
    assert.match(await page.text(), /Finished \(Flickr data export\)/);
    // The zip waited in the shared store (any server of a cluster may run the job, reading its
    // own copy) and is gone from both once the import finished.
    const kept: string[] = [];
    for await (const entry of sliced.context.store.list("imports/")) kept.push(entry.key);
    assert.deepEqual(kept, [], "no zip left in the store");
    assert.deepEqual(fs.existsSync(path.join(sliced.dataDir, "imports")) ? fs.readdirSync(path.join(sliced.dataDir, "imports")) : [], [], "no local copy left");
  } finally {
    await sliced.close();
  }
});

test("two zips of one Flickr export imported at the same time still join each photo's file and metadata", async () => {
  const member = await buildMember(server);
  const ids = ["901", "902", "903", "904"];
  const files: Record<string, Buffer> = {};
  const metadata: Record<string, object> = {};
  for (const id of ids) {
    files[`photo-${id}_${id}_o.jpg`] = await distinctJpeg(30 + Number(id) % 10, 20);
    metadata[`photo_${id}.json`] = { id, name: `Title ${id}`, privacy: "friends", tags: [{ tag: `t${id}` }] };
  }
  const [metaZip, fileZip] = [await makeZip(metadata), await makeZip(files)];
  const [a, b] = await Promise.all([importZip(server, member, metaZip), importZip(server, member, fileZip)]);
  assert.equal(a.status, "done");
  assert.deepEqual([b.status, b.done, b.failed], ["done", 4, 0]);
  const photos = await photosOf(server, member);
  assert.deepEqual(photos.map((p) => [p.title, p.visibility, p.tags]).sort(), ids.map((id) => [`Title ${id}`, "friends", [`t${id}`]]));
});

test("the import form works without JavaScript: it needs the CSRF token, and leads to the progress page", async () => {
  const member = await buildMember(server);
  const web = new WebClient(server);
  await web.logIn(member);
  const page = await web.get("/imports");
  assert.equal(page.status, 200);
  const zip = await makeZip({ "photo_77.json": { id: "77", name: "From the form", privacy: "public" }, "form_77_o.jpg": await distinctJpeg(25, 25) });
  const forged = await web.postMultipart("/imports", zipForm(zip));
  assert.equal(forged.status, 403, "no CSRF token, no import");
  assert.equal((await api(server, "GET", "/api/v1/imports", { token: member.token })).body.imports.length, 0);
  const posted = await web.postMultipart(`/imports?_csrf=${encodeURIComponent(web.csrf)}`, zipForm(zip));
  assert.equal(posted.status, 303, posted.html);
  assert.match(posted.location ?? "", /^\/imports\/\d+$/);
  for (let i = 0; i < 200; i++) {
    const progress = await web.get(posted.location as string);
    assert.equal(progress.status, 200);
    if (/Finished/.test(progress.html)) {
      assert.match(progress.html, /<dt>Imported<\/dt><dd>1<\/dd>/);
      return;
    }
    assert.match(progress.html, /http-equiv="refresh"/, "the page reloads itself while the import runs");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail("the import did not finish");
});
