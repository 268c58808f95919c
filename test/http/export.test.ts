import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm, type Member } from "../helpers/client.ts";
import { distinctJpeg } from "../helpers/images.ts";
import { json, readZip } from "../helpers/zip.ts";

let server: TestServer;
let admin: Member;
before(async () => {
  server = await startServer();
  // The first account of a site is its admin.
  admin = await buildMember(server);
});
after(async () => server.close());

async function upload(member: Member, fields: Record<string, string>, bytes?: Buffer): Promise<{ id: string; bytes: Buffer }> {
  const data = bytes ?? (await distinctJpeg(64, 48));
  const answer = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(data, fields, "holiday.jpg") });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return { id: answer.body.id, bytes: data };
}

async function download(urlPath: string, token: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(server.url + urlPath, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

test("a member's export holds every photo, private ones too: originals byte for byte (stored), a JSON file each with all its metadata, comments and notes", async () => {
  const owner = await buildMember(server);
  const friend = await buildMember(server);
  const open = await upload(owner, { title: "Harbour", description: "Boats at dusk", tags: 'boats "lake district"', license: "cc-by-sa-4.0", downloadAllowed: "true" });
  const hidden = await upload(owner, { title: "Diary", visibility: "private", restricted: "true" });
  assert.equal((await api(server, "PUT", `/api/v1/photos/${hidden.id}/location`, { token: owner.token, json: { latitude: 54.5, longitude: -3.1, visibility: "contacts" } })).status, 200);
  assert.equal((await api(server, "POST", `/api/v1/photos/${open.id}/comments`, { token: friend.token, json: { text: "Lovely light" } })).status, 201);
  assert.equal((await api(server, "POST", `/api/v1/photos/${open.id}/notes`, { token: owner.token, json: { x: 0.1, y: 0.2, width: 0.3, height: 0.25, text: "our boat" } })).status, 201);
  assert.equal((await api(server, "PUT", `/api/v1/contacts/${friend.username}`, { token: owner.token, json: { friend: true } })).status, 201);
  const theirs = await upload(friend, { title: "Theirs" });
  assert.equal((await api(server, "PUT", `/api/v1/photos/${theirs.id}/fave`, { token: owner.token })).status, 200);

  const answer = await download("/api/v1/me/export", owner.token);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get("content-type"), "application/zip");
  assert.match(answer.headers.get("content-disposition") ?? "", new RegExp(`attachment; filename="pinhole-${owner.username}-\\d{4}-\\d{2}-\\d{2}\\.zip"`));
  const zip = await readZip(answer.body);
  assert.deepEqual(
    [...zip.keys()].sort(),
    ["README.txt", "account.json", "albums.json", "contacts.json", "faves.json", `originals/${hidden.id}.jpg`, `originals/${open.id}.jpg`, `photos/${hidden.id}.json`, `photos/${open.id}.json`].sort(),
  );
  assert.match(zip.get("README.txt")!.data.toString(), /pinhole-export version 1/);
  for (const photo of [open, hidden]) {
    const original = zip.get(`originals/${photo.id}.jpg`)!;
    assert.equal(original.method, 0, "originals are stored, not compressed again");
    assert.ok(original.data.equals(photo.bytes), "the original is the uploaded file byte for byte");
  }
  assert.equal(zip.get(`photos/${open.id}.json`)!.method, 8, "JSON is deflated");

  const account = json(zip, "account.json");
  assert.equal(account.format, "pinhole-export");
  assert.equal(account.formatVersion, 1);
  assert.equal(account.username, owner.username);
  assert.equal(account.email, owner.email);
  assert.equal(account.instance, server.url);
  assert.deepEqual(account.photoDefaults, { license: "all-rights-reserved", downloadAllowed: false, locationVisibility: "private" });

  const first = json(zip, `photos/${open.id}.json`);
  assert.equal(first.title, "Harbour");
  assert.equal(first.description, "Boats at dusk");
  assert.deepEqual(first.tags, ["boats", "lake district"]);
  assert.equal(first.visibility, "public");
  assert.equal(first.license, "cc-by-sa-4.0");
  assert.equal(first.downloadAllowed, true);
  assert.equal(first.original, `originals/${open.id}.jpg`);
  assert.equal(first.sha256, crypto.createHash("sha256").update(open.bytes).digest("hex"));
  assert.equal(first.originalName, "holiday.jpg");
  assert.equal(first.pageUrl, `${server.url}/photos/${owner.username}/${open.id}`);
  assert.deepEqual(first.comments.map((c: any) => [c.author, c.text, c.imported, c.hidden]), [[friend.username, "Lovely light", false, false]]);
  assert.deepEqual(first.notes.map((n: any) => [n.author, n.text, n.x, n.y, n.width, n.height]), [[owner.username, "our boat", 0.1, 0.2, 0.3, 0.25]]);
  assert.match(first.uploadedAt, /^\d{4}-\d{2}-\d{2}T/);

  const second = json(zip, `photos/${hidden.id}.json`);
  assert.equal(second.visibility, "private");
  assert.equal(second.restricted, true);
  assert.equal(second.hidden, false);
  assert.deepEqual(second.location, { latitude: 54.5, longitude: -3.1, altitude: null, visibility: "contacts" });

  assert.deepEqual(json(zip, "contacts.json").contacts.map((c: any) => [c.username, c.friend, c.family]), [[friend.username, true, false]]);
  assert.deepEqual(json(zip, "faves.json").faves.map((f: any) => [f.photoId, f.owner, f.pageUrl]), [[theirs.id, friend.username, `${server.url}/photos/${friend.username}/${theirs.id}`]]);
  assert.deepEqual(json(zip, "albums.json"), { albums: [] });
});

test("only the member exports their account: anonymous 401; an admin exports anyone, others get 403; an unknown member 404", async () => {
  const member = await buildMember(server);
  const other = await buildMember(server);
  const photo = await upload(member, { visibility: "private" });
  assert.equal((await fetch(`${server.url}/api/v1/me/export`)).status, 401);
  assert.equal((await download(`/api/v1/admin/members/${member.username}/export`, other.token)).status, 403);
  assert.equal((await download("/api/v1/admin/members/nosuchmember/export", admin.token)).status, 404);
  const byAdmin = await download(`/api/v1/admin/members/${member.username}/export`, admin.token);
  assert.equal(byAdmin.status, 200);
  const zip = await readZip(byAdmin.body);
  assert.equal(json(zip, "account.json").username, member.username);
  assert.ok(zip.get(`originals/${photo.id}.jpg`)!.data.equals(photo.bytes));
  // A photo a moderator hid is exported too, marked hidden.
  assert.equal(await server.context.photos.hideByModerator(Number(photo.id)), true);
  const again = await readZip((await download(`/api/v1/admin/members/${member.username}/export`, admin.token)).body);
  assert.equal(json(again, `photos/${photo.id}.json`).hidden, true);
  // The other member's own export has nothing of the first member's.
  const own = await readZip((await download("/api/v1/me/export", other.token)).body);
  assert.equal([...own.keys()].filter((k) => k.startsWith("photos/")).length, 0);
});

test("the settings and upload pages link to the export and to imports", async () => {
  const member = await buildMember(server);
  for (const pagePath of ["/settings", "/upload"]) {
    const page = await fetch(`${server.url}${pagePath}`, { headers: { authorization: `Bearer ${member.token}` } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /href="\/imports"/, pagePath);
  }
  assert.match(await (await fetch(`${server.url}/settings`, { headers: { authorization: `Bearer ${member.token}` } })).text(), /href="\/api\/v1\/me\/export"/);
  const imports = await fetch(`${server.url}/imports`, { headers: { authorization: `Bearer ${member.token}` } });
  assert.equal(imports.status, 200);
  const text = await imports.text();
  assert.match(text, /href="\/api\/v1\/me\/export"/);
  assert.match(text, /action="\/imports\?_csrf=/);
});

test("export and import routes are described in the OpenAPI document", async () => {
  const spec = await api(server, "GET", "/api/v1/openapi.json");
  assert.equal(spec.status, 200);
  for (const route of ["/api/v1/me/export", "/api/v1/admin/members/{username}/export", "/api/v1/imports", "/api/v1/imports/{id}"]) assert.ok(spec.body.paths[route], `${route} is in the OpenAPI document`);
  assert.ok(spec.body.paths["/api/v1/imports"].post.responses["202"]);
});

/** The files under the data dir this process holds open. */
function openDataFiles(): string[] {
  const fds = fs.readdirSync("/proc/self/fd");
  const open: string[] = [];
  for (const fd of fds) {
    try {
      const target = fs.readlinkSync(path.join("/proc/self/fd", fd));
      if (target.startsWith(path.join(server.dataDir, "files"))) open.push(target);
    } catch {
      /* closed meanwhile */
    }
  }
  return open;
}

test("a client that goes away mid-export stops it cleanly: no crash, no original left open, and the next export is whole", async () => {
  const member = await buildMember(server);
  const sizes = 6;
  for (let i = 0; i < sizes; i++) await upload(member, {});
  // Big originals: noise compresses badly, so each is several hundred kilobytes.
  const sharp = (await import("sharp")).default;
  for (let i = 0; i < 4; i++) {
    const noise = await sharp(crypto.randomBytes(1200 * 900 * 3), { raw: { width: 1200, height: 900, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    await upload(member, {}, noise);
  }
  const received = await new Promise<number>((resolve, reject) => {
    const request = http.get(`${server.url}/api/v1/me/export`, { headers: { authorization: `Bearer ${member.token}` } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > 64 * 1024) {
          request.destroy();
          resolve(bytes);
        }
      });
      response.on("error", () => undefined);
    });
    request.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(error)));
  });
  assert.ok(received > 64 * 1024);
  for (let i = 0; i < 100 && openDataFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(openDataFiles(), [], "no original is left open");
  assert.equal((await api(server, "GET", "/healthz")).status, 200);
  const whole = await readZip((await download("/api/v1/me/export", member.token)).body);
  assert.equal([...whole.keys()].filter((k) => k.startsWith("originals/")).length, sizes + 4);
});
