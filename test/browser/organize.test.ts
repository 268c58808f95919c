import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { CHROMIUM_PATH, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { api, buildMember, type PhotoJson } from "../helpers/client.ts";
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

test("in the Organizr a member clicks one photo, shift-clicks another to take the range, and tags them all at once", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photos: PhotoJson[] = [];
  for (let i = 0; i < 6; i++) photos.push(await buildDistinctPhoto(server, owner, { title: `frame ${i}` }));
  const newestFirst = [...photos].reverse();
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await logInThroughForm(page, server.url, owner);
  await page.goto(`${server.url}/organize`);
  const tile = (photo: PhotoJson) => page.locator(`label[for="pick-${photo.id}"] img`);
  await tile(newestFirst[1]!).click();
  await tile(newestFirst[4]!).click({ modifiers: ["Shift"] });
  assert.equal(await page.locator("#selected-count").textContent(), "4 photos selected");
  await tile(newestFirst[2]!).click();
  assert.equal(await page.locator("#selected-count").textContent(), "3 photos selected", "a plain click takes one out again");
  await page.getByLabel("Add tags").fill('roll "first light"');
  await Promise.all([page.waitForURL(/changed=3/), page.getByRole("button", { name: "Apply to the selected photos" }).click()]);
  assert.match((await page.locator("#organize-done").textContent()) ?? "", /Changed 3 photos/);
  const tagged = async (photo: PhotoJson) => ((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body as PhotoJson).tags;
  for (const i of [1, 3, 4]) assert.deepEqual(await tagged(newestFirst[i]!), ["roll", "first light"], `frame ${5 - i} was in the range`);
  for (const i of [0, 2, 5]) assert.deepEqual(await tagged(newestFirst[i]!), [], `frame ${5 - i} was not`);

  await page.getByRole("button", { name: "Select all on this page" }).click();
  assert.equal(await page.locator("#selected-count").textContent(), "6 photos selected");
  await page.getByRole("button", { name: "Select none" }).click();
  assert.equal(await page.locator("#selected-count").textContent(), "No photos selected; shift-click picks a range.");
  await page.getByRole("button", { name: "Apply to the selected photos" }).click();
  assert.equal(await page.locator("#selected-count").textContent(), "Select at least one photo first.");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the Organizr's script and the photo page's delete confirmation speak the page's language", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photos: PhotoJson[] = [];
  for (let i = 0; i < 3; i++) photos.push(await buildDistinctPhoto(server, owner, { title: `Bild ${i}` }));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await logInThroughForm(page, server.url, owner);
  await page.goto(`${server.url}/language?lang=de&return=/organize`);
  await page.waitForURL(`${server.url}/organize`);
  const tile = (photo: PhotoJson) => page.locator(`label[for="pick-${photo.id}"] img`);
  await tile(photos[0]!).click();
  assert.equal(await page.locator("#selected-count").textContent(), "1 Foto ausgewählt");
  await tile(photos[2]!).click({ modifiers: ["Shift"] });
  assert.equal(await page.locator("#selected-count").textContent(), "3 Fotos ausgewählt");
  await page.getByLabel("Ja, löschen: die Fotos und ihre Dateien endgültig").check();
  await page.getByRole("button", { name: "Die ausgewählten Fotos löschen" }).click();
  assert.deepEqual(dialogs, ["3 Fotos endgültig löschen? Ihre Dateien werden ebenfalls entfernt."]);
  await page.getByRole("button", { name: "Keine auswählen" }).click();
  assert.equal(await page.locator("#selected-count").textContent(), "Keine Fotos ausgewählt; Umschalt-Klick wählt einen Bereich.");
  await page.getByRole("button", { name: "Auf die ausgewählten Fotos anwenden" }).click();
  assert.equal(await page.locator("#selected-count").textContent(), "Wähle zuerst mindestens ein Foto aus.");

  await page.goto(`${server.url}/photos/${owner.username}/${photos[0]!.id}`);
  await page.getByText("Dieses Foto bearbeiten").click();
  await page.getByRole("button", { name: "Dieses Foto löschen" }).click();
  assert.equal(dialogs[1], "Dieses Foto endgültig löschen? Seine Dateien werden ebenfalls entfernt.");
  assert.equal((await api(server, "GET", `/api/v1/users/${owner.username}/photos`, { token: owner.token })).body.photos.length, 3, "dismissed: nothing deleted");
  assert.deepEqual(errors, []);
  await page.close();
});
