import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto, distinctJpeg } from "../helpers/images.ts";
import { child, children, parseXml } from "../helpers/xml.ts";
import { authorize, buildApiKey, callJson, signedParams, type AppKey, type Token } from "../helpers/flickr.ts";

let server: TestServer;
let member: Member;
let app: AppKey;
let token: Token;
before(async () => {
  server = await startServer();
  member = await buildMember(server);
  app = await buildApiKey(server, member);
  token = await authorize(server, app, member, "write");
});
after(async () => server.close());

/** A multipart upload as Flickr clients send it: text fields signed, the photo not. */
async function upload(fields: Record<string, string>, bytes: Buffer | null, options: { token?: Token; signOver?: string; tamper?: Record<string, string>; path?: string } = {}) {
  const path = options.path ?? "/services/upload/";
  const signed = signedParams(server, "POST", path, fields, { app, token: options.token ?? token, signOver: options.signOver });
  const form = new FormData();
  for (const [k, v] of Object.entries({ ...signed, ...options.tamper })) form.set(k, v);
  if (bytes) form.set("photo", new Blob([new Uint8Array(bytes)]), "upload.jpg");
  const response = await fetch(server.url + path, { method: "POST", body: form });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.match(response.headers.get("content-type") ?? "", /^text\/xml/);
  return parseXml(text);
}

const photoCount = async () => (await api(server, "GET", `/api/v1/users/${member.username}/photos?limit=100`, { token: member.token })).body.photos.length as number;

test("an upload with signed multipart fields answers <photoid> and keeps title, description, tags and who may see it", async () => {
  const rsp = await upload({ title: "Harbour", description: "Evening", tags: 'boats "lake district"', is_public: "0", is_friend: "0", is_family: "1" }, await distinctJpeg());
  assert.equal(rsp.attributes.stat, "ok");
  const id = child(rsp, "photoid")!.text;
  const photo = await api(server, "GET", `/api/v1/photos/${id}`, { token: member.token });
  assert.equal(photo.body.title, "Harbour");
  assert.equal(photo.body.description, "Evening");
  assert.deepEqual(photo.body.tags, ["boats", "lake district"]);
  assert.equal(photo.body.visibility, "family");
  assert.equal((await api(server, "GET", `/api/v1/photos/${id}`)).status, 404, "a family photo is not public");
  const restricted = child(await upload({ title: "Moderate", safety_level: "2" }, await distinctJpeg()), "photoid")!.text;
  assert.equal((await api(server, "GET", `/api/v1/photos/${restricted}`, { token: member.token })).body.restricted, true, "safety levels 2 and 3 mark a photo restricted");
});

test("the signature covers the text fields: a field changed after signing is refused and nothing is stored", async () => {
  const before = await photoCount();
  const rsp = await upload({ title: "Signed title" }, await distinctJpeg(), { tamper: { title: "Changed title" } });
  assert.equal(rsp.attributes.stat, "fail");
  assert.equal(child(rsp, "err")!.attributes.code, "96");
  const unsignedField = await upload({ title: "Signed title" }, await distinctJpeg(), { tamper: { is_public: "0" } });
  assert.equal(child(unsignedField, "err")!.attributes.code, "96", "a field added after signing is refused too");
  assert.equal(await photoCount(), before);
  const overFlickr = await upload({ title: "Over up.flickr.com" }, await distinctJpeg(), { signOver: "https://up.flickr.com/services/upload/" });
  assert.equal(overFlickr.attributes.stat, "ok", "a signature over Flickr's upload URL is accepted");
});

test("the type comes from the bytes; what is not an image is Flickr's code 5, no photo code 2, read perms code 99", async () => {
  const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  const rsp = await upload({ title: "A PNG named .jpg" }, png);
  const id = child(rsp, "photoid")!.text;
  const photo = await api(server, "GET", `/api/v1/photos/${id}`, { token: member.token });
  assert.equal(photo.body.width, 20);
  const original = await fetch(photo.body.originalUrl, { headers: { authorization: `Bearer ${member.token}` } });
  assert.equal(original.headers.get("content-type"), "image/png");

  const before = await photoCount();
  assert.equal(child(await upload({ title: "text" }, Buffer.from("this is not an image at all")), "err")!.attributes.code, "5");
  assert.equal(child(await upload({ title: "none" }, null), "err")!.attributes.code, "2");
  const reader = await authorize(server, app, member, "read");
  assert.equal(child(await upload({ title: "reader" }, await distinctJpeg(), { token: reader }), "err")!.attributes.code, "99");
  const anonymous = new FormData();
  anonymous.set("api_key", app.key);
  anonymous.set("photo", new Blob([new Uint8Array(await distinctJpeg())]), "x.jpg");
  const refused = parseXml(await (await fetch(`${server.url}/services/upload/`, { method: "POST", body: anonymous })).text());
  assert.equal(child(refused, "err")!.attributes.code, "99", "a key without a token cannot upload");
  assert.equal(await photoCount(), before);
});

test("async=1 answers a ticket; flickr.photos.upload.checkTickets tells complete with the photo id, failed, or invalid", async () => {
  const done = await upload({ title: "Async", async: "1" }, await distinctJpeg());
  const ticket = child(done, "ticketid")!.text;
  assert.match(ticket, /^\d+$/);
  const failed = child(await upload({ title: "Async broken", async: "1" }, Buffer.from("not an image")), "ticketid")!.text;
  const other = await buildMember(server);
  const otherApp = await buildApiKey(server, other);
  const otherToken = await authorize(server, otherApp, other, "write");

  const checked = await callJson(server, "flickr.photos.upload.checkTickets", { tickets: `${ticket},${failed},999999` }, { app, token });
  const [complete, broken, unknown] = checked.uploader.ticket;
  assert.equal(complete.complete, 1);
  assert.equal((await api(server, "GET", `/api/v1/photos/${complete.photoid}`, { token: member.token })).body.title, "Async");
  assert.equal(broken.complete, 2);
  assert.equal(unknown.invalid, 1);
  const theirs = await callJson(server, "flickr.photos.upload.checkTickets", { tickets: ticket }, { app: otherApp, token: otherToken });
  assert.equal(theirs.uploader.ticket[0].invalid, 1, "a ticket is its uploader's alone");
  const xml = await fetch(`${server.url}/services/rest/?${new URLSearchParams(signedParams(server, "GET", "/services/rest/", { method: "flickr.photos.upload.checkTickets", tickets: ticket }, { app, token }))}`);
  assert.equal(children(child(parseXml(await xml.text()), "uploader")!, "ticket")[0]!.attributes.complete, "1");
});

test("/services/replace/ replaces the file of the caller's own photo: same id, title and tags, new size and image URLs; another's photo is not found; async=1 gives a complete ticket", async () => {
  const first = await upload({ title: "Harbour", tags: "boats" }, await distinctJpeg(60, 40));
  const photoId = child(first, "photoid")!.text;
  const before = (await api(server, "GET", `/api/v1/photos/${photoId}`, { token: member.token })).body;
  const replaced = await upload({ photo_id: photoId }, await distinctJpeg(40, 60), { path: "/services/replace/" });
  assert.equal(replaced.attributes.stat, "ok");
  const answer = child(replaced, "photoid")!;
  assert.equal(answer.text, photoId);
  const after = (await api(server, "GET", `/api/v1/photos/${photoId}`, { token: member.token })).body;
  assert.equal(answer.attributes.secret, /\/img\/\d+\/([0-9a-f]+)\//.exec(after.sizes[0].url)?.[1], "the answer names the new secret");
  assert.deepEqual([after.title, after.tags, after.width, after.height], ["Harbour", ["boats"], 40, 60]);
  assert.notEqual(after.sizes[0].url, before.sizes[0].url);
  assert.equal((await fetch(before.sizes[0].url)).status, 404, "the old picture's URLs are gone");
  assert.equal((await fetch(after.sizes[0].url)).status, 200);

  const asTicket = await upload({ photo_id: photoId, async: "1" }, await distinctJpeg(50, 50), { path: "/services/replace/" });
  const ticket = child(asTicket, "ticketid")!.text;
  const checked = await callJson(server, "flickr.photos.upload.checkTickets", { tickets: ticket }, { app, token });
  assert.deepEqual([checked.uploader.ticket[0].complete, checked.uploader.ticket[0].photoid], [1, photoId]);

  const other = await buildMember(server);
  const theirs = await buildDistinctPhoto(server, other);
  const refused = await upload({ photo_id: theirs.id }, await distinctJpeg(), { path: "/services/replace/" });
  assert.equal(child(refused, "err")!.attributes.code, "1", "another member's photo is not found");
  assert.equal(child(await upload({ photo_id: photoId }, Buffer.from("not an image"), { path: "/services/replace/" }), "err")!.attributes.code, "5");
  const readToken = await authorize(server, app, member, "read");
  assert.equal(child(await upload({ photo_id: photoId }, await distinctJpeg(), { path: "/services/replace/", token: readToken }), "err")!.attributes.code, "99");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photoId}`, { token: member.token })).body.width, 50, "refused replacements changed nothing");
});
