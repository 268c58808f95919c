import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.PINHOLE_CHROMIUM ?? "/usr/bin/chromium";

/** Debian's Chromium, headless; null (and the caller skips, saying why) where it is not installed. */
export async function launchChromium(): Promise<Browser | null> {
  if (!fs.existsSync(CHROMIUM_PATH)) return null;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}
