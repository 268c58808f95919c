/**
 * Derivative pipeline benchmark: `npx tsx bench/images.ts`
 *
 * Makes 12 MP and 24 MP camera-like JPEGs from the corpus, then times probe + makeDerivatives
 * (median of 5), the share of WebP, two bare-sharp references, vipsthumbnail (if installed), and
 * throughput at concurrency 2. CPU times are printed next to wall times because on a shared
 * machine they are the stable number: CPU ms per photo / cores bounds the idle throughput.
 * Env: PINHOLE_CORPUS_DIR, BENCH_PHOTOS (throughput count, default 50), BENCH_WEBP_SIZES
 * (comma list, default DEFAULT_WEBP_SIZES), SHARP_CONCURRENCY (libvips threads per image).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { DEFAULT_WEBP_SIZES, makeDerivatives, planDerivatives } from "../src/images/derivatives.ts";
import { probeImage } from "../src/images/probe.ts";

const CORPUS = process.env.PINHOLE_CORPUS_DIR ?? "/work/shared/corpus";
const SOURCE = path.join(CORPUS, "photos/dandelions-16mp.jpg");
const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000 };
const RUNS = 5;
const THROUGHPUT_PHOTOS = Number(process.env.BENCH_PHOTOS ?? 50);
const WEBP_SIZES = process.env.BENCH_WEBP_SIZES?.split(",").filter(Boolean) ?? DEFAULT_WEBP_SIZES;
if (process.env.SHARP_CONCURRENCY) sharp.concurrency(Number(process.env.SHARP_CONCURRENCY));

interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall and CPU time; CPU time (all threads) is what bounds throughput on a busy machine. */
async function median(fn: () => Promise<unknown>, runs = RUNS): Promise<Timing> {
  await fn(); // warm-up: JIT, libvips operation setup, page cache
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await fn();
    walls.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? NaN;
  return { wall: mid(walls), cpu: mid(cpus) };
}

/** Camera-like test image: quality 92, as phones and cameras write. */
async function makeTestImage(dir: string, width: number, height: number): Promise<string> {
  const file = path.join(dir, `${(width * height) / 1e6}mp.jpg`);
  await sharp(SOURCE).resize(width, height, { fit: "fill" }).jpeg({ quality: 92 }).toFile(file);
  return file;
}

async function ingest(file: string, webpSizes: string[]): Promise<void> {
  const probe = await probeImage(file, LIMITS);
  await makeDerivatives(file, probe, { webpSizes });
}

/** The cheapest conceivable ingest: decode once, make only the largest size, no cascade. */
async function floorPipeline(file: string): Promise<void> {
  await sharp(file).autoOrient().resize(2048, 2048, { fit: "inside" }).jpeg({ quality: 82 }).toBuffer();
}

/** What the cascade replaces: one sharp pipeline from the file per size (shrink-on-load each time). */
async function perSizePipelines(file: string, width: number, height: number): Promise<void> {
  for (const target of planDerivatives(width, height)) {
    const fit = target.spec.kind === "square" ? "cover" : "inside";
    await sharp(file).autoOrient().resize(target.width, target.height, { fit }).jpeg({ quality: 82 }).toBuffer();
  }
}

/** The CLI way: one vipsthumbnail process per size, each decoding with shrink-on-load. Null if not installed. */
function vipsthumbnailTime(file: string, width: number, height: number, dir: string): number | null {
  if (spawnSync("vipsthumbnail", ["--vips-version"]).error) return null;
  const runOnce = () => {
    const start = performance.now();
    for (const target of planDerivatives(width, height)) {
      const crop = target.spec.kind === "square" ? ["--smartcrop", "attention"] : [];
      const out = path.join(dir, `vt-${target.spec.name}.jpg[Q=82,strip]`);
      const run = spawnSync("vipsthumbnail", [file, "--size", `${target.width}x${target.height}`, ...crop, "-o", out]);
      if (run.status !== 0) throw new Error(`vipsthumbnail failed: ${String(run.stderr)}`);
    }
    return performance.now() - start;
  };
  const times = [runOnce(), runOnce(), runOnce()].sort((a, b) => a - b);
  return times[1] ?? NaN;
}

async function throughput(file: string, photos: number, concurrency: number): Promise<Timing> {
  let next = 0;
  const worker = async () => {
    while (next < photos) {
      next++;
      await ingest(file, WEBP_SIZES);
    }
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / photos, cpu: (cpu.user + cpu.system) / 1000 / photos };
}

const ms = (t: Timing) => `${t.wall.toFixed(0).padStart(5)} ms (cpu ${t.cpu.toFixed(0).padStart(4)} ms)`;
const ratio = (a: Timing, b: Timing) => `wall ${(a.wall / b.wall).toFixed(2)}x, cpu ${(a.cpu / b.cpu).toFixed(2)}x`;

async function main(): Promise<void> {
  sharp.cache(false);
  const dir = await mkdtemp(path.join(os.tmpdir(), "pinhole-bench-"));
  try {
    console.log(`sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}, ${os.availableParallelism()} cores, ` +
      `libvips threads per image ${sharp.concurrency()}, webpSizes [${WEBP_SIZES.join(",")}]`);
    for (const [width, height] of [[4000, 3000], [6000, 4000]] as const) {
      const file = await makeTestImage(dir, width, height);
      const full = await median(() => ingest(file, WEBP_SIZES));
      const jpegOnly = await median(() => ingest(file, []));
      const floor = await median(() => floorPipeline(file));
      const perSize = await median(() => perSizePipelines(file, width, height), 3);
      const vt = vipsthumbnailTime(file, width, height, dir);
      const webp: Timing = { wall: full.wall - jpegOnly.wall, cpu: full.cpu - jpegOnly.cpu };
      console.log(`\n${width}x${height} (${(width * height) / 1e6} MP), median of ${RUNS}:`);
      console.log(`  probe + makeDerivatives            ${ms(full)}`);
      console.log(`  same, JPEG only (no WebP)          ${ms(jpegOnly)}`);
      console.log(`  -> WebP share                      ${ms(webp)}  ${((100 * webp.cpu) / full.cpu).toFixed(0)}% of cpu`);
      console.log(`  bare sharp: decode -> 2048 JPEG    ${ms(floor)}  ours/this: ${ratio(full, floor)}`);
      console.log(`  bare sharp: one pipeline per size  ${ms(perSize)}  this/ours: ${ratio(perSize, full)}`);
      console.log(vt === null
        ? "  vipsthumbnail                      not installed, skipped"
        : `  vipsthumbnail, one run per size    ${vt.toFixed(0).padStart(5)} ms (median of 3)  this/ours: wall ${(vt / full.wall).toFixed(1)}x`);
    }
    const file12 = path.join(dir, "12mp.jpg");
    const perPhoto = await throughput(file12, THROUGHPUT_PHOTOS, 2);
    console.log(`\nthroughput, ${THROUGHPUT_PHOTOS} x 12 MP at concurrency 2: ${(1000 / perPhoto.wall).toFixed(2)} photos/s ` +
      `(cpu ${perPhoto.cpu.toFixed(0)} ms per photo: at most ${((1000 * os.availableParallelism()) / perPhoto.cpu).toFixed(2)} photos/s on an idle machine)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
