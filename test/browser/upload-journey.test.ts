import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { CORPUS_DIR, startServer, type TestServer } from "../helpers/server.ts";
import { CHROMIUM_PATH, launchChromium } from "../helpers/browser.ts";

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

function fileFromCorpus(relative: string) {
  return { name: path.basename(relative), mimeType: "image/jpeg", buffer: fs.readFileSync(path.join(CORPUS_DIR, relative)) };
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.goto(`${server.url}/signup`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.test`);
  await page.getByLabel("Password").fill("a long browser password");
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForURL(`${server.url}/upload`);
}

test("sign up, drop two photos, see them in the photostream, open one and edit its title", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
    return;
  }
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });

  await signUp(page, "dropper");
  await page.locator("#drop-zone").drop({ files: [fileFromCorpus("photos/evening-boats.jpg"), fileFromCorpus("photos/forest-path.jpg")] });
  const items = page.locator("#upload-list li");
  await assertEventually(async () => (await items.count()) === 2, "two files listed");
  await page.locator("#upload-list li.done").nth(1).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#upload-list li.done").count(), 2);
  assert.equal(await page.locator("#upload-list progress").nth(0).evaluate((el) => (el as HTMLProgressElement).value), 100);

  await page.goto(`${server.url}/photos/dropper`);
  const tiles = page.locator(".jg li img");
  assert.equal(await tiles.count(), 2);
  const alts = await tiles.evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).alt));
  assert.deepEqual(alts.sort(), ["Evening glow over the rowing boats", "Polku metsässä"]);
  await assertEventually(() => tiles.first().evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), "thumbnails load");

  // Both went up at once, so either may be the newest.
  const firstAlt = alts.length ? await tiles.first().getAttribute("alt") : null;
  await page.locator(".jg li a").first().click();
  await page.waitForURL(/\/photos\/dropper\/\d+$/);
  assert.equal(await page.locator("#photo-title").textContent(), firstAlt);
  await assertEventually(() => page.locator(".photo-frame img").evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), "the photo loads");

  await page.getByText("Edit this photo").click();
  await page.locator("#edit-form #title").fill("A path through the spruce forest");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForLoadState("load");
  assert.equal(await page.locator("#photo-title").textContent(), "A path through the spruce forest");
  assert.deepEqual(errors, [], "no script or CSP errors in the console");
  await page.close();
});

test("a file the server refuses gets a clear message in the uploader, and a retry button", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
    return;
  }
  const page = await browser.newPage();
  await signUp(page, "refused");
  await page.locator("#file").setInputFiles([{ name: "notes.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<html>not a photo</html>") }]);
  const failed = page.locator("#upload-list li.failed");
  await failed.waitFor({ timeout: 15_000 });
  assert.match((await failed.locator(".status").textContent()) ?? "", /Not uploaded: .*JPEG/);
  assert.equal(await failed.getByRole("button", { name: "Retry" }).count(), 1);
  await page.close();
});

test("the uploader says a refusal in the page's language, with the refusal's own details", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
    return;
  }
  const page = await browser.newPage();
  await signUp(page, "refusedja");
  await page.goto(`${server.url}/language?lang=ja&return=/upload`);
  await page.waitForURL(`${server.url}/upload`);
  await page.locator("#file").setInputFiles([{ name: "notes.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<html>not a photo</html>") }]);
  const failed = page.locator("#upload-list li.failed");
  await failed.waitFor({ timeout: 15_000 });
  assert.equal(await failed.locator(".status").textContent(), "アップロードされませんでした：このサイトで受け付ける画像ではありません。使える形式：JPEG、PNG、GIF、WebP、AVIF、HEIC/HEIF、TIFF。 再試行");
  await page.close();
});

async function assertEventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

test("a large file goes up resumably: a dropped connection mid-way resumes and the photo arrives whole", async (t) => {
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
    return;
  }
  const sharp = (await import("sharp")).default;
  const width = 3000;
  const height = 2200;
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(Math.random() * 256);
  const big = await sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
  assert.ok(big.length > 5 * 1024 * 1024, `over the resumable threshold: ${big.length} bytes`);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await signUp(page, "resumer");
  const patches: string[] = [];
  let dropped = false;
  await page.route("**/api/v1/uploads/**", async (route) => {
    const request = route.request();
    if (request.method() === "PATCH") patches.push(request.headers()["upload-offset"] ?? "");
    // The second chunk's connection drops: the uploader must ask where it stopped and go on.
    if (request.method() === "PATCH" && patches.length === 2 && !dropped) {
      dropped = true;
      await route.abort("connectionreset");
      return;
    }
    await route.continue();
  });
  await page.locator("#file").setInputFiles([{ name: "noise.jpg", mimeType: "image/jpeg", buffer: big }]);
  await page.locator("#upload-list li.done").first().waitFor({ timeout: 60_000 });
  assert.ok(dropped, "a connection was dropped");
  assert.deepEqual(patches.slice(0, 3), ["0", String(2 * 1024 * 1024), String(2 * 1024 * 1024)], "the chunk that was cut is sent again from the offset the server had");
  const link = await page.locator("#upload-list li.done a").getAttribute("href");
  const id = link!.split("/").pop()!;
  const session = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const original = await fetch(`${server.url}/photos/resumer/${id}/original`, { headers: { cookie: session } });
  assert.equal(original.status, 200);
  assert.ok(Buffer.from(await original.arrayBuffer()).equals(big), "the original arrived byte for byte");
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("pinhole-upload:")).length), 0, "the finished upload is forgotten");
  assert.deepEqual(errors, []);
  await page.close();
});
