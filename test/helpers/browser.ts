import assert from "node:assert/strict";
import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.PINHOLE_CHROMIUM ?? "/usr/bin/chromium";

/** Debian's Chromium, headless; null (and the caller skips, saying why) where it is not installed. */
export async function launchChromium(): Promise<Browser | null> {
  if (!fs.existsSync(CHROMIUM_PATH)) return null;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/** Reads until `ok` holds (up to 5 s), then asserts it, naming what was awaited. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  assert.ok(ok(value), `${what}: ${JSON.stringify(value)}`);
  return value;
}

/** Logs a member in through the log-in form. */
export async function logInThroughForm(page: Page, baseUrl: string, member: { username: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Username").fill(member.username);
  await page.getByLabel("Password").fill(member.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/**
 * Draws a note on the photo page's image by dragging the mouse from one point to another
 * (fractions of the image), types its text and saves it, as a member would; `words` are the
 * page's, in its language.
 */
export async function drawNote(
  page: Page,
  from: [number, number],
  to: [number, number],
  text: string,
  words: { textLabel: string; save: string; saved: string } = { textLabel: "Note text", save: "Save note", saved: "Note saved." },
): Promise<void> {
  await page.locator("#notes.ready.can-add").waitFor();
  const img = page.locator(".photo-frame img");
  await eventually(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), Boolean, "the photo loads");
  await page.evaluate(() => window.scrollTo(0, 0));
  await img.scrollIntoViewIfNeeded();
  const box = (await img.boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  const middle: [number, number] = [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2];
  await page.mouse.move(...at(...from));
  await page.mouse.down();
  await page.mouse.move(...at(...middle), { steps: 5 });
  await page.mouse.move(...at(...to), { steps: 5 });
  await page.mouse.up();
  await page.getByLabel(words.textLabel).fill(text);
  await page.getByRole("button", { name: words.save }).click();
  await page.locator(".note[data-note-id]").waitFor();
  assert.equal(await page.locator("#notes-status").textContent(), words.saved);
}

/**
 * Journeys run once, on SQLite (what the browser does does not depend on the database), and
 * only where Chromium is installed: the browser to use, or null once the test was skipped, saying why.
 */
export function journeyBrowser<B>(t: { skip: (message: string) => void }, browser: B | null, postgresUrl: string | null | undefined): B | null {
  if (postgresUrl) {
    t.skip("journeys run once, on SQLite: what the browser does does not depend on the database");
    return null;
  }
  if (!browser) {
    t.skip(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run installs it (apt-get install chromium)`);
    return null;
  }
  return browser;
}
