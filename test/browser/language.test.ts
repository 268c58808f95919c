import { createRequire } from "node:module";
import fs from "node:fs";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { TEST_POSTGRES_URL } from "../helpers/database.ts";
import { launchChromium, journeyBrowser } from "../helpers/browser.ts";
import { buildMember, buildPhoto, corpusFile, type PhotoJson } from "../helpers/client.ts";
import { screenshot, VIEWPORTS } from "./site.ts";

/**
 * Switching language as a person would: the footer's picker on the photo page, without any
 * script of ours, then the page in Arabic mirrored right to left (screenshots in test-results/)
 * and in Japanese.
 */

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server: TestServer;
let browser: Browser | null;
const photos: PhotoJson[] = [];
let owner = "";
before(async () => {
  if (TEST_POSTGRES_URL) return;
  server = await startServer();
  browser = await launchChromium();
  const member = await buildMember(server, { username: "qamar" });
  owner = member.username;
  for (const file of ["photos/evening-boats.jpg", "photos/bridge-sydney.jpg", "photos/forest-path.jpg"]) {
    photos.push(await buildPhoto(server, member, { title: file.includes("bridge") ? "Harbour bridge" : "", tags: "evening" }, corpusFile(file)));
  }
});
after(async () => {
  await browser?.close();
  if (!TEST_POSTGRES_URL) await server.close();
});

async function pickLanguage(page: Page, name: string): Promise<void> {
  const picker = page.locator("#language-picker");
  await picker.locator("select").selectOption({ label: name });
  await Promise.all([page.waitForNavigation(), picker.locator("button").click()]);
}

const documentLanguage = (page: Page) => page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, direction: getComputedStyle(document.body).direction }));

test("the footer's picker turns the photo page to Arabic, mirrored right to left, then to Japanese, and it stays so", async (t) => {
  const chromium = journeyBrowser(t, browser, TEST_POSTGRES_URL);
  if (!chromium) return;
  // axe is injected below, so this context skips the CSP.
  const context = await chromium.newContext({ viewport: VIEWPORTS.desktop, locale: "en-GB", bypassCSP: true });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const path = `/photos/${owner}/${photos[1]!.id}`;
    await page.goto(server.url + path);
    assert.deepEqual(await documentLanguage(page), { lang: "en", dir: "ltr", direction: "ltr" }, "the browser asks for English");
    const brandLtr = await page.locator(".brand").boundingBox();
    assert.ok(brandLtr && brandLtr.x < VIEWPORTS.desktop.width / 2, "the site's name starts on the left");

    await pickLanguage(page, "العربية");
    assert.equal(new URL(page.url()).pathname, path, "the picker comes back to the same photo");
    assert.deepEqual(await documentLanguage(page), { lang: "ar", dir: "rtl", direction: "rtl" });
    await page.getByRole("link", { name: "الأقدم" }).waitFor();
    assert.equal(await page.locator("#photo-title").textContent(), "Harbour bridge", "members' words stay as they wrote them");
    assert.equal(await page.getByRole("search").getByRole("searchbox").getAttribute("placeholder"), "ابحث في الصور");
    const brandRtl = await page.locator(".brand").boundingBox();
    assert.ok(brandRtl && brandRtl.x > VIEWPORTS.desktop.width / 2, `the header is mirrored: the site's name is on the right (x=${brandRtl?.x})`);
    const newer = await page.locator("#newer").boundingBox();
    const older = await page.locator("#older").boundingBox();
    assert.ok(newer && older && newer.x > older.x, "newer is on the right and older on the left, as Arabic reads");
    await screenshot(page, "desktop-ar-photo");

    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact: string | null }> }> } }).axe;
      return (await axe.run(document, { resultTypes: ["violations"] })).violations;
    });
    assert.deepEqual(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id), [], "the Arabic page passes axe");

    // The choice is a cookie: other pages follow it, whatever the browser asks for.
    await page.goto(`${server.url}/photos/${owner}`);
    assert.equal((await documentLanguage(page)).dir, "rtl");
    await page.setViewportSize(VIEWPORTS.phone);
    await page.goto(server.url + path);
    await screenshot(page, "phone-ar-photo");

    await pickLanguage(page, "日本語");
    assert.deepEqual(await documentLanguage(page), { lang: "ja", dir: "ltr", direction: "ltr" });
    await page.getByRole("link", { name: "古い写真" }).waitFor();
    assert.equal(await page.locator("#language-select").inputValue(), "ja", "the picker shows the language in use");
    await screenshot(page, "phone-ja-photo");
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await context.close();
  }
});
