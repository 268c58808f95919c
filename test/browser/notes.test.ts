import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { CHROMIUM_PATH, drawNote, eventually, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { api, buildMember } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { CATALOGS } from "../../src/i18n/messages/index.ts";

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

const near = (a: number, b: number, tolerance = 0.02) => Math.abs(a - b) <= tolerance;

test("a member draws a note by dragging on the photo, types its text, sees it on hover and focus, and moves it by dragging and with the keyboard", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "heron" }, { width: 800, height: 600 });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await logInThroughForm(page, server.url, owner);
  await page.goto(`${server.url}/photos/${owner.username}/${photo.id}`);
  await drawNote(page, [0.1, 0.2], [0.5, 0.6], "a grey heron");
  const img = page.locator(".photo-frame img");
  const box = (await img.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;

  const stored = async () => (await api(server, "GET", `/api/v1/photos/${photo.id}/notes`)).body.notes as Array<{ x: number; y: number; width: number; height: number; text: string }>;
  const [note] = await stored();
  assert.ok(note, "the note was saved");
  assert.equal(note.text, "a grey heron");
  assert.ok(near(note.x, 0.1) && near(note.y, 0.2) && near(note.width, 0.4) && near(note.height, 0.4), JSON.stringify(note));

  // Drawn where it was stored, relative to the image.
  const drawn = page.locator(".note[data-note-id]");
  const noteBox = (await drawn.boundingBox())!;
  assert.ok(Math.abs(noteBox.x - (box.x + note.x * box.width)) < 3 && Math.abs(noteBox.width - note.width * box.width) < 3, "placed by percentages of the image");

  // The text shows on hover, and on keyboard focus.
  const text = drawn.locator(".note-text");
  assert.equal(await text.isVisible(), false);
  await drawn.hover();
  assert.equal(await text.isVisible(), true, "shown on hover");
  await page.mouse.move(5, 5);
  assert.equal(await text.isVisible(), false);
  await drawn.focus();
  assert.equal(await text.isVisible(), true, "shown on focus");

  // Drag it 0.2 of the width to the right.
  await page.mouse.move(...at(0.3, 0.4));
  await page.mouse.down();
  await page.mouse.move(...at(0.4, 0.4), { steps: 5 });
  await page.mouse.move(...at(0.5, 0.4), { steps: 5 });
  await page.mouse.up();
  const moved = await eventually(async () => (await stored())[0]!, (n) => near(n.x, 0.3), "moved by dragging");
  assert.ok(near(moved.y, note.y, 0.005), "a horizontal drag keeps its height");

  await drawn.focus();
  await page.keyboard.press("ArrowDown");
  await eventually(async () => (await stored())[0]!, (n) => near(n.y, moved.y + 0.01, 0.002), "moved with the keyboard");

  // A narrower window: the note stays on the same part of the image.
  await page.setViewportSize({ width: 600, height: 900 });
  const small = (await img.boundingBox())!;
  const smallNote = (await drawn.boundingBox())!;
  assert.ok(small.width < box.width);
  assert.ok(Math.abs(smallNote.x - (small.x + 0.3 * small.width)) < 4, "still placed by percentages after a resize");
  assert.deepEqual(errors, [], "no script errors and no CSP violations");
});

test("a visitor sees notes but cannot draw", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, {}, { width: 400, height: 300 });
  await api(server, "POST", `/api/v1/photos/${photo.id}/notes`, { token: owner.token, json: { x: 0.25, y: 0.25, width: 0.5, height: 0.5, text: "middle" } });
  const page = await browser.newPage();
  await page.goto(`${server.url}/photos/${owner.username}/${photo.id}`);
  await page.locator("#notes.ready").waitFor();
  assert.equal(await page.locator("#notes.can-add").count(), 0);
  const box = (await page.locator(".photo-frame img").boundingBox())!;
  await page.mouse.move(box.x + 5, box.y + 5);
  await page.mouse.down();
  await page.mouse.move(box.x + 100, box.y + 100, { steps: 4 });
  await page.mouse.up();
  assert.equal(await page.locator("#note-form").count(), 0, "no form for drawing");
  await page.locator(".note").hover();
  assert.equal(await page.locator(".note-text").isVisible(), true);
});

test("on a Japanese page, notes.js speaks Japanese: the form, the saved note and its deletion", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "sagi" }, { width: 800, height: 600 });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await logInThroughForm(page, server.url, owner);
  const path = `/photos/${owner.username}/${photo.id}`;
  await page.goto(`${server.url}/language?lang=ja&return=${encodeURIComponent(path)}`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "ja");
  await drawNote(page, [0.2, 0.2], [0.6, 0.6], "白鷺", { textLabel: "メモの本文", save: "メモを保存", saved: "メモを保存しました。" });
  const note = page.locator(".note[data-note-id]");
  await note.hover();
  await note.getByRole("button", { name: "削除" }).click();
  await eventually(() => page.locator("#notes-status").textContent(), (text) => text === "メモを削除しました。", "the deletion is told in Japanese");
  assert.equal(await note.count(), 0);

  // A refusal is told in the API's localizedMessage: a note deleted meanwhile (here through the API) is not found.
  await drawNote(page, [0.3, 0.3], [0.5, 0.5], "青鷺", { textLabel: "メモの本文", save: "メモを保存", saved: "メモを保存しました。" });
  const gone = page.locator(".note[data-note-id]");
  assert.equal((await api(server, "DELETE", `/api/v1/notes/${await gone.getAttribute("data-note-id")}`, { token: owner.token })).status, 204);
  await gone.hover();
  await gone.getByRole("button", { name: "削除" }).click();
  await eventually(() => page.locator("#notes-status").textContent(), (text) => text === CATALOGS.ja["errors.note.notFound"], "the refusal is told in Japanese");
  assert.deepEqual(errors, []);
});
