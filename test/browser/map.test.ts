import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { CHROMIUM_PATH, eventually, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { api, buildMember } from "../helpers/client.ts";
import { buildDistinctPhoto } from "../helpers/images.ts";
import { seedLocatedPhotos } from "../helpers/map.ts";
import { freePort } from "../helpers/server-process.ts";

let server: TestServer;
let browser: Browser | null;
let deadTiles: string;
before(async () => {
  // A tile server nobody answers on: the maps must still show their markers, on their own background.
  deadTiles = `http://127.0.0.1:${await freePort()}`;
  server = await startServer({ PINHOLE_MAP_TILES_URL: `${deadTiles}/{z}/{x}/{y}.png` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server.close();
});

/** Script errors and CSP violations; the unreachable tiles' failed loads are expected. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return errors;
}

test("the site's map shows server clusters and photo markers with no tile server reachable", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const crowd = await buildMember(server);
  await seedLocatedPhotos(server, crowd.username, Array.from({ length: 300 }, (_, i) => [48.85 + (i % 20) * 0.002, 2.35 + Math.floor(i / 20) * 0.002] as [number, number]));
  const traveller = await buildMember(server);
  for (const at of [[35.68, 139.76], [35.69, 139.7]] as const) {
    const photo = await buildDistinctPhoto(server, traveller, { title: "Tokyo" });
    assert.equal((await api(server, "PUT", `/api/v1/photos/${photo.id}/location`, { token: traveller.token, json: { latitude: at[0], longitude: at[1], visibility: "everyone" } })).status, 200);
  }
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = watchErrors(page);
  const tileRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(deadTiles)) tileRequests.push(request.url());
  });
  await page.goto(`${server.url}/map`);
  const map = page.locator("#site-map");
  await page.locator("#site-map[data-loaded]").waitFor();
  assert.equal(await page.locator(".map-fallback").count(), 0, "the no-JavaScript note is gone");
  assert.equal(await map.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(215, 227, 234)", "a plain background where tiles would be");
  const clusters = page.locator(".map-cluster");
  await clusters.first().waitFor();
  const counts = (await clusters.allTextContents()).map(Number).sort((a, b) => a - b);
  assert.deepEqual(counts, [2, 300], "Paris and Tokyo, counted by the server");
  assert.match((await page.locator("#map-status").textContent()) ?? "", /^302 photos in this view/);
  assert.ok(tileRequests.length > 0, "tiles were asked for (and never came)");

  // A click on a cluster zooms in on it; its photos are fetched again for the new view.
  const loaded = Number(await map.getAttribute("data-loaded"));
  await page.locator(".map-cluster", { hasText: "300" }).click();
  await eventually(async () => Number(await map.getAttribute("data-loaded")), (n) => n > loaded, "fetched again after zooming in");
  assert.ok((await page.locator(".map-cluster, .leaflet-marker-icon").count()) > 0);

  // A member's map: two photos, as a marker each (the server sends few photos one by one).
  await page.goto(`${server.url}/photos/${traveller.username}/map`);
  await page.locator("#site-map[data-loaded]").waitFor();
  await page.locator("#site-map .leaflet-marker-icon").first().waitFor();
  assert.equal(await page.locator(".map-cluster").count(), 0, "few photos come one by one");
  assert.match((await page.locator("#map-status").textContent()) ?? "", /^2 photos in this view/);
  assert.deepEqual(errors, [], "no script errors and no CSP violations");
});

test("the map speaks the page's language, Leaflet's buttons included, and photos at the very same spot share one marker", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const member = await buildMember(server);
  await seedLocatedPhotos(server, member.username, [[43.7, 7.26], [43.7, 7.26], [45.76, 4.84]]);
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: "ja" });
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/photos/${member.username}/map`);
    assert.equal(await page.locator("html").getAttribute("lang"), "ja");
    await page.locator("#site-map[data-loaded]").waitFor();
    assert.equal(await page.locator("#map-status").textContent(), "この範囲に写真が 3 枚あります。");
    assert.equal(await page.locator(".leaflet-control-zoom-in").getAttribute("title"), "拡大");
    assert.equal(await page.locator(".leaflet-control-zoom-out").getAttribute("title"), "縮小");
    const markers = page.locator("#site-map .leaflet-marker-icon");
    await eventually(async () => markers.count(), (n) => n === 2, "one marker per place");
    const shared = page.locator('#site-map .leaflet-marker-icon[title="写真 2 枚"]');
    assert.equal(await shared.getAttribute("alt"), "写真 2 枚");
    await shared.click();
    await page.locator(".leaflet-popup .map-photos").waitFor();
    assert.equal(await page.locator(".leaflet-popup .map-photos li").count(), 2, "the popup lists both photos");
    assert.equal(await page.locator(".leaflet-popup-close-button").getAttribute("aria-label"), "閉じる");
    const english = await page.locator("#site-map").evaluate((map) =>
      [...map.querySelectorAll("[title], [alt], [aria-label]")].flatMap((el) => ["title", "alt", "aria-label"].map((name) => el.getAttribute(name) ?? "")).filter((text) => /[A-Za-z]{3}/.test(text) && !/^seeded \d+$/.test(text)),
    );
    assert.deepEqual(english, [], "no English left in the map's controls and markers");
    assert.deepEqual(errors, [], "no script errors and no CSP violations");
  } finally {
    await context.close();
  }
});

test("the owner sets a photo's location by clicking on the map, and removes it", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}`);
    return;
  }
  const owner = await buildMember(server);
  const photo = await buildDistinctPhoto(server, owner, { title: "somewhere" });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const errors = watchErrors(page);
  await logInThroughForm(page, server.url, owner);
  await page.goto(`${server.url}/photos/${owner.username}/${photo.id}`);
  await page.locator("details.edit summary").click();
  const picker = page.locator("#location-map");
  await picker.scrollIntoViewIfNeeded();
  await page.locator("#location-map.leaflet-container").waitFor();
  const box = (await picker.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const latitude = Number(await page.locator("#latitude").inputValue());
  const longitude = Number(await page.locator("#longitude").inputValue());
  assert.ok(Math.abs(latitude - 20) < 10 && Math.abs(longitude) < 10, `the click filled the fields: ${latitude}, ${longitude}`);
  assert.equal(await page.locator("#location-map .leaflet-marker-icon").count(), 1, "a marker where it was clicked");
  await page.locator("#location-visibility").selectOption("everyone");
  await page.getByRole("button", { name: "Save location" }).click();
  await eventually(async () => page.locator("#location-status").textContent(), (text) => text === "Location saved.", "saved");
  const saved = (await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.location;
  assert.ok(saved && Math.abs(saved.latitude - latitude) < 1e-6 && Math.abs(saved.longitude - longitude) < 1e-6, JSON.stringify(saved));
  assert.equal(saved.visibility, "everyone");
  // It is on the site's map at once.
  const near = (await api(server, "GET", `/api/v1/map?bbox=${longitude - 1},${latitude - 1},${longitude + 1},${latitude + 1}&zoom=8`)).body;
  assert.deepEqual(near.points.map((p: { id: string }) => p.id), [photo.id]);

  // A visitor sees the place on a small map.
  const visitor = await browser.newPage();
  await visitor.goto(`${server.url}/photos/${owner.username}/${photo.id}`);
  await visitor.locator("#photo-map .leaflet-marker-icon").waitFor();
  await visitor.close();

  await page.getByRole("button", { name: "Remove location" }).click();
  await eventually(async () => page.locator("#location-status").textContent(), (text) => text === "Location removed.", "removed");
  assert.equal((await api(server, "GET", `/api/v1/photos/${photo.id}`, { token: owner.token })).body.location, null);
  assert.deepEqual(errors, [], "no script errors and no CSP violations");
});
