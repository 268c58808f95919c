import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
let admin: Member;
before(async () => {
  server = await startServer();
  admin = await buildMember(server); // the first account is an admin
});
after(async () => server.close());

async function visit(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const response = await fetch(server.url + path, { headers: { accept: "text/html", ...headers } });
  return { status: response.status, html: await response.text() };
}

/** How many photo pages were shown each way so far. */
async function outcomes(): Promise<Record<"hit" | "miss" | "bypass", number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const count = (outcome: string) => Number(new RegExp(`^pinhole_photo_page_cache_total\\{outcome="${outcome}"\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { hit: count("hit"), miss: count("miss"), bypass: count("bypass") };
}

/** What one visit did to the counters. */
async function shownAs(path: string, headers: Record<string, string> = {}): Promise<{ how: string; status: number; html: string }> {
  const before = await outcomes();
  const page = await visit(path, headers);
  const after = await outcomes();
  const moved = (["hit", "miss", "bypass"] as const).filter((k) => after[k] !== before[k]);
  return { how: moved.join(",") || "none", ...page };
}

const title = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1];

test("a visitor's second look at a photo page is the kept page, and any change to what the page's query reads makes it afresh", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "First light", visibility: "public" });
  const path = `/photos/${owner.username}/${photo.id}`;

  const first = await shownAs(path);
  assert.equal(first.how, "miss");
  const second = await shownAs(path);
  assert.equal(second.how, "hit");
  assert.equal(second.html, first.html, "the same page");

  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { title: "Second light" } })).status, 200);
  const edited = await shownAs(path);
  assert.equal(edited.how, "miss", "an edited row is another version");
  assert.equal(title(edited.html), "Second light");

  // A newer photo in the photostream changes this page's "newer" link, not its row.
  const newer = await buildDistinctPhoto(server, owner, { visibility: "public" });
  const withNeighbour = await shownAs(path);
  assert.equal(withNeighbour.how, "miss");
  assert.ok(withNeighbour.html.includes(`/photos/${owner.username}/${newer.id}`), "the new neighbour is linked");

  // Made private: gone for visitors at once, whatever was kept.
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "private" } })).status, 200);
  assert.equal((await visit(path)).status, 404);
  assert.equal((await api(server, "PATCH", `/api/v1/photos/${photo.id}`, { token: owner.token, json: { visibility: "public" } })).status, 200);
  const reopened = await shownAs(path);
  assert.equal(reopened.how, "miss");
  const secret = (await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.sizes[0].url.split("/")[5];
  assert.ok(reopened.html.includes(`/${secret}/`), "the page names the image URLs of the new secret");
  assert.ok(!reopened.html.includes(`/${photo.sizes[0]!.url.split("/")[5]}/`), "and none of the old one");

  // Suspending the owner hides the page; lifting it shows it again.
  assert.equal((await api(server, "PUT", `/api/v1/admin/members/${owner.username}/suspension`, { token: admin.token, json: { suspended: true } })).status, 200);
  assert.equal((await visit(path)).status, 404);
  assert.equal((await api(server, "PUT", `/api/v1/admin/members/${owner.username}/suspension`, { token: admin.token, json: { suspended: false } })).status, 200);
  assert.equal((await shownAs(path)).how, "hit", "nothing the page reads changed");

  // Suspension ended the owner's tokens.
  const session = await api(server, "POST", "/api/v1/sessions", { json: { username: owner.username, password: owner.password } });
  assert.equal((await api(server, "DELETE", `/api/v1/photos/${photo.id}`, { token: session.body.token })).status, 204);
  assert.equal((await visit(path)).status, 404, "a deleted photo's kept page is never shown");
});

test("a photo with comments, faves or notes, and every member's visit, is rendered each time; languages and query strings are pages of their own", async () => {
  const owner = await buildMember(server);
  const member = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "Harbour", visibility: "public" });
  const path = `/photos/${owner.username}/${photo.id}`;
  assert.equal((await shownAs(path)).how, "miss");

  const english = await shownAs(path, { "accept-language": "en" });
  assert.equal(english.how, "hit");
  const german = await shownAs(path, { "accept-language": "de" });
  assert.equal(german.how, "miss", "German is another page");
  assert.match(german.html, /<html lang="de"/);
  assert.equal((await shownAs(path, { "accept-language": "de" })).how, "hit");
  assert.match((await shownAs(path, { "accept-language": "en" })).html, /<html lang="en"/);
  assert.equal((await shownAs(`${path}?comments=2`)).how, "miss", "another address is another page");
  assert.equal((await shownAs(`${path}?comments=2`)).how, "hit");
  const shared = await shownAs(`${path}?utm_source=newsletter`);
  assert.equal(shared.how, "bypass", "any other query string is rendered and not kept");
  assert.equal(shared.status, 200);
  assert.equal((await shownAs(`${path}?utm_source=newsletter`)).how, "bypass");

  assert.equal((await shownAs(path, { authorization: `Bearer ${member.token}` })).how, "bypass", "members' pages are their own");

  assert.equal((await api(server, "POST", `/api/v1/photos/${photo.id}/comments`, { token: member.token, json: { text: "Lovely boats" } })).status, 201);
  const commented = await shownAs(path);
  assert.equal(commented.how, "bypass", "a comment is read from its own table: rendered every time");
  assert.ok(commented.html.includes("Lovely boats"));
  const again = await shownAs(path);
  assert.equal(again.how, "bypass");
  assert.ok(again.html.includes("Lovely boats"));
});

test("views are counted on kept pages too", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { visibility: "public" });
  const path = `/photos/${owner.username}/${photo.id}`;
  assert.equal((await shownAs(path, { "user-agent": "browser A" })).how, "miss");
  assert.equal((await shownAs(path, { "user-agent": "browser B" })).how, "hit");
  assert.equal((await shownAs(path, { "user-agent": "browser C" })).how, "hit");
  // The owner sees the count once the views are written (every 2 s, or now).
  await server.context.photoViews.flush();
  const ownPage = await visit(path, { authorization: `Bearer ${owner.token}` });
  assert.match(ownPage.html, /<p class="view-count" id="view-count">3 views<\/p>/);
  // The counter moved in the row, but no visitor's page shows it: still the kept page.
  const later = await shownAs(path, { "user-agent": "browser D" });
  assert.equal(later.how, "hit");
  assert.doesNotMatch(later.html, /view-count/);
});

test("PINHOLE_PAGE_CACHE_MB=0 renders every page", async () => {
  const bare = await startServer({ PINHOLE_PAGE_CACHE_MB: "0" });
  try {
    const owner = await buildMember(bare);
    const photo = await buildDistinctPhoto(bare, owner, { visibility: "public" });
    const path = `/photos/${owner.username}/${photo.id}`;
    for (let i = 0; i < 2; i++) assert.equal((await fetch(bare.url + path)).status, 200);
    const text = await (await fetch(`${bare.url}/metrics`)).text();
    assert.match(text, /^pinhole_photo_page_cache_total\{outcome="bypass"\} 2$/m);
    assert.match(text, /^pinhole_photo_page_cache_total\{outcome="hit"\} 0$/m);
  } finally {
    await bare.close();
  }
});
