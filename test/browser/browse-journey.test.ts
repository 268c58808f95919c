import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { CORPUS_DIR, startServer, type TestServer } from "../helpers/server.ts";
import { TEST_POSTGRES_URL } from "../helpers/database.ts";
import { eventually, launchChromium, journeyBrowser } from "../helpers/browser.ts";
import { screenshot, VIEWPORTS } from "./site.ts";

/**
 * The journey of a new member, at a phone's size and a desktop's: sign up, drop photos on the
 * upload page, browse the photostream, open a photo, move through the stream with the keyboard
 * (or a swipe), the lightbox and back; screenshots of each step in test-results/.
 */

let server: TestServer;
let browser: Browser | null;
// The journeys are the browser's: CI's PostgreSQL pass skips them (upload-journey and the HTTP tests cover both databases).
before(async () => {
  if (TEST_POSTGRES_URL) return;
  server = await startServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (!TEST_POSTGRES_URL) await server.close();
});

const FILES = ["photos/evening-boats.jpg", "photos/forest-path.jpg", "photos/portrait-wine.jpg"].map((relative) => ({
  name: path.basename(relative),
  mimeType: "image/jpeg",
  buffer: fs.readFileSync(path.join(CORPUS_DIR, relative)),
}));

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

const photoId = (page: Page) => /\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1] ?? "";

for (const [size, viewport] of Object.entries(VIEWPORTS)) {
  test(`on a ${size}: sign up, drop photos, browse the photostream, move through photos with the keyboard and the lightbox`, async (t) => {
    const chromium = journeyBrowser(t, browser, TEST_POSTGRES_URL);
    if (!chromium) return;
    const context = await chromium.newContext({ viewport, hasTouch: size === "phone", isMobile: size === "phone" });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const username = `walker${size}`;
    try {
      await page.goto(`${server.url}/signup`);
      await screenshot(page, `journey-${size}-signup`);
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Email").fill(`${username}@example.test`);
      await page.getByLabel("Password").fill("a long browser password");
      await page.getByRole("button", { name: "Create my account" }).click();
      await page.waitForURL(`${server.url}/upload`);

      await page.locator("#drop-zone").drop({ files: FILES });
      // A title of its own for the first file, typed while the batch goes up.
      const ownTitle = page.locator("#upload-list li").first().getByLabel("Title");
      await ownTitle.fill(`Boats for ${size}`);
      await ownTitle.press("Tab");
      await eventually(() => page.locator("#upload-list .thumb").evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth)), (widths) => widths.length === FILES.length && widths.every((w) => w > 0), "thumbnails from the files themselves");
      await page.locator("#upload-list li.done").nth(FILES.length - 1).waitFor({ timeout: 60_000 });
      assert.equal(await page.locator("#upload-total-bar").evaluate((el) => (el as HTMLProgressElement).value), 100, "the whole batch's bar is full");
      assert.equal(await page.locator("#upload-total-count").textContent(), `${FILES.length} / ${FILES.length}`);
      await screenshot(page, `journey-${size}-uploaded`);

      await page.goto(`${server.url}/photos/${username}`);
      const tiles = page.locator(".jg li a");
      assert.equal(await tiles.count(), FILES.length);
      await eventually(() => page.locator(".jg img").evaluateAll((imgs) => imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)), Boolean, "the tiles load");
      await screenshot(page, `journey-${size}-photostream`);
      const order = await tiles.evaluateAll((links) => links.map((a) => /\/(\d+)$/.exec((a as HTMLAnchorElement).pathname)![1]!));
      await eventually(async () => { await page.reload(); return page.locator(".jg img").evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).alt)); }, (alts) => alts.includes(`Boats for ${size}`), "the title typed during the upload is the photo's");

      // Into the newest photo by keyboard: tab to the first tile, Enter.
      await tiles.first().focus();
      await page.keyboard.press("Enter");
      await page.waitForURL(new RegExp(`/${order[0]}$`));
      await page.locator("#photo-image").evaluate((img) => (img as HTMLImageElement).decode());
      await screenshot(page, `journey-${size}-photo`);

      await page.keyboard.press("ArrowRight");
      await page.waitForURL(new RegExp(`/${order[1]}$`));
      await page.keyboard.press("ArrowRight");
      await page.waitForURL(new RegExp(`/${order[2]}$`));
      await page.keyboard.press("ArrowRight"); // the oldest: nowhere further to go
      await page.keyboard.press("ArrowLeft");
      await page.waitForURL(new RegExp(`/${order[1]}$`));

      if (size === "phone") {
        // A visitor's swipe to the left goes to the older photo, as on any phone gallery (on
        // their own photos, members draw notes by dragging instead).
        const visitor = await chromium.newContext({ viewport, hasTouch: true, isMobile: true });
        const visitorPage = await visitor.newPage();
        await visitorPage.goto(page.url());
        await swipe(visitorPage, -160);
        await visitorPage.waitForURL(new RegExp(`/${order[2]}$`));
        await swipe(visitorPage, 160);
        await visitorPage.waitForURL(new RegExp(`/${order[1]}$`));
        await visitor.close();
      }

      // The lightbox: opened from its button, it follows to the next photo, and Esc closes it.
      await page.locator("#lightbox-open").click();
      assert.ok(await page.locator("#photo-frame.lightbox").isVisible());
      assert.equal(await page.evaluate(() => document.activeElement?.id), "lightbox-close", "focus moves into the lightbox");
      const box = (await page.locator("#photo-image").boundingBox())!;
      assert.ok(box.width >= viewport.width - 2 || box.height >= viewport.height - 2, `the photo fills the window: ${JSON.stringify(box)}`);
      await screenshot(page, `journey-${size}-lightbox`);
      await page.keyboard.press("ArrowRight");
      await page.waitForURL(new RegExp(`/${order[2]}$`));
      assert.ok(await page.locator("#photo-frame.lightbox").isVisible(), "the lightbox stays open from photo to photo");
      await page.keyboard.press("Escape");
      assert.equal(await page.locator("#photo-frame.lightbox").count(), 0);
      assert.equal(photoId(page), order[2], "Esc first closes the lightbox");

      // F asks for full screen (headless Chromium grants it), F again leaves.
      await page.keyboard.press("f");
      await eventually(() => page.evaluate(() => document.fullscreenElement?.id ?? null), (id) => id === "photo-frame", "full screen");
      await page.keyboard.press("f");
      await eventually(() => page.evaluate(() => document.fullscreenElement), (el) => el === null, "out of full screen");

      // Keys typed into a form field stay there.
      await page.goto(`${server.url}/photos/${username}/${order[1]}`);
      await page.getByText("Edit this photo").click();
      await page.locator("#edit-form #title").focus();
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("f");
      assert.equal(photoId(page), order[1]);

      // The member writes their own alt text; the grid and the photo use it.
      await page.locator("#altText").fill("Three wooden rowing boats on a pebble beach at dusk");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.waitForLoadState("load");
      assert.equal(await page.locator("#photo-image").getAttribute("alt"), "Three wooden rowing boats on a pebble beach at dusk");

      await page.keyboard.press("Escape");
      await page.waitForURL(`${server.url}/photos/${username}`);
      assert.ok((await page.locator(".jg img").evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).alt))).includes("Three wooden rowing boats on a pebble beach at dusk"));
      assert.deepEqual(errors, [], "no script or CSP errors in the console");
    } finally {
      await context.close();
    }
  });
}

/** A one-finger horizontal swipe across the photo, through the DevTools protocol's touch events. */
async function swipe(page: Page, dx: number): Promise<void> {
  await page.locator("#photo-image").evaluate((img) => (img as HTMLImageElement).decode());
  const box = (await page.locator("#photo-image").boundingBox())!;
  const y = box.y + box.height / 2;
  const x0 = box.x + box.width / 2 - dx / 2;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: x0, y }] });
  for (let i = 1; i <= 5; i++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: x0 + (dx * i) / 5, y }] });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}
