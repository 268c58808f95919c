import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { AppError } from "../errors.ts";
import { probeImage, sniffFormat, verifyDecodes } from "./probe.ts";
import { ACCEPTED_FORMATS_TEXT } from "./types.ts";
import { CORPUS_DIR, loadManifest, MANIFEST_FORMATS } from "../../test/helpers/corpus.ts";

const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000 };

interface ManifestFile {
  path: string;
  expected: {
    outcome: "accept" | "reject" | "accept_or_reject" | "n/a";
    format?: string;
    mime?: string;
    width?: number;
    height?: number;
    stored_width?: number;
    stored_height?: number;
    orientation?: number | null;
    frames?: number;
    has_alpha?: boolean;
  };
}

const manifest = loadManifest<ManifestFile>();
const corpus = (path: string) => join(CORPUS_DIR, path);
const heicDecodable = sharp.format.heif?.input?.fileSuffix?.includes(".heic") ?? false;


async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a rejection");
}

// First, while the process is small: a decode of either bomb would need gigabytes.
test("decompression bombs are refused with 413 from the header, memory stays flat", async () => {
  for (const path of ["bad/bomb-png-50000x50000.png", "bad/bomb-jpeg-65000x65000.jpg"]) {
    const peakBefore = process.resourceUsage().maxRSS;
    const start = performance.now();
    const error = await rejection(probeImage(corpus(path), LIMITS));
    assert.equal(error.status, 413, path);
    assert.match(error.message, /limit is 100 megapixels/);
    assert.ok(performance.now() - start < 1000, `${path} took too long: it was decoded`);
    const growthMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
    assert.ok(growthMb < 64, `${path}: peak memory grew by ${growthMb.toFixed(0)} MB`);
  }
});

test("every image the corpus expects accepted probes to its manifest format and size", async () => {
  const images = manifest.files.filter((f) => f.expected.outcome !== "n/a" && f.expected.format && f.expected.width);
  assert.ok(images.length >= 35, "the corpus manifest lost its images");
  for (const { path, expected } of images) {
    const format = MANIFEST_FORMATS[expected.format ?? ""];
    if (expected.format === "svg" || (format === "heif" && !heicDecodable)) continue; // refused, tested below
    const probe = await probeImage(corpus(path), LIMITS);
    assert.equal(probe.format, format, path);
    assert.equal(probe.mime, expected.mime, path);
    assert.equal(probe.width, expected.width, `${path} width`);
    assert.equal(probe.height, expected.height, `${path} height`);
    assert.equal(probe.storedWidth, expected.stored_width, `${path} stored width`);
    assert.equal(probe.storedHeight, expected.stored_height, `${path} stored height`);
    assert.equal(probe.frames, expected.frames ?? 1, `${path} frames`);
    assert.equal(probe.hasAlpha, expected.has_alpha, `${path} alpha`);
    // libvips applies HEIF/AVIF rotation itself and reports no EXIF orientation for them.
    if (format !== "avif" && format !== "heif") assert.equal(probe.orientation, expected.orientation ?? null, `${path} orientation`);
  }
});

test("EXIF orientations 5-8 swap width and height", async () => {
  for (let n = 1; n <= 8; n++) {
    const probe = await probeImage(corpus(`orientation/orient-${n}.jpg`), LIMITS);
    assert.deepEqual([probe.width, probe.height, probe.orientation], [600, 400, n]);
    assert.deepEqual([probe.storedWidth, probe.storedHeight], n >= 5 ? [400, 600] : [600, 400]);
  }
});

test("non-images are refused with 415 naming the accepted formats", async () => {
  for (const path of ["bad/empty.jpg", "bad/random-bytes.jpg", "bad/html-named.jpg", "bad/script.svg", "formats/drawing.svg"]) {
    const error = await rejection(probeImage(corpus(path), LIMITS));
    assert.equal(error.status, 415, path);
    assert.ok(error.message.includes(ACCEPTED_FORMATS_TEXT), `${path}: ${error.message}`);
  }
  const empty = await rejection(probeImage(corpus("bad/empty.jpg"), LIMITS));
  assert.match(empty.message, /empty/);
});

test("HEIC is accepted only if this libvips decodes HEVC, else a clear 415", async () => {
  const probe = probeImage(corpus("formats/photo.heic"), LIMITS);
  if (heicDecodable) {
    assert.equal((await probe).format, "heif");
    return;
  }
  const error = await rejection(probe);
  assert.equal(error.status, 415);
  assert.match(error.message, /^HEIC photos cannot be decoded by this server; upload JPEG/);
});

test("hostile but valid files are accepted, typed by their bytes", async () => {
  const polyglot = await probeImage(corpus("bad/polyglot-jpeg-html.jpg"), LIMITS);
  assert.deepEqual([polyglot.format, polyglot.width, polyglot.height], ["jpeg", 600, 400]);
  const pngNamedJpg = await probeImage(corpus("bad/png-named.jpg"), LIMITS);
  assert.deepEqual([pngNamedJpg.format, pngNamedJpg.mime], ["png", "image/png"]);
  const garbage = await probeImage(corpus("bad/exif-garbage.jpg"), LIMITS);
  assert.deepEqual([garbage.format, garbage.width, garbage.height], ["jpeg", 800, 500]);
});

test("animations over the frame limit are refused with 422", async () => {
  const error = await rejection(probeImage(corpus("bad/many-frames.gif"), LIMITS));
  assert.equal(error.status, 422);
  assert.match(error.message, /at most 1,000/);
  const animated = await probeImage(corpus("formats/animated.gif"), { ...LIMITS, maxFrames: 12 });
  assert.equal(animated.frames, 12);
});

test("the pixel limit is configurable and counts width × height", async () => {
  const error = await rejection(probeImage(corpus("photos/dandelions-16mp.jpg"), { ...LIMITS, maxPixels: 12_000_000 }));
  assert.equal(error.status, 413);
  assert.match(error.message, /5312×2988 pixels \(16 megapixels\); the limit is 12 megapixels/);
  await probeImage(corpus("photos/dandelions-16mp.jpg"), { ...LIMITS, maxPixels: 5312 * 2988 });
});

test("a truncated JPEG passes the header probe but fails the strict decode with 422", async () => {
  const probe = await probeImage(corpus("bad/truncated.jpg"), LIMITS);
  assert.deepEqual([probe.format, probe.width, probe.height], ["jpeg", 1200, 750]);
  const error = await rejection(verifyDecodes(corpus("bad/truncated.jpg"), probe));
  assert.equal(error.status, 422);
  assert.match(error.message, /truncated/);
  await verifyDecodes(corpus("photos/progressive.jpg"), await probeImage(corpus("photos/progressive.jpg"), LIMITS));
});

test("sniffFormat reads magic bytes and ISO-BMFF brands", () => {
  const ftyp = (major: string, ...compatible: string[]) => {
    const brands = [major, "\0\0\0\0", ...compatible].join("");
    const box = Buffer.alloc(8 + brands.length);
    box.writeUInt32BE(box.length, 0);
    box.write("ftyp", 4, "latin1");
    box.write(brands, 8, "latin1");
    return box;
  };
  assert.equal(sniffFormat(ftyp("avif", "mif1", "miaf"))?.format, "avif");
  assert.equal(sniffFormat(ftyp("mif1", "mif1", "avif"))?.format, "avif");
  assert.deepEqual(sniffFormat(ftyp("heic", "mif1", "heic")), { format: "heif", mime: "image/heic" });
  assert.deepEqual(sniffFormat(ftyp("mif1", "mif1", "heic")), { format: "heif", mime: "image/heic" });
  assert.equal(sniffFormat(ftyp("isom", "isom", "mp41")), null, "MP4 video");
  assert.equal(sniffFormat(ftyp("qt  ")), null, "QuickTime video");
  assert.equal(sniffFormat(Buffer.from("II*\0\x08\0\0\0", "latin1"))?.format, "tiff");
  assert.equal(sniffFormat(Buffer.from("MM\0*\0\0\0\x08", "latin1"))?.format, "tiff");
  assert.equal(sniffFormat(Buffer.from("RIFF\0\0\0\0WEBPVP8 ", "latin1"))?.format, "webp");
  assert.equal(sniffFormat(Buffer.from("RIFF\0\0\0\0WAVEfmt ", "latin1")), null, "WAV audio");
  assert.equal(sniffFormat(Buffer.from("<?xml version=\"1.0\"?><svg", "latin1")), null);
  assert.equal(sniffFormat(Buffer.alloc(0)), null);
  assert.equal(sniffFormat(Buffer.from([0xff, 0xd8])), null, "two bytes are not a JPEG");
});
