import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm, type Member } from "../helpers/client.ts";
import { buildApiKey, callJson, type AppKey } from "../helpers/flickr.ts";

let server: TestServer;
let member: Member;
let app: AppKey;
let nsid: string;
const ids: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };
let drawn = 0;

async function photoTaken(taken: string | null, fields: Record<string, string>): Promise<string> {
  drawn++;
  let image = sharp({ create: { width: 120, height: 80, channels: 3, background: { r: drawn * 40, g: 90, b: 200 - drawn * 30 } } }).jpeg();
  if (taken) image = image.withExif({ IFD2: { DateTimeOriginal: taken } });
  const upload = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(await image.toBuffer(), fields, `p${drawn}.jpg`) });
  assert.equal(upload.status, 201, JSON.stringify(upload.body));
  return upload.body.id;
}

before(async () => {
  server = await startServer();
  member = await buildMember(server);
  app = await buildApiKey(server, member);
  ids.a = await photoTaken("2019:03:01 09:00:00", { tags: "alpha beta", license: "cc-by-4.0", title: "A", description: "first" });
  ids.b = await photoTaken("2021:06:01 10:00:00", { tags: "alpha", title: "B" });
  ids.c = await photoTaken(null, { tags: "beta", license: "cc0-1.0", title: "C" });
  nsid = (await callJson(server, "flickr.people.findByUsername", { username: member.username }, { app, unsigned: true })).user.nsid;
});
after(async () => server.close());

const search = async (params: Record<string, string>) => {
  const answer = await callJson(server, "flickr.photos.search", { user_id: nsid, ...params }, { app, unsigned: true });
  assert.equal(answer.stat, "ok", JSON.stringify(answer));
  return answer.photos;
};
const order = async (params: Record<string, string>) => (await search(params)).photo.map((p: { title: string }) => p.title).join("");

test("tags with tag_mode any or all", async () => {
  assert.equal(await order({ tags: "alpha,beta" }), "CBA");
  assert.equal(await order({ tags: "alpha,beta", tag_mode: "all" }), "A");
  assert.equal(await order({ tags: "Alpha" }), "BA", "tags match as normalised");
});

test("min and max dates taken (datetime or Unix time) and uploaded", async () => {
  assert.equal(await order({ min_taken_date: "2020-01-01" }), "B");
  assert.equal(await order({ max_taken_date: "2020-01-01 00:00:00" }), "A");
  assert.equal(await order({ min_taken_date: String(Date.UTC(2019, 2, 1, 9, 0, 0) / 1000), max_taken_date: "2019-03-01 09:00:00" }), "A");
  const future = String(Math.floor(Date.now() / 1000) + 3600);
  assert.equal(await order({ min_upload_date: future }), "");
  assert.equal(await order({ max_upload_date: future }), "CBA");
  const bad = await callJson(server, "flickr.photos.search", { user_id: nsid, min_taken_date: "last tuesday" }, { app, unsigned: true });
  assert.deepEqual([bad.stat, bad.code], ["fail", 18]);
});

test("licence by Flickr's ids", async () => {
  assert.equal(await order({ license: "11" }), "A");
  assert.equal(await order({ license: "0,9" }), "CB");
  assert.equal(await order({ license: "4" }), "", "CC BY 2.0: no Pinhole photo carries it");
});

test("sort, page and per_page", async () => {
  assert.equal(await order({ sort: "date-posted-asc" }), "ABC");
  assert.equal(await order({ sort: "date-taken-asc" }), "ABC", "undated last");
  assert.equal(await order({ sort: "date-taken-desc" }), "BAC");
  const first = await search({ per_page: "2", page: "1" });
  assert.deepEqual([first.page, first.pages, first.perpage, first.total], [1, 2, 2, 3]);
  assert.equal(first.photo.map((p: { title: string }) => p.title).join(""), "CB");
  assert.equal(await order({ per_page: "2", page: "2" }), "A");
  assert.equal(await order({ per_page: "2", page: "9" }), "");
});

test("extras: urls with sizes, dates, owner, licence, description, tags", async () => {
  const [a] = (await search({ tags: "alpha", tag_mode: "all", sort: "date-posted-asc", extras: "url_t,url_sq,url_o,date_upload,date_taken,owner_name,license,description,tags,o_dims" })).photo;
  assert.equal(a.id, ids.a);
  assert.match(a.url_t, /\/img\/\d+\/[0-9a-f]+\/100\.jpg$/);
  assert.equal(a.width_t, 100);
  assert.equal(a.height_sq, 75);
  assert.equal(a.url_o, undefined, "no original for a visitor without downloads");
  assert.equal(a.datetaken, "2019-03-01 09:00:00");
  assert.match(a.dateupload, /^\d+$/);
  assert.equal(a.ownername, member.username);
  assert.equal(a.license, "11");
  assert.deepEqual(a.description, { _content: "first" });
  assert.equal(a.tags, "alpha beta");
  const bare = (await search({ tags: "alpha", tag_mode: "all" })).photo[0];
  assert.equal(bare.url_t, undefined, "extras only when asked");
});

test("bad bounding boxes and unknown users are Flickr errors", async () => {
  const box = await callJson(server, "flickr.photos.search", { bbox: "10,20,5" }, { app, unsigned: true });
  assert.deepEqual([box.stat, box.code], ["fail", 18]);
  const me = await callJson(server, "flickr.photos.search", { user_id: "me" }, { app, unsigned: true });
  assert.deepEqual([me.stat, me.code], ["fail", 2], "me needs a token");
  const nobody = await callJson(server, "flickr.people.getPhotos", { user_id: "12345678@N00" }, { app, unsigned: true });
  assert.deepEqual([nobody.stat, nobody.code], ["fail", 2]);
});
