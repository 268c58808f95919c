import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

const DAY = 24 * 60 * 60_000;
// Noon UTC, so a few minutes either way stay in the same UTC day.
let now = Math.floor(Date.now() / DAY) * DAY + DAY / 2;
const clock = { now: () => now };

let server: TestServer;
before(async () => {
  server = await startServer({}, { clock });
});
after(async () => server.close());

async function visit(path: string, options: { member?: Member; userAgent?: string; method?: string } = {}): Promise<{ status: number; html: string }> {
  const headers: Record<string, string> = { accept: "text/html", "user-agent": options.userAgent ?? "test-agent/1" };
  if (options.member) headers.authorization = `Bearer ${options.member.token}`;
  const response = await fetch(server.url + path, { method: options.method ?? "GET", headers });
  return { status: response.status, html: await response.text() };
}

async function viewsSeenByOwner(owner: Member, path: string): Promise<number> {
  const page = await visit(path, { member: owner });
  const match = /<p class="view-count" id="view-count">([\d,]+) views?<\/p>/.exec(page.html);
  assert.ok(match, "the owner sees the count");
  return Number(match[1]!.replace(/,/g, ""));
}

test("a photo page view counts once per visitor per UTC day, never the owner's, and only the owner sees the count", async () => {
  const owner = await buildMember(server);
  const member = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const path = `/photos/${owner.username}/${photo.id}`;

  assert.equal(await viewsSeenByOwner(owner, path), 0);
  assert.equal(await viewsSeenByOwner(owner, path), 0, "the owner's own visits do not count");

  const seen = await visit(path, { member });
  assert.equal(seen.status, 200);
  assert.doesNotMatch(seen.html, /view-count/, "others do not see the count");
  await visit(path, { member });
  assert.equal(await viewsSeenByOwner(owner, path), 1, "a member counts once a day");

  await visit(path, { userAgent: "browser A" });
  await visit(path, { userAgent: "browser A" });
  assert.equal(await viewsSeenByOwner(owner, path), 2, "a visitor (IP + user agent) counts once a day");
  const anonymous = await visit(path, { userAgent: "browser B" });
  assert.doesNotMatch(anonymous.html, /view-count/);
  assert.equal(await viewsSeenByOwner(owner, path), 3, "another browser on the same address is another visitor");

  await visit(path, { method: "HEAD" });
  assert.equal(await viewsSeenByOwner(owner, path), 3, "HEAD requests are not visits");

  now += DAY;
  await visit(path, { member });
  await visit(path, { userAgent: "browser A" });
  await visit(path, { member: owner });
  assert.equal(await viewsSeenByOwner(owner, path), 5, "the next UTC day counts again, still not the owner");

  const api1 = await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: member.token });
  assert.equal(api1.status, 200);
  assert.equal(await viewsSeenByOwner(owner, path), 5, "reading the photo through the API is not a page view");
});

test("visits racing each other count once, and a photo the visitor may not see is neither shown nor counted", async () => {
  const owner = await buildMember(server);
  const member = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const path = `/photos/${owner.username}/${photo.id}`;
  const answers = await Promise.all(Array.from({ length: 8 }, () => visit(path, { member })));
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(await viewsSeenByOwner(owner, path), 1, "eight simultaneous visits by one member are one view");

  const secret = await buildDistinctPhoto(server, owner, { visibility: "friends" });
  const secretPath = `/photos/${owner.username}/${secret.id}`;
  assert.equal((await visit(secretPath, { member })).status, 404);
  assert.equal((await visit(secretPath)).status, 404);
  assert.equal(await viewsSeenByOwner(owner, secretPath), 0);
});

test("an owner logged in with the session cookie sees the count grow with visits", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const web = new WebClient(server);
  await web.logIn(owner);
  const page = await web.get(`/photos/${owner.username}/${photo.id}`);
  assert.match(page.html, /0 views/);
  await visit(`/photos/${owner.username}/${photo.id}`, { userAgent: "someone" });
  assert.match((await web.get(`/photos/${owner.username}/${photo.id}`)).html, /1 view</);
});

test("in read-only maintenance the photo page still answers and counts nothing", async () => {
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner);
  const path = `/photos/${owner.username}/${photo.id}`;
  await server.context.maintenance.set(true);
  try {
    assert.equal((await visit(path, { userAgent: "during maintenance" })).status, 200);
  } finally {
    await server.context.maintenance.set(false);
  }
  assert.equal(await viewsSeenByOwner(owner, path), 0);
  await visit(path, { userAgent: "during maintenance" });
  assert.equal(await viewsSeenByOwner(owner, path), 1, "and counts again once it is over");
});
