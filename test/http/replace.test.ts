import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, corpusFile, photoForm, WebClient } from "../helpers/client.ts";
import { buildDistinctPhoto, distinctJpeg } from "../helpers/images.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => server.close());

async function download(url: string | null, token: string): Promise<Buffer> {
  assert.ok(url, "the owner may always download the original");
  const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(answer.status, 200);
  return Buffer.from(await answer.arrayBuffer());
}

const storedFiles = (photoId: string): string[] => {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (full.includes(photoId)) found.push(path.relative(server.dataDir, full));
    }
  };
  walk(server.dataDir);
  return found.sort();
};

test("replacing a photo's file keeps everything people added and the member wrote; size, camera, date and image URLs follow the new file; the old files go", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Harbour", description: "At dusk", tags: "boats sea", license: "cc-by-4.0" }, { width: 80, height: 60 });
  assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: friend.token, json: { text: "Lovely" } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/fave`, { token: friend.token })).status, 200);
  const album = await api(server, "POST", "/api/v1/albums", { token: owner.token, json: { title: "Coast" } });
  assert.equal((await api(server, "POST", `/api/v1/albums/${album.body.id}/photos`, { token: owner.token, json: { photoIds: [photo.id] } })).status, 200);
  const oldFiles = storedFiles(photo.id);
  const ownerId = Number((await api(server, "GET", "/api/v1/me", { token: owner.token })).body.id);
  const usageBefore = await server.context.quotas.usage(ownerId);
  const oldOriginal = await download(photo.originalUrl, owner.token);

  const boats = fs.readFileSync(corpusFile("photos/evening-boats.jpg"));
  const replaced = await api(server, "PUT", `/api/v1/photos/${photo.id}/file`, { token: owner.token, form: photoForm(boats, {}, "boats.jpg") });
  assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
  const now = replaced.body;
  assert.equal(now.id, photo.id);
  assert.deepEqual([now.title, now.description, now.tags, now.license.id], ["Harbour", "At dusk", ["boats", "sea"], "cc-by-4.0"]);
  assert.deepEqual([now.width, now.height, now.takenAt, now.camera?.model], [2560, 1600, "2019-09-14T19:12:08+01:00", "Canon EOS 5D Mark IV"]);
  assert.ok(now.location, "a photo without a location takes the new file's");
  for (const [i, size] of photo.sizes.entries()) {
    assert.equal((await fetch(size.url)).status, 404, `the old ${size.name} URL no longer shows the old picture`);
    assert.notEqual(now.sizes[i]?.url, size.url);
  }
  const large = now.sizes.find((s: { name: string }) => s.name === "500");
  const served = await fetch(large.url);
  assert.equal(served.status, 200);
  const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
  assert.deepEqual([meta.width, meta.height], [500, 313]);
  const original = await download(now.originalUrl, owner.token);
  assert.ok(original.equals(boats), "the original is the new file, byte for byte");

  const comments = await api(server, "GET", `/api/v1/photos/${photo.id}/comments`);
  assert.deepEqual(comments.body.comments.map((c: { text: string }) => c.text), ["Lovely"]);
  const inAlbum = await api(server, "GET", `/api/v1/albums/${album.body.id}`);
  assert.deepEqual(inAlbum.body.photos.map((p: { id: string }) => p.id), [photo.id]);
  assert.equal(inAlbum.body.album.cover.sizes[0].url, now.sizes[0].url, "album covers show the new picture");

  const newFiles = storedFiles(photo.id);
  assert.equal(newFiles.filter((f) => oldFiles.includes(f)).length, 0, `no old file is left: ${newFiles.join(", ")}`);
  assert.ok(newFiles.some((f) => f.includes("originals/")), "the new original is stored");
  const usageAfter = await server.context.quotas.usage(ownerId);
  assert.equal(usageAfter.bytes - usageBefore.bytes, boats.length - oldOriginal.length, "the member's stored bytes follow the new file");
  assert.equal(usageAfter.photos, usageBefore.photos);

  // The same file again changes nothing, not even the URLs.
  const again = await api(server, "PUT", `/api/v1/photos/${photo.id}/file`, { token: owner.token, form: photoForm(boats, {}, "boats.jpg") });
  assert.equal(again.status, 200);
  assert.equal(again.body.sizes[0].url, now.sizes[0].url);
});

test("a replacement that is refused changes nothing: not an image, another member's photo, a file that is already another photo, no file, no session", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Keep me" });
  const sibling = await buildDistinctPhoto(server, owner);
  const siblingBytes = await download(sibling.originalUrl, owner.token);
  const hidden = await buildDistinctPhoto(server, other, { visibility: "private" });
  const visible = await buildDistinctPhoto(server, other);
  const files = storedFiles(photo.id);

  const put = (id: string, token: string | undefined, form: FormData) => api(server, "PUT", `/api/v1/photos/${id}/file`, { token, form });
  assert.equal((await put(photo.id, owner.token, photoForm(Buffer.from("plain text, not a photo"), {}, "x.jpg"))).status, 415);
  assert.equal((await put(photo.id, owner.token, photoForm(siblingBytes, {}, "same.jpg"))).status, 409);
  assert.equal((await put(visible.id, owner.token, photoForm(await distinctJpeg(), {}, "x.jpg"))).status, 403);
  assert.equal((await put(hidden.id, owner.token, photoForm(await distinctJpeg(), {}, "x.jpg"))).status, 404);
  assert.equal((await put(photo.id, undefined, photoForm(await distinctJpeg(), {}, "x.jpg"))).status, 401);
  const noFile = new FormData();
  noFile.append("title", "no file");
  assert.equal((await put(photo.id, owner.token, noFile)).status, 400);

  const still = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token });
  assert.deepEqual([still.body.title, still.body.sizes[0]?.url], ["Keep me", photo.sizes[0]?.url]);
  assert.equal((await fetch(photo.sizes[0]!.url)).status, 200);
  assert.deepEqual(storedFiles(photo.id), files, "no stray file was left behind");
  const scratch = path.join(server.dataDir, "scratch");
  if (fs.existsSync(scratch)) assert.deepEqual(fs.readdirSync(scratch).filter((f) => f.includes("upload")), [], "no temp file was left");
});

test("the edit form replaces the file without JavaScript: it needs the CSRF token, then leads back to the photo", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "By form" }, { width: 30, height: 20 });
  const web = new WebClient(server);
  await web.logIn(owner);
  const page = await web.get(`/photos/${owner.username}/${photo.id}`);
  assert.match(page.html, /id="replace-form"/);
  const form = () => photoForm(distinct, {}, "new.jpg");
  const distinct = await distinctJpeg(20, 30);
  assert.equal((await web.postMultipart(`/photos/${owner.username}/${photo.id}/replace`, form())).status, 403, "no CSRF token, no replacement");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.width, 30);
  const posted = await web.postMultipart(`/photos/${owner.username}/${photo.id}/replace?_csrf=${encodeURIComponent(web.csrf)}`, form());
  assert.equal(posted.status, 303, posted.html);
  assert.equal(posted.location, `/photos/${owner.username}/${photo.id}`);
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.width, 20);
});
