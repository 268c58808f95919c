import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
import { AppError } from "../errors.ts";
import { dominantColor, makeDerivatives, planDerivatives, SIZES } from "./derivatives.ts";
import { probeImage } from "./probe.ts";
import type { Derivative, ImageProbe } from "./types.ts";
import { CORPUS_DIR, loadManifest } from "../../test/helpers/corpus.ts";

const LIMITS = { maxPixels: 100_000_000, maxFrames: 1000 };
const WEBP_SIZES = ["500", "1024"];

interface ManifestFile {
  path: string;
  expected: { outcome: string; format?: string };
}

const manifest = loadManifest<ManifestFile>();
const corpus = (path: string) => join(CORPUS_DIR, path);

async function derive(path: string, webpSizes = WEBP_SIZES): Promise<{ probe: ImageProbe; derivatives: Derivative[] }> {
  const probe = await probeImage(corpus(path), LIMITS);
  return { probe, derivatives: await makeDerivatives(corpus(path), probe, { webpSizes }) };
}

function find(derivatives: Derivative[], size: string, format: Derivative["format"] = "jpeg"): Derivative {
  const found = derivatives.find((d) => d.size === size && d.format === format);
  assert.ok(found, `no ${format} derivative "${size}"`);
  return found;
}

/** The biggest whole-picture JPEG, for pixel checks. */
function largest(derivatives: Derivative[]): Derivative {
  const whole = derivatives.filter((d) => d.format === "jpeg" && !d.size.startsWith("sq"));
  const biggest = whole.sort((a, b) => b.width - a.width)[0];
  assert.ok(biggest);
  return biggest;
}

async function pixels(image: Sharp): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

async function pixelAt(jpeg: Buffer, x: number, y: number): Promise<number[]> {
  const image = await pixels(sharp(jpeg));
  const at = (Math.round(y) * image.width + Math.round(x)) * image.channels;
  return [...image.data.subarray(at, at + 3)];
}

/** Mean absolute difference per channel value between two images brought to the same small size. */
async function difference(a: Sharp, b: Sharp): Promise<number> {
  const small = (s: Sharp) => pixels(s.resize(64, 40, { fit: "fill" }).toColourspace("srgb").removeAlpha());
  const [pa, pb] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < pa.data.length; i++) sum += Math.abs((pa.data[i] ?? 0) - (pb.data[i] ?? 0));
  return sum / pa.data.length;
}

async function meanColour(image: Sharp): Promise<number[]> {
  const { data, channels } = await pixels(image.toColourspace("srgb").removeAlpha());
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i++) sums[i % channels] = (sums[i % channels] ?? 0) + (data[i] ?? 0);
  return sums.map((s) => s / (data.length / channels));
}

test("planDerivatives follows the Flickr table and never upscales", () => {
  const names = (w: number, h: number) => planDerivatives(w, h).map((t) => `${t.spec.name}:${t.width}x${t.height}`);
  assert.deepEqual(names(4000, 3000), [
    "sq75:75x75", "sq150:150x150", "100:100x75", "240:240x180", "320:320x240", "500:500x375",
    "640:640x480", "800:800x600", "1024:1024x768", "1600:1600x1200", "2048:2048x1536",
  ]);
  // 1920 px: the largest size not exceeding the original is 1600; no 2048.
  assert.equal(names(1920, 1200).at(-1), "1600:1600x1000");
  assert.deepEqual(names(1200, 1920).slice(2, 3), ["100:63x100"]);
  // Under 100 px: "100" at the photo's own size, squares no bigger than the short edge.
  assert.deepEqual(names(90, 40), ["sq75:40x40", "sq150:40x40", "100:90x40"]);
  assert.deepEqual(names(1, 1), ["sq75:1x1", "sq150:1x1", "100:1x1"]);
  assert.deepEqual(names(100, 100).slice(2), ["100:100x100"]);
  // Extreme panorama: never 0 px tall.
  assert.ok(planDerivatives(20000, 10).every((t) => t.width >= 1 && t.height >= 1));
  assert.deepEqual(SIZES.map((s) => s.name), ["sq75", "sq150", "100", "240", "320", "500", "640", "800", "1024", "1600", "2048"]);
});

test("every accepted corpus image gets clean derivatives: planned sizes, no metadata, no upscaling", async () => {
  const accepted = manifest.files.filter(
    (f) => f.expected.outcome === "accept" || f.path === "bad/png-named.jpg" || f.path === "formats/photo.tif",
  );
  assert.ok(accepted.length >= 35);
  for (const { path } of accepted) {
    const { probe, derivatives } = await derive(path);
    const planned = planDerivatives(probe.width, probe.height);
    const jpegs = derivatives.filter((d) => d.format === "jpeg");
    assert.deepEqual(jpegs.map((d) => [d.size, d.width, d.height]), planned.map((t) => [t.spec.name, t.width, t.height]), path);
    const webps = derivatives.filter((d) => d.format === "webp").map((d) => d.size);
    assert.deepEqual(webps, WEBP_SIZES.filter((s) => planned.some((t) => t.spec.name === s)), `${path} webp`);

    for (const d of derivatives) {
      const label = `${path} ${d.size}.${d.format}`;
      assert.ok(d.width <= probe.width && d.height <= probe.height, `${label} is bigger than the original`);
      const meta = await sharp(d.data).metadata();
      assert.equal(meta.format, d.format, label);
      assert.deepEqual([meta.width, meta.height], [d.width, d.height], label);
      assert.equal(meta.channels, 3, `${label} channels`);
      assert.equal(meta.space, "srgb", label);
      assert.equal(meta.exif, undefined, `${label} carries EXIF`);
      assert.equal(meta.xmp, undefined, `${label} carries XMP`);
      assert.equal(meta.iptc, undefined, `${label} carries IPTC`);
      assert.equal(meta.icc, undefined, `${label} carries an ICC profile`);
      assert.equal(meta.orientation, undefined, `${label} carries an orientation`);
      assert.equal(d.data.includes("<script"), false, `${label} carries the polyglot's HTML`);
    }
  }
});

test("all eight EXIF orientations come out upright: red top-left, green top-right", async () => {
  for (let n = 1; n <= 8; n++) {
    const { derivatives } = await derive(`orientation/orient-${n}.jpg`);
    const image = largest(derivatives);
    assert.deepEqual([image.width, image.height], [500, 333], `orient-${n}`);
    const scale = image.width / 600;
    const [r1, g1, b1] = await pixelAt(image.data, 60 * scale, 60 * scale);
    const [r2, g2, b2] = await pixelAt(image.data, 540 * scale, 60 * scale);
    assert.ok(r1! > 200 && g1! < 60 && b1! < 60, `orient-${n}: (60,60) is ${[r1, g1, b1]}, not red`);
    assert.ok(r2! < 60 && g2! > 200 && b2! < 60, `orient-${n}: (540,60) is ${[r2, g2, b2]}, not green`);
  }
});

test("a phone portrait (orientation 6) is upright and not rotated twice", async () => {
  const { derivatives } = await derive("photos/phone-portrait-orient6.jpg");
  assert.deepEqual([find(derivatives, "2048").width, find(derivatives, "2048").height], [1363, 2048]);
});

test("a truncated JPEG is refused with 422 and yields nothing", async () => {
  const probe = await probeImage(corpus("bad/truncated.jpg"), LIMITS);
  await assert.rejects(makeDerivatives(corpus("bad/truncated.jpg"), probe, { webpSizes: WEBP_SIZES }), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 422);
    assert.match(error.message, /truncated/);
    return true;
  });
});

test("tiny 1×1 photo: every derivative is 1×1", async () => {
  const { derivatives } = await derive("photos/tiny-1x1.jpg");
  assert.deepEqual(derivatives.map((d) => d.size), ["sq75", "sq150", "100"]);
  assert.ok(derivatives.every((d) => d.width === 1 && d.height === 1));
});

test("12000×2000 panorama keeps its 6:1 aspect; squares are cut from it", async () => {
  const { derivatives } = await derive("photos/panorama-12000x2000.jpg");
  assert.deepEqual([find(derivatives, "2048").width, find(derivatives, "2048").height], [2048, 341]);
  assert.deepEqual([find(derivatives, "100").width, find(derivatives, "100").height], [100, 17]);
  assert.deepEqual([find(derivatives, "sq150").width, find(derivatives, "sq150").height], [150, 150]);
  assert.deepEqual([find(derivatives, "sq75").width, find(derivatives, "sq75").height], [75, 75]);
});

test("CMYK ends up sRGB with the colours sharp's own conversion gives, not inverted", async () => {
  const path = corpus("photos/cmyk.jpg");
  const { derivatives } = await derive("photos/cmyk.jpg");
  const image = find(derivatives, "1600");
  const meta = await sharp(image.data).metadata();
  assert.deepEqual([meta.channels, meta.space], [3, "srgb"]);

  const reference = () => sharp(path).toColourspace("srgb");
  const mean = await meanColour(sharp(image.data));
  const referenceMean = await meanColour(reference());
  mean.forEach((m, i) => assert.ok(Math.abs(m - (referenceMean[i] ?? 0)) < 6, `mean ${mean} vs reference ${referenceMean}`));
  assert.ok((await difference(sharp(image.data), reference())) < 6, "pixels differ from sharp's conversion");
  assert.ok((await difference(sharp(image.data), reference().negate())) > 40, "looks inverted");
});

test("Adobe RGB is converted to sRGB, not shown dull by ignoring the profile", async () => {
  const path = corpus("photos/adobe-rgb.jpg");
  const { derivatives } = await derive("photos/adobe-rgb.jpg");
  const image = sharp(find(derivatives, "1600").data);
  const converted = await difference(image.clone(), sharp(path));
  const unconverted = await difference(image.clone(), sharp(path, { ignoreIcc: true }));
  assert.ok(converted < 2.5, `differs from sharp's sRGB conversion by ${converted}`);
  assert.ok(unconverted > converted * 2, `as close to the unconverted pixels (${unconverted}) as to the converted (${converted})`);
});

test("transparent PNG is flattened onto white, not black", async () => {
  const { derivatives } = await derive("formats/alpha.png");
  const image = largest(derivatives);
  // The corners are fully transparent in the original.
  for (const [x, y] of [[0, 0], [image.width - 1, image.height - 1]] as const) {
    const rgb = await pixelAt(image.data, x, y);
    assert.ok(rgb.every((v) => v > 235), `corner (${x},${y}) is ${rgb}, not white`);
  }
});

test("animated GIF becomes a still of frame 1", async () => {
  const path = corpus("formats/animated.gif");
  const { derivatives } = await derive("formats/animated.gif");
  const still = sharp(largest(derivatives).data);
  const frame = (page: number) => sharp(path, { page }).flatten({ background: "#ffffff" });
  const toFirst = await difference(still.clone(), frame(0));
  const toSecond = await difference(still.clone(), frame(1));
  assert.ok(toFirst < 4, `differs from frame 1 by ${toFirst}`);
  assert.ok(toSecond > 3 * toFirst, `as close to frame 2 (${toSecond}) as to frame 1 (${toFirst})`);
});

test("greyscale stays grey", async () => {
  const { derivatives } = await derive("photos/grayscale.jpg");
  const { data } = await pixels(sharp(find(derivatives, "500").data));
  let maxSpread = 0;
  for (let i = 0; i < data.length; i += 3) {
    const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
    maxSpread = Math.max(maxSpread, Math.max(r, g, b) - Math.min(r, g, b));
  }
  assert.ok(maxSpread <= 6, `colour cast of ${maxSpread}`);
});

test("WebP is made only for the requested sizes, and for none when asked", async () => {
  const { derivatives } = await derive("photos/evening-boats.jpg", ["sq150", "2048"]);
  assert.deepEqual(derivatives.filter((d) => d.format === "webp").map((d) => d.size), ["sq150", "2048"]);
  const jpegOnly = await derive("photos/evening-boats.jpg", []);
  assert.ok(jpegOnly.derivatives.every((d) => d.format === "jpeg"));
});

test("dominantColor is the average colour as hex", async () => {
  const { derivatives } = await derive("orientation/orient-1.jpg");
  const hex = await dominantColor(derivatives);
  assert.match(hex ?? "", /^#[0-9a-f]{6}$/);
  const grey = await dominantColor((await derive("photos/grayscale.jpg")).derivatives);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(grey?.slice(i, i + 2) ?? "", 16));
  assert.ok(Math.max(r!, g!, b!) - Math.min(r!, g!, b!) <= 2, `grey photo has colour ${grey}`);
  assert.equal(await dominantColor([]), null);
});
