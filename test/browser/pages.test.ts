import zlib from "node:zlib";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startServer, type TestServer } from "../helpers/server.ts";
import { TEST_POSTGRES_URL } from "../helpers/database.ts";
import { CHROMIUM_PATH, launchChromium, logInThroughForm } from "../helpers/browser.ts";
import { buildSite, mainPages, screenshot, VIEWPORTS, type Site } from "./site.ts";

/**
 * Every main page, as a person sees it: no serious or critical accessibility violation (axe-core)
 * in the light or the dark theme, under the script budget, readable without JavaScript, images
 * that never make a phone download the largest size; screenshots in test-results/ for review.
 */

/** The stated budget: script a page loads, gzipped, summed. */
const SCRIPT_BUDGET_BYTES = 50 * 1024;
const AXE_SOURCE = (await import("node:fs")).readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let server: TestServer;
let browser: Browser | null;
let site: Site;
before(async () => {
  if (TEST_POSTGRES_URL) return;
  server = await startServer();
  browser = await launchChromium();
  site = await buildSite(server);
});
after(async () => {
  await browser?.close();
  if (!TEST_POSTGRES_URL) await server.close();
});

/** What the browser sees does not depend on the database: CI's PostgreSQL pass skips these (its HTTP tests cover both). */
const SKIP_ON_POSTGRES = "page checks run once, on SQLite: what the browser sees does not depend on the database";

function skipWithoutChromium(t: { skip(message: string): void }): boolean {
  if (TEST_POSTGRES_URL) {
    t.skip(SKIP_ON_POSTGRES);
    return true;
  }
  if (browser) return false;
  t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
  return true;
}

/** A visitor's and a member's browser in one theme; axe is injected, so these contexts skip the CSP (the other tests keep it). */
async function contexts(options: Parameters<Browser["newContext"]>[0]): Promise<{ visitor: BrowserContext; member: BrowserContext; close(): Promise<void> }> {
  const visitor = await browser!.newContext(options);
  const member = await browser!.newContext(options);
  const page = await member.newPage();
  await logInThroughForm(page, server.url, site.owner);
  await page.close();
  return { visitor, member, close: async () => void (await Promise.all([visitor.close(), member.close()])) };
}

/** Each main page once, in the browser it needs: the photo page as its owner (the edit form, the most controls). */
function visits(): Array<{ name: string; path: string; asMember: boolean }> {
  return mainPages(site).map((p) => ({ name: p.name, path: p.path, asMember: Boolean(p.member) || p.name === "photo" }));
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`every main page has no serious or critical accessibility violation in the ${colorScheme} theme`, async (t) => {
    if (skipWithoutChromium(t)) return;
    const browsers = await contexts({ viewport: VIEWPORTS.desktop, colorScheme, bypassCSP: true });
    const failures: string[] = [];
    try {
      for (const visit of visits()) {
        const page = await (visit.asMember ? browsers.member : browsers.visitor).newPage();
        const response = await page.goto(server.url + visit.path, { waitUntil: "load" });
        assert.equal(response?.status(), 200, `${visit.path} answers`);
        await page.emulateMedia({ colorScheme });
        for (const v of await axeViolations(page)) failures.push(`${visit.name} (${colorScheme}): ${v.id} [${v.impact}] ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        await screenshot(page, `desktop-${colorScheme}-${visit.name}`);
        await page.close();
      }
      // The check itself works: an image with no text alternative is a critical violation.
      const control = await browsers.visitor.newPage();
      await control.goto(`${server.url}/login`);
      await control.evaluate(() => document.querySelector("main")!.insertAdjacentHTML("beforeend", '<img src="/favicon.ico" width="10" height="10">'));
      assert.deepEqual((await axeViolations(control)).map((v) => v.id), ["image-alt"], "axe runs and sees a missing alt");
      await control.close();
    } finally {
      await browsers.close();
    }
    assert.deepEqual(failures, [], "axe-core found no serious or critical violations");
  });
}

test("every main page loads under 50 KB of script gzipped, from content-hashed files cached for good", async (t) => {
  if (skipWithoutChromium(t)) return;
  const browsers = await contexts({ viewport: VIEWPORTS.phone });
  const seen = new Map<string, number>();
  try {
    for (const visit of visits()) {
      const page = await (visit.asMember ? browsers.member : browsers.visitor).newPage();
      const scripts: string[] = [];
      page.on("response", (response) => {
        if (response.request().resourceType() === "script") scripts.push(response.url());
      });
      await page.goto(server.url + visit.path, { waitUntil: "load" });
      let total = 0;
      for (const url of scripts) {
        if (!seen.has(url)) {
          const response = await fetch(url);
          assert.match(new URL(url).pathname, /^\/static\/[\w.-]+\.[0-9a-f]{12}\.js$/, `${url} is named by its content`);
          assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable", `${url} is cached for good`);
          seen.set(url, zlib.gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length);
        }
        total += seen.get(url)!;
      }
      assert.ok(total < SCRIPT_BUDGET_BYTES, `${visit.name} loads ${total} bytes of gzipped script, over the ${SCRIPT_BUDGET_BYTES} budget`);
      await page.close();
    }
  } finally {
    await browsers.close();
  }
  const css = /href="(\/static\/site\.[0-9a-f]{12}\.css)"/.exec(await (await fetch(server.url + "/")).text());
  assert.ok(css, "the stylesheet is named by its content");
  const stylesheet = await fetch(server.url + css[1]);
  await stylesheet.arrayBuffer();
  assert.equal(stylesheet.headers.get("cache-control"), "public, max-age=31536000, immutable");
});

test("on a phone, grid images are lazy with their size known and never the largest file; the photo itself comes first and in WebP where it fits", async (t) => {
  if (skipWithoutChromium(t)) return;
  const phone = await browser!.newContext({ viewport: VIEWPORTS.phone, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  const images: string[] = [];
  phone.on("request", (request) => {
    if (request.resourceType() === "image") images.push(new URL(request.url()).pathname);
  });
  try {
    const page = await phone.newPage();
    for (const visit of visits().filter((v) => !v.asMember)) {
      await page.goto(server.url + visit.path, { waitUntil: "load" });
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.waitForFunction(() => [...document.images].every((img) => img.complete));
      const tiles = await page.locator(".jg img").evaluateAll((imgs) => imgs.map((img) => ({ loading: img.getAttribute("loading"), width: Number(img.getAttribute("width")), height: Number(img.getAttribute("height")) })));
      for (const tile of tiles) {
        assert.equal(tile.loading, "lazy", `${visit.name}: grid images load lazily`);
        assert.ok(tile.width > 0 && tile.height > 0, `${visit.name}: grid images say their size`);
      }
      if (visit.name !== "photo") await screenshot(page, `phone-light-${visit.name}`);
    }
    const photoPath = mainPages(site).find((p) => p.name === "photo")!.path;
    await page.goto(server.url + photoPath, { waitUntil: "load" });
    const hero = page.locator("#photo-image");
    assert.equal(await hero.getAttribute("fetchpriority"), "high");
    assert.equal(await hero.getAttribute("loading"), null, "the largest paint is not lazy");
    assert.match((await page.locator(".photo-frame source[type='image/webp']").getAttribute("srcset")) ?? "", /\/1024\.webp \d+w/, "WebP is offered first");
    await screenshot(page, "phone-light-photo");
    assert.ok(images.length > 10, `images were loaded: ${images.length}`);
    assert.deepEqual(images.filter((p) => /\/2048\.(jpg|webp)$/.test(p)), [], "a phone never downloads the 2048 px size");
    await page.close();

    // A window the 1024 px size suits takes it in WebP.
    const desktop = await browser!.newContext({ viewport: { width: 1000, height: 800 } });
    const wide = await desktop.newPage();
    await wide.goto(`${server.url}/photos/${site.owner.username}/${site.photos[0]!.id}`, { waitUntil: "load" });
    assert.match(await wide.locator("#photo-image").evaluate((img) => (img as HTMLImageElement).currentSrc), /\/1024\.webp$/);
    await desktop.close();
  } finally {
    await phone.close();
  }
});

test("every main page is readable without JavaScript: headings, photos at their size, working links", async (t) => {
  if (skipWithoutChromium(t)) return;
  const visitor = await browser!.newContext({ viewport: VIEWPORTS.desktop, javaScriptEnabled: false });
  try {
    const page = await visitor.newPage();
    for (const visit of visits().filter((v) => !v.asMember)) {
      await page.goto(server.url + visit.path, { waitUntil: "load" });
      assert.ok(((await page.locator("h1").first().textContent()) ?? "").trim().length > 0, `${visit.name} has a heading`);
      const boxes = await page.locator(".jg li").evaluateAll((tiles) => tiles.map((tile) => tile.getBoundingClientRect()).map((r) => ({ width: r.width, height: r.height, top: Math.round(r.top) })));
      for (const box of boxes) assert.ok(box.width > 40 && box.height > 40, `${visit.name}: tiles are laid out without script (${JSON.stringify(box)})`);
      // A justified row: tiles that share a top share a height.
      const rows = new Map<number, typeof boxes>();
      for (const box of boxes) rows.set(box.top, [...(rows.get(box.top) ?? []), box]);
      for (const row of rows.values()) assert.ok(Math.max(...row.map((b) => b.height)) - Math.min(...row.map((b) => b.height)) < 2, `${visit.name}: one height per row`);
    }
    await page.goto(`${server.url}/photos/${site.owner.username}`);
    await page.locator(".jg li a").first().click();
    await page.waitForURL(/\/photos\/lumen\/\d+$/);
    assert.ok(await page.locator("#photo-image").isVisible());
    assert.equal(await page.locator("#lightbox-open").isVisible(), false, "no control that needs script shows without it");
  } finally {
    await visitor.close();
  }
});
