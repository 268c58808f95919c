import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { QuotaExceededError } from "../../src/errors.ts";
import { QuotaRepository } from "../../src/photos/quota-repository.ts";
import { UploadQuotas } from "../../src/photos/quotas.ts";
import { ALREADY_SYNCED } from "../../src/photos/upload-receiver.ts";
import { api, buildMember, corpusFile, photoForm, WebClient, type Member } from "../helpers/client.ts";

const MB = 1024 * 1024;
let server: TestServer;
let operator: Member;

// Free members: 2 photos and 1 MB; Pro members: no limit (the Pro variables are unset).
before(async () => {
  server = await startServer({ PINHOLE_QUOTA_PHOTOS: "2", PINHOLE_QUOTA_MB: "1" });
  operator = await buildMember(server, { username: "operator" });
});
after(async () => {
  await server.close();
});

const tiny = fs.readFileSync(corpusFile("photos/tiny-1x1.jpg"));
let distinct = 0;
/** A different tiny JPEG each time (bytes after the end marker), so uploads never deduplicate. */
function tinyPhoto(): Buffer {
  return Buffer.concat([tiny, Buffer.from(`\n${distinct++}`)]);
}

function upload(member: Member, bytes: Buffer, name = "photo.jpg") {
  return api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, {}, name) });
}

/** Every file under the data dir's files and tmp folders. */
function storedFiles(): string[] {
  return ["files", "tmp"].flatMap((dir) => {
    const root = path.join(server.dataDir, dir);
    return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(server.dataDir, path.join(e.parentPath, e.name)));
  }).sort();
}

async function photoRows(member: Member): Promise<number> {
  const rows = await server.context.database.db.selectFrom("photos").innerJoin("users", "users.id", "photos.owner_id").select("photos.id").where("users.username", "=", member.username).execute();
  return rows.length;
}

/** Upload work finishes after the 201; wait for it, so a file snapshot is stable. */
async function jobsSettled(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const backlog = await new JobsRepository(server.context.database.db).backlog();
    if (backlog.pending + backlog.running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail("background jobs did not settle");
}

/** Asserts a refused upload stored nothing: no file in files/ or tmp/, no row, counters unchanged. */
async function refusedLeavingNothing(member: Member, send: () => Promise<{ status: number; body: any }>, message: RegExp): Promise<void> {
  await jobsSettled();
  const filesBefore = storedFiles();
  const rowsBefore = await photoRows(member);
  const response = await send();
  assert.equal(response.status, 403, JSON.stringify(response.body));
  assert.equal(response.body.error.code, "quota_exceeded");
  assert.match(response.body.error.message, message);
  await jobsSettled();
  assert.deepEqual(storedFiles(), filesBefore, "no file appeared in files/ or tmp/");
  assert.equal(await photoRows(member), rowsBefore, "no row");
}

/** The same upload with a chunked body: no Content-Length, so only the real size can be checked. */
async function chunkedUpload(member: Member, bytes: Buffer): Promise<{ status: number; body: any }> {
  const encoded = new Response(photoForm(bytes));
  const response = await fetch(`${server.url}/api/v1/photos`, {
    method: "POST",
    headers: { authorization: `Bearer ${member.token}`, accept: "application/json", "content-type": encoded.headers.get("content-type")! },
    body: encoded.body,
    duplex: "half",
  } as RequestInit);
  return { status: response.status, body: await response.json() };
}

describe("the photo quota", () => {
  test("an upload over the photo quota is refused with 403 and a message stating the limit and the use, and stores nothing", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    await refusedLeavingNothing(member, () => upload(member, tinyPhoto()), /^You have 2 of 2 photos allowed; delete some or ask for Pro\.$/);
  });

  test("deleting a photo makes room again", async () => {
    const member = await buildMember(server);
    const first = await upload(member, tinyPhoto());
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, tinyPhoto())).status, 403);
    assert.equal((await api(server, "DELETE", `/api/v1/photos/${first.body.id}`, { token: member.token })).status, 204);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
  });

  test("the uploader's parallel uploads cannot together pass the limit", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    const statuses = (await Promise.all([upload(member, tinyPhoto()), upload(member, tinyPhoto()), upload(member, tinyPhoto())])).map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 403, 403]);
    assert.equal(await photoRows(member), 2);
  });

  test("two servers at the limit, each holding only its own upload's place, store one photo: the insert refuses the other and leaves nothing", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    await jobsSettled();
    const filesBefore = storedFiles();
    const viewer = (await server.context.users.authenticate(member.token, "bearer"))!;
    // Each process keeps the places of its own uploads in flight: a second server's quotas know nothing of the first's.
    const otherServer = new UploadQuotas(new QuotaRepository(server.context.database.db), server.context.config.quotas);
    const received = async (quotas: UploadQuotas, name: string) => {
      const bytes = tinyPhoto();
      const tempPath = path.join(server.context.store.scratchDir, `quota-race-${name}.part`);
      fs.writeFileSync(tempPath, bytes);
      const hold = await quotas.admit(viewer.id, bytes.length);
      const quota = await hold.confirm(bytes.length);
      return { hold, quota, upload: { tempPath, sha256: crypto.createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length, synced: ALREADY_SYNCED, displayName: name, fields: {} } };
    };
    const here = await received(server.context.quotas, "here");
    const there = await received(otherServer, "there");
    try {
      assert.equal((await server.context.photos.upload(viewer, here.upload, here.quota)).created, true);
      await assert.rejects(server.context.photos.upload(viewer, there.upload, there.quota), (error: unknown) => {
        assert.ok(error instanceof QuotaExceededError, String(error));
        assert.match(error.message, /^You have 2 of 2 photos allowed/);
        return true;
      });
    } finally {
      here.hold.release();
      there.hold.release();
    }
    await jobsSettled();
    assert.equal(await photoRows(member), 2);
    const counters = await server.context.database.db.selectFrom("users").select(["photo_count"]).where("id", "=", viewer.id).executeTakeFirstOrThrow();
    assert.equal(Number(counters.photo_count), 2, "the refused photo was not counted");
    const added = storedFiles().filter((file) => !filesBefore.includes(file));
    assert.ok(added.length > 0, "the stored photo's files are there");
    const stored = await server.context.database.db.selectFrom("photos").select(["id", "secret"]).where("owner_id", "=", viewer.id).orderBy("id", "desc").executeTakeFirstOrThrow();
    assert.ok(added.every((file) => file.includes(String(stored.secret)) || file.includes(String(stored.id))), `only the stored photo's files were added: ${added.join(", ")}`);
  });

  test("the web uploader without JavaScript gets the message on a page", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    const web = new WebClient(server);
    await web.logIn(member);
    await web.get("/upload");
    const response = await fetch(`${server.url}/upload?_csrf=${encodeURIComponent(web.csrf)}`, {
      method: "POST",
      headers: { accept: "text/html", cookie: `pinhole_session=${web.cookie("pinhole_session")}; pinhole_csrf=${web.cookie("pinhole_csrf")}` },
      body: photoForm(tinyPhoto()),
    });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /You have 2 of 2 photos allowed; delete some or ask for Pro\./);
  });
});

describe("the storage quota", () => {
  test("an upload over the byte quota is refused before its body is stored, with the sizes in the message", async () => {
    const member = await buildMember(server);
    // 0.92 MB of the 1 MB.
    assert.equal((await upload(member, fs.readFileSync(corpusFile("photos/evening-boats.jpg")), "boats.jpg")).status, 201);
    const leaf = fs.readFileSync(corpusFile("photos/fallen-leaf.jpg"));
    await refusedLeavingNothing(member, () => upload(member, leaf), /^This upload of 0\.4 MB would bring you to 1\.3 MB of your 1 MB; delete some photos or ask for Pro\.$/);
  });

  test("an upload whose declared length is over the quota is answered before its body is sent", async () => {
    const member = await buildMember(server);
    const request = http.request(`${server.url}/api/v1/photos`, {
      method: "POST",
      headers: { authorization: `Bearer ${member.token}`, accept: "application/json", "content-type": "multipart/form-data; boundary=xyz", "content-length": String(50 * MB) },
    });
    request.on("error", () => {});
    request.write('--xyz\r\ncontent-disposition: form-data; name="file"; filename="big.jpg"\r\ncontent-type: image/jpeg\r\n\r\n');
    request.write(tiny);
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        request.on("response", resolve);
        setTimeout(() => reject(new Error("no answer while the body was still to come")), 5000);
      });
      assert.equal(response.statusCode, 403);
      let text = "";
      for await (const chunk of response) text += String(chunk);
      assert.match(JSON.parse(text).error.message, /^This upload of 50 MB would bring you to 50 MB of your 1 MB/);
    } finally {
      request.destroy();
    }
    assert.deepEqual(fs.readdirSync(path.join(server.dataDir, "tmp")), [], "not even a temp file");
  });

  test("a resumable upload over the quota is refused at creation in the uploader's language, its English message kept", async () => {
    const member = await buildMember(server);
    const response = await fetch(`${server.url}/api/v1/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0", "upload-length": String(50 * MB), "accept-language": "es" },
    });
    assert.equal(response.status, 403);
    const { error } = (await response.json()) as { error: { code: string; message: string; localizedMessage: string } };
    assert.equal(error.code, "quota_exceeded");
    assert.equal(error.message, "This upload of 50 MB would bring you to 50 MB of your 1 MB; delete some photos or ask for Pro.");
    assert.equal(error.localizedMessage, "Esta subida de 50 MB te llevaría a 50 MB de tus 1 MB; borra algunas fotos o pide Pro.");
  });

  test("without a Content-Length, the received file's real size is checked before anything is stored, and the temp file is removed", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, fs.readFileSync(corpusFile("photos/evening-boats.jpg")), "boats.jpg")).status, 201);
    const leaf = fs.readFileSync(corpusFile("photos/fallen-leaf.jpg"));
    await refusedLeavingNothing(member, () => chunkedUpload(member, leaf), /^This upload of 0\.4 MB would bring you to 1\.3 MB of your 1 MB/);
    assert.equal((await chunkedUpload(member, tinyPhoto())).status, 201, "a chunked upload that fits is stored");
  });

  test("the upload page shows the member their use and quota", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, fs.readFileSync(corpusFile("photos/grayscale.jpg")), "gray.jpg")).status, 201);
    const web = new WebClient(server);
    await web.logIn(member);
    const page = await web.get("/upload");
    assert.match(page.html, /<p class="quota" id="quota">You have 1 of 2 photos allowed · 0\.2 MB of your 1 MB<\/p>/);
  });
});

describe("Pro and per-member quotas", () => {
  test("Pro lifts the limits when the Pro defaults are unset", async () => {
    const member = await buildMember(server);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, tinyPhoto())).status, 403);
    const pro = await api(server, "PATCH", `/api/v1/admin/members/${member.username}`, { token: operator.token, json: { isPro: true } });
    assert.equal(pro.status, 200, JSON.stringify(pro.body));
    assert.deepEqual([pro.body.isPro, pro.body.quota], [true, { photos: null, bytes: null }]);
    assert.equal((await upload(member, tinyPhoto())).status, 201);
    assert.equal((await upload(member, fs.readFileSync(corpusFile("photos/dandelions-16mp.jpg")), "big.jpg")).status, 201, "2 MB, over the free 1 MB");
    const web = new WebClient(server);
    await web.logIn(member);
    assert.match((await web.get("/upload")).html, /You have 4 photos \(no limit\) · [\d.]+ MB stored \(no limit\) · <span class="badge">Pro<\/span>/);
  });

  test("a member's own quota beats the default, above or below it, and for Pro members too; null returns to the default", async () => {
    const lower = await buildMember(server);
    const set = await api(server, "PATCH", `/api/v1/admin/members/${lower.username}`, { token: operator.token, json: { quotaPhotos: 1 } });
    assert.deepEqual([set.body.quota, set.body.override], [{ photos: 1, bytes: MB }, { photos: 1, bytes: null }]);
    assert.equal((await upload(lower, tinyPhoto())).status, 201);
    const refused = await upload(lower, tinyPhoto());
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.message, "You have 1 of 1 photo allowed; delete some or ask for Pro.");

    const higher = await buildMember(server);
    await api(server, "PATCH", `/api/v1/admin/members/${higher.username}`, { token: operator.token, json: { quotaPhotos: 3, quotaMb: 5 } });
    for (let i = 0; i < 3; i++) assert.equal((await upload(higher, tinyPhoto())).status, 201);
    assert.equal((await upload(higher, tinyPhoto())).status, 403);
    assert.equal((await upload(higher, fs.readFileSync(corpusFile("photos/evening-boats.jpg")))).status, 403, "still at 3 photos");

    const capped = await api(server, "PATCH", `/api/v1/admin/members/${higher.username}`, { token: operator.token, json: { isPro: true, quotaPhotos: 3 } });
    assert.deepEqual(capped.body.quota, { photos: 3, bytes: 5 * MB }, "own limits beat Pro's");
    const pro = await upload(higher, tinyPhoto());
    assert.equal(pro.status, 403);
    assert.equal(pro.body.error.message, "You have 3 of 3 photos allowed; delete some or ask the site's operator for more room.");

    const back = await api(server, "PATCH", `/api/v1/admin/members/${lower.username}`, { token: operator.token, json: { quotaPhotos: null } });
    assert.equal(back.status, 200);
    assert.deepEqual([back.body.override.photos, back.body.quota.photos], [null, 2], "null is the default, not zero");
    assert.equal((await upload(lower, tinyPhoto())).status, 201);
  });

  test("the allowance API refuses bad values and unknown members", async () => {
    const member = await buildMember(server);
    for (const json of [{ quotaPhotos: -1 }, { quotaPhotos: 1.5 }, { quotaMb: "lots" }, { isPro: "sometimes" }, { suspended: true }]) {
      const response = await api(server, "PATCH", `/api/v1/admin/members/${member.username}`, { token: operator.token, json });
      assert.equal(response.status, 400, JSON.stringify(json));
    }
    assert.equal((await api(server, "PATCH", "/api/v1/admin/members/nobody-here", { token: operator.token, json: { isPro: true } })).status, 404);
    assert.equal((await api(server, "PATCH", `/api/v1/admin/members/${member.username}`, { token: member.token, json: { isPro: true } })).status, 403, "members cannot raise their own");
  });
});
