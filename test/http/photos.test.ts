import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";

let server: TestServer;
let alice: Member;
before(async () => {
  server = await startServer();
  alice = await buildMember(server, { username: "alice" });
});
after(async () => {
  await server.close();
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe("upload through the API", () => {
  test("answers 201 with the photo JSON, its metadata and every size", async () => {
    const upload = await api(server, "POST", "/api/v1/photos", {
      token: alice.token,
      form: photoForm(corpusFile("photos/evening-boats.jpg"), { title: "My boats", tags: 'boats "Lake District" evening', visibility: "public" }),
    });
    assert.equal(upload.status, 201);
    const photo = upload.body as PhotoJson;
    assert.match(photo.id, /^\d+$/);
    assert.equal(photo.owner.username, "alice");
    assert.equal(photo.title, "My boats");
    assert.equal(photo.description, "Wooden rowing boats pulled up on a lake shore at sunset.", "prefilled from the file");
    assert.deepEqual(photo.tags, ["boats", "Lake District", "evening", "sunset", "lake"]);
    assert.equal(photo.visibility, "public");
    assert.equal(photo.takenAt, "2019-09-14T19:12:08+01:00");
    assert.ok(Date.parse(photo.uploadedAt) > Date.now() - 60_000);
    assert.deepEqual([photo.width, photo.height], [2560, 1600]);
    assert.deepEqual(photo.camera, { make: "Canon", model: "Canon EOS 5D Mark IV", lens: "EF24-70mm f/2.8L II USM" });
    assert.deepEqual(photo.exposure, { time: "1/125", fNumber: 8, iso: 200, focalLength: 35 });
    assert.deepEqual(photo.location, { latitude: 54.580012, longitude: -3.138641, altitude: 76, visibility: "private" });
    assert.equal(photo.pageUrl, `${server.url}/photos/alice/${photo.id}`);
    const names = photo.sizes.filter((s) => s.format === "jpeg").map((s) => s.name);
    assert.deepEqual(names, ["sq75", "sq150", "100", "240", "320", "500", "640", "800", "1024", "1600", "2048"]);
    assert.ok(photo.sizes.some((s) => s.format === "webp"), "a modern format is offered too");
    for (const size of photo.sizes) {
      const image = await fetch(size.url);
      assert.equal(image.status, 200, size.url);
      const bytes = Buffer.from(await image.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [size.width, size.height], size.name);
      assert.equal(meta.format, size.format === "jpeg" ? "jpeg" : "webp");
      assert.equal(meta.exif, undefined, `${size.name} carries no EXIF (so no GPS)`);
      assert.equal(meta.xmp, undefined, `${size.name} carries no XMP`);
      assert.equal(image.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.ok(image.headers.get("etag"));
      assert.equal(image.headers.get("x-content-type-options"), "nosniff");
    }
  });

  test("the same bytes uploaded again by the same member return the existing photo", async () => {
    const first = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/fallen-leaf.jpg")) });
    const second = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/fallen-leaf.jpg")) });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    const bob = await buildMember(server);
    const bobs = await api(server, "POST", "/api/v1/photos", { token: bob.token, form: photoForm(corpusFile("photos/fallen-leaf.jpg")) });
    assert.equal(bobs.status, 201, "another member's copy is their own photo");
    assert.notEqual(bobs.body.id, first.body.id);
  });

  test("uploading the same bytes again with new settings applies them; a bad value is refused", async () => {
    const first = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/bridge-sydney.jpg"), { visibility: "public" }) });
    assert.equal(first.status, 201);
    const again = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/bridge-sydney.jpg"), { visibility: "private", title: "kept to myself" }) });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.deepEqual([again.body.visibility, again.body.title], ["private", "kept to myself"]);
    assert.equal((await api(server, "GET", `/api/v1/photos/${first.body.id}`)).status, 404, "now hidden from others");
    const bad = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/bridge-sydney.jpg"), { visibility: "bogus" }) });
    assert.equal(bad.status, 400);
  });

  test("uploading needs a member; an anonymous upload stores nothing", async () => {
    const before = filesUnder(server.dataDir).length;
    const response = await api(server, "POST", "/api/v1/photos", { form: photoForm(corpusFile("photos/tiny-1x1.jpg")) });
    assert.equal(response.status, 401);
    assert.equal(filesUnder(server.dataDir).length, before);
  });

  test("a bad visibility is refused with 400 and nothing is stored", async () => {
    const before = filesUnder(path.join(server.dataDir, "files")).length;
    const response = await api(server, "POST", "/api/v1/photos", { token: alice.token, form: photoForm(corpusFile("photos/grayscale.jpg"), { visibility: "everyone" }) });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /visibility/);
    assert.equal(filesUnder(path.join(server.dataDir, "files")).length, before);
    assert.deepEqual(filesUnder(path.join(server.dataDir, "tmp")), []);
  });
});

describe("reading, editing and deleting", () => {
  test("GET, PATCH and DELETE a photo through the API", async () => {
    const photo = await buildPhoto(server, alice, { title: "before" }, corpusFile("photos/portrait-wine.jpg"));
    const read = await api(server, "GET", `/api/v1/photos/${photo.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.title, "before");
    assert.equal(read.body.location, null, "strangers do not see where a photo was taken");
    assert.equal(read.body.originalUrl, null, "nor get the original");

    const patched = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: alice.token, json: { title: "after", description: "new words", tags: 'one "two three"' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.title, "after");
    assert.equal(patched.body.description, "new words");
    assert.deepEqual(patched.body.tags, ["one", "two three"]);

    const bob = await buildMember(server);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: bob.token, json: { title: "hijack" } })).status, 403);
    assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: bob.token })).status, 403);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { json: { title: "anon" } })).status, 401);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: alice.token, json: { visibility: "secret" } })).status, 400);

    const filesBefore = filesUnder(path.join(server.dataDir, "files")).filter((f) => f.includes(photo.id));
    assert.ok(filesBefore.length > 5);
    assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: alice.token })).status, 204);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`)).status, 404);
    assert.deepEqual(filesUnder(path.join(server.dataDir, "files")).filter((f) => f.includes(photo.id)), [], "files go too");
    assert.equal((await fetch(photo.sizes[0]!.url)).status, 404, "image URLs of a deleted photo stop working");
  });

  test("a member's photos are listed newest first with a cursor", async () => {
    const carol = await buildMember(server);
    const uploaded: PhotoJson[] = [];
    for (const file of ["orientation/orient-1.jpg", "orientation/orient-2.jpg", "orientation/orient-3.jpg", "orientation/orient-4.jpg", "orientation/orient-5.jpg"]) {
      uploaded.push(await buildPhoto(server, carol, {}, corpusFile(file)));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { photos: PhotoJson[]; nextCursor: string | null } } = await api(server, "GET", `/api/v1/users/${carol.username}/photos?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.photos.length <= 2);
      seen.push(...page.body.photos.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, uploaded.map((p) => p.id).reverse());
    assert.equal((await api(server, "GET", "/api/v1/users/no-such-member/photos")).status, 404);
    assert.equal((await api(server, "GET", `/api/v1/users/${carol.username}/photos?limit=1000`)).status, 400);
  });
});

describe("pages", () => {
  test("the photo page shows the photo, its details, tags as links and previous/next", async () => {
    const dave = await buildMember(server);
    const older = await buildPhoto(server, dave, { title: "older one" }, corpusFile("photos/grayscale.jpg"));
    const middle = await buildPhoto(server, dave, { title: "middle one", tags: 'harbour "long exposure"' }, corpusFile("photos/night-half-hour-offset.jpg"));
    const newer = await buildPhoto(server, dave, { title: "newer one" }, corpusFile("photos/progressive.jpg"));
    const page = await new WebClient(server).get(`/photos/${dave.username}/${middle.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<h1 id="photo-title">middle one<\/h1>/);
    assert.match(page.html, /href="\/photos\/tags\/harbour"/);
    assert.match(page.html, /href="\/photos\/tags\/longexposure"[^>]*>long exposure</);
    assert.match(page.html, /OLYMPUS IMAGING CORP\. E-M1/);
    assert.match(page.html, /2016-07-03 01:43:36\.347-02:30/);
    assert.match(page.html, /30 s/);
    assert.match(page.html, /ƒ\/2\.8/);
    assert.match(page.html, new RegExp(`href="/photos/${dave.username}/${newer.id}" rel="prev"`));
    assert.match(page.html, new RegExp(`href="/photos/${dave.username}/${older.id}" rel="next"`));
    assert.match(page.html, /srcset="[^"]*1024\.jpg 1024w/);
    assert.doesNotMatch(page.html, /Edit this photo/, "strangers get no edit form");
    assert.equal((await new WebClient(server).get(`/photos/someoneelse/${middle.id}`)).status, 404, "the username must match");
  });

  test("user strings are escaped everywhere they are shown", async () => {
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const photo = await buildPhoto(server, alice, { title: evil, description: evil, tags: `"${evil}"` }, corpusFile("photos/china-roof.jpg"));
    for (const pagePath of [`/photos/alice/${photo.id}`, "/photos/alice", "/"]) {
      const page = await new WebClient(server).get(pagePath);
      assert.equal(page.status, 200);
      assert.ok(!page.html.includes("<script>alert"), `${pagePath} has no raw script`);
      assert.ok(!page.html.includes("<img src=x"), `${pagePath} has no raw img`);
    }
    const page = await new WebClient(server).get(`/photos/alice/${photo.id}`);
    assert.ok(page.html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  });

  test("the photostream, tag pages and home page list photos in a justified grid", async () => {
    const erin = await buildMember(server);
    const tagged = await buildPhoto(server, erin, { tags: "zebracrossing" }, corpusFile("photos/below-sea-level.jpg"));
    const untagged = await buildPhoto(server, erin, {}, corpusFile("photos/astronaut-no-gps.jpg"));
    const web = new WebClient(server);
    const stream = await web.get(`/photos/${erin.username}`);
    assert.equal(stream.status, 200);
    assert.match(stream.html, /class="jg"/);
    assert.ok(stream.html.indexOf(untagged.id) < stream.html.indexOf(tagged.id), "newest first");
    assert.match(stream.html, /<li class="ar\d+"/);
    const tagPage = await web.get("/photos/tags/zebracrossing");
    assert.ok(tagPage.html.includes(tagged.id) && !tagPage.html.includes(untagged.id));
    const memberTag = await web.get(`/photos/${erin.username}/tags/ZebraCrossing`);
    assert.ok(memberTag.html.includes(tagged.id), "tag URLs are matched case-insensitively");
    const home = await web.get("/");
    assert.ok(home.html.includes(untagged.id));
    assert.equal((await web.get("/photos/nobody-at-all")).status, 404);
  });

  test("a grid tile knows its shape and colour before its image arrives, is lazy, and offers sizes a phone can afford", async () => {
    const gus = await buildMember(server);
    const photo = await buildPhoto(server, gus, { title: "boats" }, corpusFile("photos/evening-boats.jpg"));
    const stream = await new WebClient(server).get(`/photos/${gus.username}`);
    const tile = /<li class="ar(\d+)">[\s\S]*?<\/li>/.exec(stream.html);
    assert.ok(tile, stream.html);
    assert.equal(Number(tile[1]) / 20, Math.round((photo.width / photo.height) * 20) / 20, "the aspect class is the photo's ratio");
    const fill = /<svg class="ph" aria-hidden="true" focusable="false" fill="(#[0-9a-f]{6})">/.exec(tile[0]);
    assert.ok(fill, "the dominant colour fills the tile until the image arrives");
    const img = /<img [^>]*>/.exec(tile[0])![0];
    assert.match(img, /loading="lazy"/);
    assert.match(img, / width="\d+" height="\d+"/);
    assert.doesNotMatch(img, /2048|1600/, "grids never offer the largest sizes");
    assert.match(img, /sizes="\(max-width: 600px\) \d+px/);
    assert.match(tile[0], /<source type="image\/webp" srcset="[^"]*1024\.webp/, "WebP first, where it was made");
    assert.doesNotMatch(stream.html, / style="/, "no inline styles: the CSP forbids them");
  });

  test("members write their own alt text, by the API and the edit form; pages use it, else the title", async () => {
    const hana = await buildMember(server);
    const photo = await buildPhoto(server, hana, { title: "IMG_2041" }, corpusFile("photos/fallen-leaf.jpg"));
    assert.equal(photo.altText, "");
    const page = await new WebClient(server).get(`/photos/${hana.username}/${photo.id}`);
    assert.match(page.html, /alt="IMG_2041" fetchpriority="high"/);

    const patched = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: hana.token, json: { altText: "  A red maple leaf\u0007 on wet autumn grass  " } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.altText, "A red maple leaf on wet autumn grass", "trimmed, control characters dropped");
    const shown = await new WebClient(server).get(`/photos/${hana.username}`);
    assert.match(shown.html, /alt="A red maple leaf on wet autumn grass"/);

    const tooLong = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: hana.token, json: { altText: "x".repeat(2001) } });
    assert.equal(tooLong.status, 400);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: hana.token })).body.altText, "A red maple leaf on wet autumn grass", "a refused edit changes nothing");
    const other = await buildMember(server);
    assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: other.token, json: { altText: "mine now" } })).status, 403);

    const web = new WebClient(server);
    await web.logIn(hana);
    const form = await web.get(`/photos/${hana.username}/${photo.id}`);
    assert.match(form.html, /<label for="altText">Alt text<\/label><textarea id="altText" name="altText"[^>]*>A red maple leaf on wet autumn grass<\/textarea>/);
    const saved = await web.post(`/photos/${hana.username}/${photo.id}/edit`, { title: "IMG_2041", altText: "", tags: "", visibility: "public" });
    assert.equal(saved.status, 303);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: hana.token })).body.altText, "", "emptied, pages fall back to the title");
  });

  test("the owner edits title, tags and visibility and deletes from the photo page", async () => {
    const frank = await buildMember(server);
    const photo = await buildPhoto(server, frank, { title: "draft" }, corpusFile("photos/sunset-patagonia.jpg"));
    const web = new WebClient(server);
    await web.logIn(frank);
    const page = await web.get(`/photos/${frank.username}/${photo.id}`);
    assert.match(page.html, /Edit this photo/);
    const saved = await web.post(`/photos/${frank.username}/${photo.id}/edit`, { title: "final title", description: "", tags: 'a "b c"', visibility: "private" });
    assert.equal(saved.status, 303);
    const reread = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: frank.token });
    assert.deepEqual([reread.body.title, reread.body.tags, reread.body.visibility], ["final title", ["a", "b c"], "private"]);
    const removed = await web.post(`/photos/${frank.username}/${photo.id}/delete`, {});
    assert.equal(removed.status, 303);
    assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: frank.token })).status, 404);
  });

  test("the upload page takes many files and works without JavaScript", async () => {
    const web = new WebClient(server);
    await web.logIn(alice);
    const page = await web.get("/upload");
    assert.equal(page.status, 200);
    assert.match(page.html, /<input id="file" name="file" type="file"[^>]* multiple/);
    const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data"/.exec(page.html)?.[1];
    assert.ok(action);
    const form = photoForm(corpusFile("photos/forest-path.jpg"), { title: "no-js upload", visibility: "public" });
    const cookies = `pinhole_session=${web.cookie("pinhole_session")}; pinhole_csrf=${web.cookie("pinhole_csrf")}`;
    const response = await fetch(server.url + action.replaceAll("&amp;", "&"), { method: "POST", body: form, headers: { cookie: cookies, accept: "text/html" }, redirect: "manual" });
    assert.equal(response.status, 303);
    assert.match(response.headers.get("location") ?? "", /^\/photos\/alice\/\d+$/);
    const forged = await fetch(`${server.url}/upload`, { method: "POST", body: photoForm(corpusFile("photos/forest-path.jpg")), headers: { cookie: cookies }, redirect: "manual" });
    assert.equal(forged.status, 403, "an upload form without the CSRF token is refused");
  });

  test("the original is served only to its owner, as an attachment of its own type", async () => {
    const photo = await buildPhoto(server, alice, {}, corpusFile("bad/polyglot-jpeg-html.jpg"));
    const own = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: alice.token });
    assert.ok(own.body.originalUrl);
    const download = await fetch(own.body.originalUrl, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-type"), "image/jpeg");
    assert.match(download.headers.get("content-disposition") ?? "", /^attachment/);
    assert.equal(download.headers.get("x-content-type-options"), "nosniff");
    assert.match(download.headers.get("content-security-policy") ?? "", /sandbox/);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), fs.readFileSync(corpusFile("bad/polyglot-jpeg-html.jpg")));
    assert.equal((await fetch(own.body.originalUrl)).status, 403);
  });
});
