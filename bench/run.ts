/**
 * `npm run bench [-- section ...]`: measures Pinhole beside references run in the same
 * session, prints a table and writes bench/results/latest.json. Sections: ingest, images,
 * pages, upload, backup, reload, community, discover, scale, browser (all by default). Needs wrk, nginx and libvips-tools (Debian packages);
 * reload and backup need none of them.
 */
import os from "node:os";
import { printTable, writeJson, type Row } from "./lib/report.ts";
import { benchIngest } from "./sections/ingest.ts";
import { benchImages } from "./sections/images.ts";
import { benchPages } from "./sections/pages.ts";
import { benchUpload } from "./sections/upload.ts";
import { benchReload } from "./sections/reload.ts";
import { benchBackup } from "./sections/backup.ts";
import { benchCommunity } from "./sections/community.ts";
import { benchDiscover } from "./sections/discover.ts";
import { benchScale } from "./sections/scale.ts";
import { benchBrowser } from "./sections/browser.ts";

const SECTIONS: Record<string, () => Promise<Row[]>> = {
  ingest: benchIngest,
  images: benchImages,
  pages: benchPages,
  upload: benchUpload,
  reload: benchReload,
  backup: benchBackup,
  community: benchCommunity,
  discover: benchDiscover,
  scale: benchScale,
  browser: benchBrowser,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const chosen = wanted.length ? wanted : Object.keys(SECTIONS);
const rows: Row[] = [];
for (const name of chosen) {
  const section = SECTIONS[name];
  if (!section) throw new Error(`unknown section ${name}; known: ${Object.keys(SECTIONS).join(", ")}`);
  console.error(`running ${name} …`);
  rows.push(...(await section()));
}
printTable(rows);
const file = writeJson(rows, { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model });
console.log(`\nwritten to ${file}`);
