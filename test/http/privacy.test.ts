import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, buildPhoto, corpusFile, WebClient, type Member, type PhotoJson } from "../helpers/client.ts";

const VISIBILITIES = ["public", "friends", "family", "friends_and_family", "private"] as const;
const TAG = "privacycheck";

let server: TestServer;
let owner: Member;
let other: Member;
const photos = new Map<string, PhotoJson>();
const FILES = ["photos/tiny-1x1.jpg", "photos/grayscale.jpg", "photos/astronaut-no-gps.jpg", "photos/china-roof.jpg", "photos/bridge-sydney.jpg"];

let queryCount = 0;
function countQueries(): number {
  return queryCount;
}

before(async () => {
  server = await startServer();
  // Count every query the database handle runs, to prove image URLs need none.
  const executor = server.context.database.db.getExecutor();
  const execute = executor.executeQuery.bind(executor);
  (executor as { executeQuery: typeof execute }).executeQuery = ((...args: Parameters<typeof execute>) => {
    queryCount++;
    return execute(...args);
  }) as typeof execute;
  owner = await buildMember(server, { username: "owner" });
  other = await buildMember(server, { username: "other" });
  for (const [i, visibility] of VISIBILITIES.entries()) {
    photos.set(visibility, await buildPhoto(server, owner, { visibility, tags: TAG, title: `title-${visibility}` }, corpusFile(FILES[i]!)));
  }
});
after(async () => {
  await server.close();
});

type Viewer = "anonymous" | "other member" | "owner";
const VIEWERS: Viewer[] = ["anonymous", "other member", "owner"];

async function webFor(viewer: Viewer): Promise<WebClient> {
  const web = new WebClient(server);
  if (viewer === "owner") await web.logIn(owner);
  if (viewer === "other member") await web.logIn(other);
  return web;
}

function tokenFor(viewer: Viewer): string | undefined {
  return viewer === "owner" ? owner.token : viewer === "other member" ? other.token : undefined;
}

/** Until contacts exist, only public photos are visible to anyone but their owner. */
function mayView(viewer: Viewer, visibility: string): boolean {
  return viewer === "owner" || visibility === "public";
}

function secretOf(photo: PhotoJson): string {
  return new URL(photo.sizes[0]!.url).pathname.split("/")[3]!;
}

describe("every visibility on every read path", () => {
  for (const viewer of VIEWERS) {
    for (const visibility of VISIBILITIES) {
      test(`${visibility} photo, seen by ${viewer === "owner" ? "its owner" : `an ${viewer === "anonymous" ? "anonymous visitor" : "other member"}`}: ${mayView(viewer, visibility) ? "shown" : "hidden"}`, async () => {
        const photo = photos.get(visibility)!;
        const allowed = mayView(viewer, visibility);
        const token = tokenFor(viewer);
        const web = await webFor(viewer);
        const secret = secretOf(photo);

        const single = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token });
        assert.equal(single.status, allowed ? 200 : 404, "API photo");

        const list = await api(server, "GET", `/api/v1/users/${owner.username}/photos?limit=100`, { token });
        assert.equal(list.body.photos.some((p: PhotoJson) => p.id === photo.id), allowed, "API photostream");

        const pages: Array<[string, string]> = [
          ["photo page", `/photos/${owner.username}/${photo.id}`],
          ["photostream", `/photos/${owner.username}`],
          ["tag page", `/photos/tags/${TAG}`],
          ["member tag page", `/photos/${owner.username}/tags/${TAG}`],
        ];
        for (const [name, pagePath] of pages) {
          const page = await web.get(pagePath);
          if (name === "photo page") assert.equal(page.status, allowed ? 200 : 404, name);
          assert.equal(page.html.includes(secret), allowed, `${name}: image URLs ${allowed ? "present" : "absent"}`);
          assert.equal(page.html.includes(`title-${visibility}`), allowed, `${name}: title ${allowed ? "present" : "absent"}`);
        }

        // The home page lists the newest public photos for everyone, the owner included.
        const home = await web.get("/");
        assert.equal(home.html.includes(secret), visibility === "public", "home page");

        const original = await fetch(`${server.url}/photos/${owner.username}/${photo.id}/original`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        assert.equal(original.status, viewer === "owner" ? 200 : allowed ? 403 : 404, "original");
      });
    }
  }
});

describe("image URLs", () => {
  test("making a photo more private changes its secret: old image URLs stop working, new ones work", async () => {
    const photo = await buildPhoto(server, owner, { visibility: "public" }, corpusFile("photos/cmyk.jpg"));
    const oldUrl = photo.sizes.find((s) => s.name === "500")!.url;
    assert.equal((await fetch(oldUrl)).status, 200);
    const updated = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "friends" } });
    assert.equal(updated.status, 200);
    const newUrl = (updated.body as PhotoJson).sizes.find((s) => s.name === "500")!.url;
    assert.notEqual(newUrl, oldUrl);
    assert.equal((await fetch(oldUrl)).status, 404, "the old URL, even just served from memory, is gone");
    const etag = `"${secretOf(photo)}-500-jpeg"`;
    assert.equal((await fetch(oldUrl, { headers: { "if-none-match": etag } })).status, 404, "a cache revalidating the old URL is told it is gone");
    assert.equal((await fetch(newUrl)).status, 200);
  });

  test("opening a photo up keeps its image URLs", async () => {
    const photo = await buildPhoto(server, owner, { visibility: "private" }, corpusFile("photos/adobe-rgb.jpg"));
    const updated = await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "public" } });
    assert.deepEqual(updated.body.sizes.map((s: { url: string }) => s.url), photo.sizes.map((s) => s.url));
  });

  test("image URLs are served without the database: the secret is the permission", async () => {
    const photo = photos.get("public")!;
    // The job runner and the maintenance switch query the database every second in the
    // background. A fetch that needed the database would add queries every time, so one
    // fetch in a few that sees none is the proof.
    let quiet = false;
    for (let attempt = 0; attempt < 5 && !quiet; attempt++) {
      const before = countQueries();
      const response = await fetch(photo.sizes[1]!.url);
      assert.equal(response.status, 200);
      quiet = countQueries() === before;
    }
    assert.ok(quiet, "serving an image URL ran a query");
    const queriesBefore = countQueries();
    await api(server, "GET", `/api/v1/photos/${photo.id}`);
    assert.ok(countQueries() > queriesBefore, "the counter does see the queries of other routes");
    const wrongSecret = photo.sizes[1]!.url.replace(secretOf(photo), "0".repeat(20));
    assert.equal((await fetch(wrongSecret)).status, 404);
    for (const bad of ["/img/1/../../etc/passwd", "/img/abc/0123456789abcdef0123/500.jpg", `/img/${photo.id}/${secretOf(photo)}/9999.jpg`, `/img/${photo.id}/${secretOf(photo)}/500.html`]) {
      assert.equal((await fetch(server.url + bad)).status, 404, bad);
    }
  });
});

