import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { systemClock } from "../../src/clock.ts";
import { derivativeDefect } from "../../src/images/check.ts";
import { derivativeKey } from "../../src/images/keys.ts";
import { runBackup } from "../../src/ops/backup.ts";
import { runRestore } from "../../src/ops/restore.ts";
import { parseSizes } from "../../src/photos/presenter.ts";
import { PhotosRepository } from "../../src/photos/repository.ts";
import { DELETE_FILES_JOB } from "../../src/photos/files.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { api, buildMember, photoForm, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");
const DATABASE = TEST_POSTGRES_URL ? "PostgreSQL" : "SQLite";

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An empty site to restore into: a data dir, and a fresh PostgreSQL database when the suite runs on one. */
async function emptySite(): Promise<{ dataDir: string; databaseUrl: string | null }> {
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  if (postgres) cleanups.push(postgres.drop);
  return { dataDir: tempDir("pinhole-restored-"), databaseUrl: postgres?.url ?? null };
}

function siteEnv(site: { dataDir: string; databaseUrl: string | null }): Record<string, string> {
  // An empty DATABASE_URL means SQLite, whatever the environment running the tests says.
  return { PINHOLE_DATA_DIR: site.dataDir, DATABASE_URL: site.databaseUrl ?? "" };
}

function serverSite(server: TestServer): { dataDir: string; databaseUrl: string | null } {
  return { dataDir: server.context.config.dataDir, databaseUrl: server.context.config.databaseUrl };
}

/** The real `pinhole` command, as an operator runs it, in its own process. */
function pinhole(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A small real JPEG with different bytes every time. */
function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .jpeg({ quality: 70 })
    .toBuffer();
}

async function upload(server: TestServer, member: Member, fields: Record<string, string> = {}): Promise<PhotoJson> {
  const response = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(await jpeg(), fields, "photo.jpg") });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as PhotoJson;
}

/** What differs between two servers showing the same site: their address and the per-session form tokens. */
function normalise(html: string, server: TestServer): string {
  return html
    .replaceAll(server.url, "BASE")
    .replaceAll(encodeURIComponent(server.url), "BASE")
    .replace(/<meta name="csrf-token" content="[^"]*">/g, "")
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/([?&]_csrf=)[^"&]*/g, "$1");
}

async function bytesOf(server: TestServer, url: string): Promise<Buffer> {
  const response = await fetch(server.url + new URL(url).pathname);
  assert.equal(response.status, 200, url);
  return Buffer.from(await response.arrayBuffer());
}

/** Every row's original (with the sha256 recorded at upload) and every derivative it lists, in the server's storage. */
async function assertEveryRowHasItsFiles(server: TestServer): Promise<number[]> {
  const rows = await new PhotosRepository(server.context.database.db).listFilesAfter(0, 100_000);
  for (const row of rows) {
    const original = await server.context.store.get(row.original_key);
    assert.ok(original, `photo ${row.id}: original ${row.original_key} is missing`);
    assert.equal(crypto.createHash("sha256").update(original).digest("hex"), row.sha256, `photo ${row.id}: original damaged`);
    for (const size of parseSizes(row.sizes)) {
      assert.ok(await server.context.store.exists(derivativeKey(row.id, row.secret, size.size, size.format)), `photo ${row.id}: ${size.size}.${size.format} is missing`);
    }
  }
  return rows.map((r) => r.id);
}

test(`a backup taken by the pinhole command during uploads restores into a fresh site that serves the same pages, images and accounts (${DATABASE})`, async () => {
  const server = await startServer();
  let closed = false;
  cleanups.push(() => (closed ? undefined : server.close()));
  const dest = tempDir("pinhole-backups-");

  const members = [await buildMember(server), await buildMember(server), await buildMember(server)];
  const before: PhotoJson[] = [];
  for (const member of members) {
    before.push(await upload(server, member, { title: "Harbour at dusk", tags: "sea boats", visibility: "public" }));
    before.push(await upload(server, member, { title: "Only mine", visibility: "private" }));
    before.push(await upload(server, member, { title: "For friends", visibility: "friends" }));
  }

  // Uploads keep coming while the backup runs, through the live server's HTTP API.
  let uploading = true;
  const during: PhotoJson[] = [];
  const uploader = (async () => {
    while (uploading) during.push(await upload(server, members[during.length % members.length]!, { title: `During ${during.length}` }));
  })();
  while (during.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  const atStart = during.length;
  const backup = await pinhole(["backup", dest], siteEnv(serverSite(server)));
  const atEnd = during.length;
  uploading = false;
  await uploader;
  assert.equal(backup.code, 0, backup.stderr);
  assert.ok(atEnd > atStart, `uploads finished while the backup ran (${atStart} → ${atEnd})`);
  assert.match(backup.stdout, /^backup complete: /m);
  assert.match(backup.stdout, /not in the backup: the signing secret \(.*secret\.key\)/);
  assert.match(backup.stderr, /backup files: done/, "plain progress lines when not on a terminal");

  // Restored onto a new machine (a fresh data dir and database) while the old one still runs.
  const site = await emptySite();
  const restore = await pinhole(["restore", dest], siteEnv(site));
  assert.equal(restore.code, 0, restore.stderr);
  assert.match(restore.stdout, /storage marker and database agree/);
  assert.match(restore.stdout, /the signing secret is never in a backup/);
  const restored = await startServer(siteEnv(site));
  cleanups.push(() => restored.close());
  const ids = (await assertEveryRowHasItsFiles(restored)).map(String);
  const all = [...before, ...during];
  for (const photo of before) assert.ok(ids.includes(photo.id), `photo ${photo.id}, uploaded before the backup, is restored`);
  for (const id of ids) assert.ok(all.some((p) => p.id === id), `photo ${id} came from the old site`);

  // Photos uploaded after the database was copied are not in the backup: remove them from the
  // old site too, so both show the same photostreams, then capture what the old site shows.
  for (const photo of during.filter((p) => !ids.includes(p.id))) {
    const owner = members.find((m) => m.username === photo.owner.username)!;
    assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: owner.token })).status, 204);
  }
  const kept = all.filter((p) => ids.includes(p.id));
  const expected = new Map<string, { owner: Member; page: string; ownerPage: string; images: Map<string, Buffer>; original: Buffer }>();
  const ownerClients = new Map<string, WebClient>();
  for (const member of members) {
    const client = new WebClient(server);
    await client.logIn(member);
    ownerClients.set(member.username, client);
  }
  for (const photo of kept) {
    const owner = members.find((m) => m.username === photo.owner.username)!;
    const pagePath = new URL(photo.pageUrl).pathname;
    const anonymous = await new WebClient(server).get(pagePath);
    const own = await ownerClients.get(owner.username)!.get(pagePath);
    assert.equal(own.status, 200);
    const images = new Map<string, Buffer>();
    for (const size of photo.sizes) images.set(size.url, await bytesOf(server, size.url));
    const row = await new PhotosRepository(server.context.database.db).findFiles(Number(photo.id));
    const original = (await server.context.store.get(row!.original_key))!;
    expected.set(photo.id, { owner, page: `${anonymous.status} ${normalise(anonymous.html, server)}`, ownerPage: normalise(own.html, server), images, original });
  }
  await server.close(); // the old site is gone: its data dir deleted, its database dropped
  closed = true;

  for (const member of members) {
    // The same password logs in, and the API token issued before the backup still works.
    const client = new WebClient(restored);
    await client.logIn(member);
    ownerClients.set(member.username, client);
    const me = await api(restored, "GET", "/api/v1/me", { token: member.token });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.ok(JSON.stringify(me.body).includes(member.username));
  }
  for (const photo of kept) {
    const want = expected.get(photo.id)!;
    const pagePath = new URL(photo.pageUrl).pathname;
    const anonymous = await new WebClient(restored).get(pagePath);
    assert.equal(`${anonymous.status} ${normalise(anonymous.html, restored)}`, want.page, `photo ${photo.id}: the page a stranger sees`);
    const own = await ownerClients.get(want.owner.username)!.get(pagePath);
    assert.equal(normalise(own.html, restored), want.ownerPage, `photo ${photo.id}: the page its owner sees`);
    for (const [url, bytes] of want.images) assert.deepEqual(await bytesOf(restored, url), bytes, `photo ${photo.id}: ${url}`);
    const row = await new PhotosRepository(restored.context.database.db).findFiles(Number(photo.id));
    assert.deepEqual(await restored.context.store.get(row!.original_key), want.original, `photo ${photo.id}: the original`);
  }
});

test(`a photo deleted while its files are being backed up keeps its files in the backup (${DATABASE})`, async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const member = await buildMember(server);
  const victim = await upload(server, member, { title: "Deleted during the backup" });
  await upload(server, member, { title: "Stays" });
  const row = (await new PhotosRepository(server.context.database.db).findFiles(Number(victim.id)))!;
  const dest = tempDir("pinhole-backups-");
  const { context } = server;

  await runBackup(
    { database: context.database, databaseUrl: context.config.databaseUrl, store: context.store, settings: context.settings, gate: context.deletionGate, clock: systemClock },
    {
      dest,
      kind: "manual",
      dataDir: context.config.dataDir,
      // The database is copied (with the photo in it) and no file is copied yet: delete it now.
      afterDatabase: async () => {
        const deleted = await api(server, "DELETE", `/api/v1/photos/${victim.id}`, { token: member.token });
        assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
        assert.equal((await api(server, "GET", `/api/v1/photos/${victim.id}`, { token: member.token })).status, 404, "the photo is gone from the site at once");
        assert.ok(await context.store.exists(row.original_key), "its file deletion waits for the backup");
      },
    },
  );
  const pending = (await new JobsRepository(context.database.db).list(50)).filter((j) => j.kind === DELETE_FILES_JOB);
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.state, "pending");
  assert.equal(pending[0]!.last_error, "a backup is running", "the deletion was put off, not dropped");

  const site = await emptySite();
  await runRestore({ source: dest, ...site, force: false, clock: systemClock });
  const restored = await startServer(siteEnv(site));
  cleanups.push(() => restored.close());
  const ids = await assertEveryRowHasItsFiles(restored);
  assert.ok(ids.includes(Number(victim.id)), "the backup's database has the photo, and its files came with it");
  const page = await new WebClient(restored).get(new URL(victim.pageUrl).pathname);
  assert.equal(page.status, 200);
});

test(`pinhole verify finds a damaged original and a missing derivative; --repair makes the derivative again and names the original (${DATABASE})`, async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const member = await buildMember(server);
  const damaged = await upload(server, member);
  const incomplete = await upload(server, member);
  const { store } = server.context;
  const repository = new PhotosRepository(server.context.database.db);
  const damagedRow = (await repository.findFiles(Number(damaged.id)))!;
  const incompleteRow = (await repository.findFiles(Number(incomplete.id)))!;
  const env = siteEnv(serverSite(server));

  const healthy = await pinhole(["verify"], env);
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.match(healthy.stdout, /verified 2 photo\(s\): all well/);

  const goodOriginal = (await store.get(damagedRow.original_key))!;
  const rotten = Buffer.from(goodOriginal);
  rotten[Math.floor(rotten.length / 2)]! ^= 0xff; // one flipped byte, same size
  await store.put(damagedRow.original_key, rotten);
  const [missing, truncated] = parseSizes(incompleteRow.sizes).filter((s) => s.format === "jpeg");
  const missingKey = derivativeKey(incomplete.id, incompleteRow.secret, missing!.size, "jpeg");
  const truncatedKey = derivativeKey(incomplete.id, incompleteRow.secret, truncated!.size, "jpeg");
  const missingBytes = (await store.get(missingKey))!;
  await store.delete(missingKey);
  await store.put(truncatedKey, (await store.get(truncatedKey))!.subarray(0, 300));

  const found = await pinhole(["verify"], env);
  assert.equal(found.code, 1);
  const lines = found.stdout.trim().split("\n");
  assert.deepEqual(lines.sort(), [
    `photo ${damaged.id}: original ${damagedRow.original_key} is corrupt: its sha256 is not the one recorded at upload; it cannot be repaired: restore it from a backup`,
    `photo ${incomplete.id}: derivative ${missingKey} is missing; pinhole verify --repair makes it again`,
    `photo ${incomplete.id}: derivative ${truncatedKey} is truncated (no JPEG end marker); pinhole verify --repair makes it again`,
  ].sort());
  assert.match(found.stderr, /^pinhole: verified 2 photo\(s\): 3 problem\(s\)$/m);

  const repair = await pinhole(["verify", "--repair"], env);
  assert.equal(repair.code, 1, "the original cannot be repaired");
  assert.match(repair.stdout, new RegExp(`^repaired: photo ${incomplete.id}: made 2 derivative\\(s\\) again`, "m"));
  assert.match(repair.stdout, new RegExp(`^photo ${damaged.id}: original .* cannot be repaired: restore it from a backup$`, "m"));
  assert.deepEqual(await store.get(missingKey), missingBytes, "made again from the original, byte for byte");
  assert.equal(await derivativeDefect((await store.get(truncatedKey))!, truncated!), null);

  const after = await pinhole(["verify"], env);
  assert.equal(after.code, 1);
  assert.deepEqual(after.stdout.trim().split("\n"), [`photo ${damaged.id}: original ${damagedRow.original_key} is corrupt: its sha256 is not the one recorded at upload; it cannot be repaired: restore it from a backup`]);

  await store.put(damagedRow.original_key, goodOriginal);
  const whole = await pinhole(["verify"], env);
  assert.equal(whole.code, 0, whole.stdout);
});

test(`pinhole restore refuses a data dir or database that holds a site unless --force (${DATABASE})`, async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const member = await buildMember(server);
  await upload(server, member);
  const dest = tempDir("pinhole-backups-");
  assert.equal((await pinhole(["backup", dest], siteEnv(serverSite(server)))).code, 0);

  const site = await emptySite();
  assert.equal((await pinhole(["restore", dest], siteEnv(site))).code, 0);
  const again = await pinhole(["restore", dest], siteEnv(site));
  assert.equal(again.code, 1);
  assert.equal(again.stderr.trim().split("\n").filter((line) => line.startsWith("pinhole:")).length, 1);
  assert.match(again.stderr, /^pinhole: not restoring over an existing site: found photo files in .*; restore into an empty data dir and database, or pass --force to replace them$/m);

  const forced = await pinhole(["restore", dest, "--force"], siteEnv(site));
  assert.equal(forced.code, 0, forced.stderr);
  const restored = await startServer(siteEnv(site));
  cleanups.push(() => restored.close());
  assert.equal((await assertEveryRowHasItsFiles(restored)).length, 1);
});

test("pinhole backup of a PostgreSQL site without pg_dump says what to install, in one line", async () => {
  const dataDir = tempDir("pinhole-nodump-");
  const result = await pinhole(["backup", tempDir("pinhole-backups-")], { PINHOLE_DATA_DIR: dataDir, DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", PATH: "/nonexistent" });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, "pinhole: pg_dump is not installed; install postgresql-client-15\n");
});
