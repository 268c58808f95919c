import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { api, buildMember, photoForm, type PhotoJson } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.ts";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");
const SKIP = TEST_POSTGRES_URL ? false : "copying a SQLite site into PostgreSQL needs PostgreSQL (set PINHOLE_TEST_DATABASE_URL)";

function copyDatabase(dataDir: string, to: string): { status: number | null; output: string } {
  const env: Record<string, string | undefined> = { ...process.env, PINHOLE_DATA_DIR: dataDir, PINHOLE_LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, [BIN, "copy-database", "--to", to], { env, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** What a photo is, whatever server answers (its URLs name the server's address). */
function essence(photo: PhotoJson) {
  const { id, title, tags, visibility, width, height, takenAt, uploadedAt, license } = photo;
  return { id, title, tags, visibility, width, height, takenAt, uploadedAt, license, sizes: photo.sizes.map((s) => `${s.name}.${s.format}`), paths: photo.sizes.map((s) => new URL(s.url).pathname) };
}

test("pinhole copy-database moves a SQLite site into an empty PostgreSQL database: members log in with their passwords, photos, tags, search, comments and faves are there, new writes work; a database that is not empty is refused", { skip: SKIP, timeout: 120_000 }, async () => {
  let sqliteSite: ServeProcess | null = null;
  let postgresSite: ServeProcess | null = null;
  const postgres = await createPostgresDatabase(TEST_POSTGRES_URL!);
  try {
    sqliteSite = await startServeProcess([], { PINHOLE_LOG_LEVEL: "warn" }, { databaseUrl: null });
    const owner = await buildMember(sqliteSite);
    const friend = await buildMember(sqliteSite);
    const photos: PhotoJson[] = [];
    const uploads: Array<Record<string, string>> = [{ title: "Harbour at dawn", tags: "harbour boats" }, { title: "Quiet street", tags: "street", visibility: "friends" }];
    for (const [i, fields] of uploads.entries()) {
      const image = await sharp({ create: { width: 300 + i, height: 200, channels: 3, background: "#a63" } }).jpeg().toBuffer();
      const answer = await api(sqliteSite, "POST", "/api/v1/photos", { token: owner.token, form: photoForm(image, fields, `p${i}.jpg`) });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      photos.push(answer.body as PhotoJson);
    }
    const [harbour, street] = photos as [PhotoJson, PhotoJson];
    assert.equal((await api(sqliteSite, "POST", `/api/v1/photos/${harbour.id}/comments`, { token: friend.token, json: { text: "Lovely light" } })).status, 201);
    assert.equal((await api(sqliteSite, "PUT", `/api/v1/photos/${harbour.id}/fave`, { token: friend.token })).status, 200);
    const before = {
      harbour: essence((await api(sqliteSite, "GET", `/api/v1/photos/${harbour.id}`)).body),
      street: essence((await api(sqliteSite, "GET", `/api/v1/photos/${street.id}`, { token: owner.token })).body),
      comments: (await api(sqliteSite, "GET", `/api/v1/photos/${harbour.id}/comments`)).body.comments.map((c: { text: string }) => c.text),
      faves: (await api(sqliteSite, "GET", `/api/v1/photos/${harbour.id}/faves`)).body,
    };
    sqliteSite.child.kill("SIGTERM");
    assert.equal(await sqliteSite.exited, 0);

    const copied = copyDatabase(sqliteSite.dataDir, postgres.url);
    assert.equal(copied.status, 0, copied.output);
    assert.match(copied.output, /^photos: 2 rows$/m);
    assert.match(copied.output, /^comments: 1 rows$/m);
    assert.match(copied.output, /^copied \d+ rows in \d+ tables/m);

    postgresSite = await startServeProcess([], { PINHOLE_LOG_LEVEL: "warn" }, { dataDir: sqliteSite.dataDir, databaseUrl: postgres.url });
    const site = postgresSite;
    // Passwords (their hashes) and sessions came along.
    assert.equal((await api(site, "POST", "/api/v1/sessions", { json: { username: owner.username, password: owner.password } })).status, 201);
    assert.equal((await api(site, "GET", "/api/v1/me", { token: friend.token })).status, 200);
    assert.deepEqual(essence((await api(site, "GET", `/api/v1/photos/${harbour.id}`)).body), before.harbour);
    assert.deepEqual(essence((await api(site, "GET", `/api/v1/photos/${street.id}`, { token: owner.token })).body), before.street);
    assert.equal((await api(site, "GET", `/api/v1/photos/${street.id}`)).status, 404, "a friends-only photo is still hidden from strangers");
    assert.deepEqual((await api(site, "GET", `/api/v1/photos/${harbour.id}/comments`)).body.comments.map((c: { text: string }) => c.text), before.comments);
    assert.deepEqual((await api(site, "GET", `/api/v1/photos/${harbour.id}/faves`)).body, before.faves);
    // The search index is PostgreSQL's own now (its tsvector made from the copied words).
    const found = await api(site, "GET", `/api/v1/search?${new URLSearchParams({ q: "harbour" })}`);
    assert.deepEqual(found.body.photos.map((p: PhotoJson) => p.id), [harbour.id]);
    const image = await fetch(site.url + new URL(harbour.sizes[0]!.url).pathname);
    assert.equal(image.status, 200, "the files stay where they were");

    // New rows take ids after the copied ones.
    assert.equal((await api(site, "POST", `/api/v1/photos/${harbour.id}/comments`, { token: owner.token, json: { text: "Thanks!" } })).status, 201);
    const next = await api(site, "POST", "/api/v1/photos", { token: owner.token, form: photoForm(await sharp({ create: { width: 320, height: 200, channels: 3, background: "#36a" } }).jpeg().toBuffer(), {}, "new.jpg") });
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal((await api(site, "POST", "/api/v1/users", { json: { username: "afterthecopy", email: "after@example.test", password: "a long enough password 1" } })).status, 201);

    // A second copy into a database that now holds the site is refused, and changes nothing.
    const again = copyDatabase(sqliteSite.dataDir, postgres.url);
    assert.equal(again.status, 1);
    assert.match(again.output, /the PostgreSQL database is not empty/);
    assert.equal((await api(site, "GET", `/api/v1/photos/${harbour.id}`)).status, 200);
  } finally {
    await postgresSite?.cleanUp();
    await sqliteSite?.cleanUp();
    await postgres.drop();
  }
});
