import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { CHROMIUM_PATH, drawNote, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { api, buildMember, type Member } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";

let server: TestServer;
let browser: Browser | null;
before(async () => {
  server = await startServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server.close();
});

/** A page in its own browser context (its own cookies), collecting script errors and CSP violations. */
async function openAs(member: Member, errors: string[]): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`${member.username}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${member.username}: ${message.text()}`);
  });
  await logInThroughForm(page, server.url, member);
  return page;
}

test("B follows A, A marks B a friend, and B then sees A's friends-only photo, faves it, comments on it and draws a note on it", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const errors: string[] = [];
  const a = await buildMember(server);
  const b = await buildMember(server);
  const photo = await buildDistinctPhoto(server, a, { title: "friends only kingfisher", visibility: "friends" }, { width: 800, height: 600 });
  assert.equal(photo.visibility, "friends");
  // A lets friends add notes (the default is the owner alone).
  assert.deepEqual((await api(server, "PUT", "/api/v1/me/settings/notes", { token: a.token, json: { permission: "friends" } })).body, { permission: "friends" });
  const photoPath = `/photos/${a.username}/${photo.id}`;

  // B, not yet a friend: the photostream hides the photo and its page is a 404.
  const pageB = await openAs(b, errors);
  await pageB.goto(`${server.url}/photos/${a.username}`);
  assert.equal(await pageB.getByText("friends only kingfisher").count(), 0, "hidden from B before the friendship");
  // (Through the API: a 404 page in the browser would log a console error of its own.)
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: b.token })).status, 404);

  // B follows A with the Follow button on A's photostream.
  await pageB.goto(`${server.url}/photos/${a.username}`);
  await pageB.locator("#follow-button").click();
  await pageB.waitForLoadState("load");
  assert.equal(await pageB.locator("#follow-button").textContent(), "Unfollow", "the button now offers to unfollow");
  const followsOfB = (await api(server, "GET", "/api/v1/contacts", { token: b.token })).body.contacts as Array<{ username: string }>;
  assert.deepEqual(followsOfB.map((c) => c.username), [a.username], "B follows A");

  // A follows B back and ticks Friend on B's photostream.
  const pageA = await openAs(a, errors);
  await pageA.goto(`${server.url}/photos/${b.username}`);
  await pageA.locator("#follow-button").click();
  await pageA.waitForLoadState("load");
  await pageA.locator(".contact-flags").getByLabel("Friend").check();
  await pageA.locator(".contact-flags").getByRole("button", { name: "Save" }).click();
  await pageA.waitForLoadState("load");
  assert.equal(await pageA.locator(".contact-flags").getByLabel("Friend").isChecked(), true, "the box stays ticked after saving");
  const contactsOfA = (await api(server, "GET", "/api/v1/contacts", { token: a.token })).body.contacts as Array<{ username: string; friend: boolean }>;
  assert.deepEqual(contactsOfA, [{ username: b.username, friend: true, family: false }]);
  await pageA.goto(`${server.url}/people/${a.username}/contacts`);
  assert.equal(await pageA.locator("li", { hasText: b.username }).locator(".badge", { hasText: "friend" }).count(), 1, "A's contacts page marks B a friend");

  // B now sees the photo in A's photostream and opens it.
  await pageB.goto(`${server.url}/photos/${a.username}`);
  const tile = pageB.locator(`.jg li a[href="${photoPath}"]`);
  assert.equal(await tile.count(), 1, "the friends-only photo is in A's photostream for B");
  await tile.click();
  await pageB.waitForURL(`${server.url}${photoPath}`);
  assert.equal(await pageB.locator("#photo-title").textContent(), "friends only kingfisher");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: b.token })).status, 200);

  // B faves it with the button.
  assert.equal(await pageB.locator("#fave-count").textContent(), "0 faves");
  await pageB.locator("#fave-button").click();
  await pageB.waitForLoadState("load");
  assert.equal(await pageB.locator("#fave-button").textContent(), "Unfave");
  assert.equal(await pageB.locator("#fave-count").textContent(), "1 fave");
  const favers = (await api(server, "GET", `/api/v1/photos/${photo.id}/faves`, { token: b.token })).body;
  assert.equal(favers.faveCount, 1);
  assert.deepEqual(favers.faves.map((f: { username: string }) => f.username), [b.username]);

  // B comments with the form.
  await pageB.getByLabel("Add a comment").fill("What a catch — lovely light.");
  await pageB.getByRole("button", { name: "Post comment" }).click();
  await pageB.waitForLoadState("load");
  const comment = pageB.locator(".comment-list .comment").last();
  assert.equal(await comment.locator(".comment-body").textContent(), "What a catch — lovely light.");
  assert.equal(await comment.locator(".comment-meta a").first().textContent(), b.username);
  const comments = (await api(server, "GET", `/api/v1/photos/${photo.id}/comments`, { token: b.token })).body.comments as Array<{ text?: string; body?: string }>;
  assert.equal(comments.length, 1);
  assert.match(JSON.stringify(comments[0]), /What a catch/);

  // B draws a note by dragging on the photo.
  await drawNote(pageB, [0.2, 0.3], [0.6, 0.7], "the kingfisher's eye");
  const notes = (await api(server, "GET", `/api/v1/photos/${photo.id}/notes`, { token: b.token })).body.notes as Array<{ x: number; y: number; width: number; height: number; text: string }>;
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.text, "the kingfisher's eye");
  const near = (x: number, y: number) => Math.abs(x - y) <= 0.02;
  assert.ok(near(notes[0]!.x, 0.2) && near(notes[0]!.y, 0.3) && near(notes[0]!.width, 0.4) && near(notes[0]!.height, 0.4), JSON.stringify(notes[0]));

  // A is told of all three, and sees them on the photo page.
  const told = (await api(server, "GET", "/api/v1/notifications", { token: a.token })).body.notifications as Array<{ kind: string; actor: { username: string } | null }>;
  for (const kind of ["fave", "comment", "note"]) assert.ok(told.some((n) => n.kind === kind && n.actor?.username === b.username), `A is notified of B's ${kind}`);
  await pageA.goto(`${server.url}${photoPath}`);
  assert.equal(await pageA.locator("#fave-count").textContent(), "1 fave");
  assert.equal(await pageA.locator(".comment-body").first().textContent(), "What a catch — lovely light.");
  await pageA.locator("#notes.ready").waitFor();
  assert.equal(await pageA.locator(".note[data-note-id]").count(), 1);

  assert.deepEqual(errors, [], "no script errors and no CSP violations");
});
