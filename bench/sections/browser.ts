import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../test/helpers/browser.ts";
import { startServer } from "../../test/helpers/server.ts";
import { buildSite } from "../../test/browser/site.ts";
import type { Row } from "../lib/report.ts";

/**
 * What a visitor's browser pays: Largest Contentful Paint and the bytes transferred (headers
 * and bodies, as the network saw them) for the home page, a photostream and a photo page, at a
 * phone's viewport (390×844 at 3x) and a desktop's (1440×900 at 1x), each from a cold cache.
 * The site is a real one (photos uploaded through the API, so every derivative exists), served
 * on loopback: the LCP is the browser's own work (parse, layout, decode), not a network's.
 */
const RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 3);
const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 },
} as const;
/** Web Vitals' "good" LCP; bytes: a page of photos a phone can afford on a slow connection. */
const LCP_TARGET_MS = 2500;
const BYTES_TARGET = { phone: 1_000_000, desktop: 2_000_000 } as const;

/** The LCP candidate's time as the page saw it, and every byte the network moved for it. */
async function measurePage(page: Page, url: string): Promise<{ lcpMs: number; bytes: number }> {
  const cdp = await page.context().newCDPSession(page);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (event: { encodedDataLength: number }) => {
    bytes += event.encodedDataLength;
  });
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const lcpMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let last = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) last = entry.startTime;
        }).observe({ type: "largest-contentful-paint", buffered: true });
        setTimeout(() => resolve(last), 100);
      }),
  );
  await cdp.detach();
  return { lcpMs, bytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchBrowser(): Promise<Row[]> {
  const browser: Browser | null = await launchChromium();
  if (!browser) throw new Error("the browser section needs Chromium (apt-get install chromium, or PINHOLE_CHROMIUM)");
  const server = await startServer();
  const rows: Row[] = [];
  try {
    const site = await buildSite(server);
    const pages = {
      "home page": "/",
      photostream: `/photos/${site.owner.username}`,
      "photo page": `/photos/${site.owner.username}/${site.photos[0]!.id}`,
    };
    for (const [device, options] of Object.entries(VIEWPORTS) as Array<[keyof typeof VIEWPORTS, (typeof VIEWPORTS)[keyof typeof VIEWPORTS]]>) {
      for (const [name, path] of Object.entries(pages)) {
        const lcp: number[] = [];
        const bytes: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const context = await browser.newContext(options);
          const page = await context.newPage();
          const result = await measurePage(page, server.url + path);
          lcp.push(result.lcpMs);
          bytes.push(result.bytes);
          await context.close();
        }
        const lcpMs = median(lcp);
        const transferred = median(bytes);
        rows.push({ section: "browser", measure: `${name} LCP, ${device}, cold cache, median of ${RUNS}`, value: lcpMs, unit: "ms", target: `< ${LCP_TARGET_MS} ms`, met: lcpMs < LCP_TARGET_MS });
        rows.push({ section: "browser", measure: `${name} bytes transferred, ${device}`, value: Math.round(transferred / 1024), unit: "KB", target: `< ${BYTES_TARGET[device] / 1000} KB`, met: transferred < BYTES_TARGET[device] });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}
