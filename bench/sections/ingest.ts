import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { createMember, encodeUpload, sendUpload, variant } from "../lib/client.ts";
import { median, type Row } from "../lib/report.ts";
import { startServerProcess } from "../lib/server-process.ts";
import { DEFAULT_WEBP_SIZES, makeDerivatives } from "../../src/images/derivatives.ts";
import { probeImage } from "../../src/images/probe.ts";

/**
 * The floor: the same sharp pipeline (header probe, one decode, cascaded sizes, the same
 * encodes) called in this process, with no HTTP, multipart, hashing, metadata, storage or database.
 */
async function barePipeline(file: string): Promise<void> {
  const probe = await probeImage(file, { maxPixels: 100_000_000, maxFrames: 1000 });
  await makeDerivatives(file, probe, { webpSizes: DEFAULT_WEBP_SIZES });
}

const CORPUS = process.env.PINHOLE_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus");
const RUNS = 9;
const BATCH = 50;

async function makeJpeg(dir: string, width: number, height: number): Promise<string> {
  const file = path.join(dir, `${Math.round((width * height) / 1e6)}mp.jpg`);
  await sharp(path.join(CORPUS, "photos/dandelions-16mp.jpg")).resize(width, height, { fit: "fill" }).jpeg({ quality: 92 }).toFile(file);
  return file;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** vipsthumbnail making the same sizes, one process per size, as a shell script would. */
function vipsthumbnailAll(file: string, outDir: string): void {
  for (const px of [2048, 1600, 1024, 800, 640, 500, 320, 240, 100]) {
    execFileSync("vipsthumbnail", [file, "--size", `${px}x${px}`, "-o", path.join(outDir, `${px}.jpg[Q=82,strip]`)]);
    if (DEFAULT_WEBP_SIZES.includes(String(px))) execFileSync("vipsthumbnail", [file, "--size", `${px}x${px}`, "-o", path.join(outDir, `${px}.webp[Q=80,strip]`)]);
  }
  for (const side of [150, 75]) {
    execFileSync("vipsthumbnail", [file, "--size", `${side}x${side}`, "--smartcrop", "attention", "-o", path.join(outDir, `sq${side}.jpg[Q=82,strip]`)]);
  }
}

export async function benchIngest(): Promise<Row[]> {
  const rows: Row[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-ingest-"));
  const images = { "12 MP": await makeJpeg(work, 4000, 3000), "24 MP": await makeJpeg(work, 6000, 4000) };
  const server = await startServerProcess({ PINHOLE_DATA_DIR: path.join(work, "data") });
  const agent = new http.Agent({ keepAlive: true });
  const agents = [agent];
  try {
    const token = await createMember(server.url, "ingester");
    const endpoint = `${server.url}/api/v1/photos`;
    let n = 0;
    for (const [label, file] of Object.entries(images)) {
      const jpeg = fs.readFileSync(file);
      await sendUpload(agent, endpoint, token, encodeUpload(variant(jpeg, n++))); // warm-up
      await barePipeline(file);
      // Alternated, so a busy moment on the machine lands on both sides alike.
      const overHttp: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Encoded before the clock starts: timed from the first byte sent until the 201.
        const body = encodeUpload(variant(jpeg, n++));
        overHttp.push(await timed(async () => {
          const result = await sendUpload(agent, endpoint, token, body);
          if (result.status !== 201) throw new Error(`upload failed: ${result.status}`);
        }));
        bare.push(await timed(() => barePipeline(file)));
      }
      const vips: number[] = [];
      const outDir = fs.mkdtempSync(path.join(work, "vips-"));
      for (let i = 0; i < 3; i++) vips.push(await timed(() => vipsthumbnailAll(file, outDir)));
      const ours = median(overHttp);
      const vipsMs = median(vips);
      const bareMs = median(bare);
      // Each upload against the bare run beside it: a busy minute on a shared machine moves both.
      const againstBare = median(overHttp.map((ms, i) => ms / bare[i]!));
      rows.push({ section: "ingest", measure: `${label} JPEG, HTTP upload until every size is stored`, value: ours, unit: "ms", reference: { name: "vipsthumbnail, same sizes", value: vipsMs }, ratio: vipsMs / ours, target: ">= 4× faster than vipsthumbnail", met: vipsMs / ours >= 4 });
      rows.push({ section: "ingest", measure: `${label} JPEG, HTTP upload until every size is stored`, value: ours, unit: "ms", reference: { name: "bare sharp pipeline in-process", value: bareMs }, ratio: againstBare, target: "<= 1.3× the bare pipeline (median of each upload over the bare run beside it)", met: againstBare <= 1.3 });
    }
  } finally {
    await server.stop();
  }

  // A fresh server for the batch, so its peak memory is the batch's.
  const batchServer = await startServerProcess({ PINHOLE_DATA_DIR: path.join(work, "batch") });
  try {
    const token = await createMember(batchServer.url, "batcher");
    const jpeg = fs.readFileSync(images["12 MP"]);
    const batchAgent = new http.Agent({ keepAlive: true });
    agents.push(batchAgent);
    const bodies = Array.from({ length: BATCH }, (_, i) => encodeUpload(variant(jpeg, 1000 + i)));
    let next = 0;
    const cpuBefore = batchServer.cpuSeconds();
    const elapsed = await timed(async () => {
      const worker = async () => {
        for (let i = next++; i < BATCH; i = next++) {
          const result = await sendUpload(batchAgent, `${batchServer.url}/api/v1/photos`, token, bodies[i]!);
          if (result.status !== 201) throw new Error(`batch upload failed: ${result.status}`);
        }
      };
      await Promise.all([worker(), worker()]);
    });
    const perSecond = BATCH / (elapsed / 1000);
    const cpuPerPhoto = ((batchServer.cpuSeconds() - cpuBefore) / BATCH) * 1000;
    rows.push({ section: "ingest", measure: "server CPU per photo in the batch (all threads)", value: cpuPerPhoto, unit: "ms" });
    rows.push({ section: "ingest", measure: `batch of ${BATCH} × 12 MP at concurrency 2`, value: perSecond, unit: "photos/s", target: ">= 4 photos/s", met: perSecond >= 4 });
    const peak = batchServer.peakRssMb();
    rows.push({ section: "ingest", measure: "peak server RSS during the batch", value: peak, unit: "MB", target: "< 400 MB", met: peak < 400 });
  } finally {
    for (const each of agents) each.destroy();
    await batchServer.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
