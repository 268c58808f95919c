import sharp, { type Sharp } from "sharp";
import { decodeError, decodeOptions } from "./probe.ts";
import type { Derivative, ImageProbe, SizeSpec } from "./types.ts";

// Every upload is a new file, so libvips' operation cache would only hold memory and open files.
sharp.cache(false);
// One libvips thread per image (sharp's own default on glibc, made explicit for musl/jemalloc builds):
// parallelism comes from several images and encodes running at once on libuv threads, which
// measured faster at 2 concurrent uploads on 2 cores than threads inside each image.
sharp.concurrency(1);

/** Flickr's size table: two smart-cropped squares and longest-edge sizes. */
export const SIZES: SizeSpec[] = [
  { name: "sq75", kind: "square", px: 75 },
  { name: "sq150", kind: "square", px: 150 },
  { name: "100", kind: "longest", px: 100 },
  { name: "240", kind: "longest", px: 240 },
  { name: "320", kind: "longest", px: 320 },
  { name: "500", kind: "longest", px: 500 },
  { name: "640", kind: "longest", px: 640 },
  { name: "800", kind: "longest", px: 800 },
  { name: "1024", kind: "longest", px: 1024 },
  { name: "1600", kind: "longest", px: 1600 },
  { name: "2048", kind: "longest", px: 2048 },
];

/**
 * Sizes also encoded as WebP: the photo page's main image, the most viewed bytes, where WebP is
 * 10-35% smaller than the JPEG. Each WebP encode costs several JPEG encodes (bench/images.ts):
 * dropping the 500 px one and going from effort 2 to 1 took server CPU per 12 MP upload from
 * 476 to 440 ms (npm run bench -- ingest).
 */
export const DEFAULT_WEBP_SIZES = ["1024"];

const JPEG_QUALITY = 82;
const WEBP_QUALITY = 80;
/** libwebp effort 0-6; 1 keeps most of the size win of the default 4 (files ~1.5% bigger than at 2) for a fraction of the time. */
const WEBP_EFFORT = 1;
/**
 * Progressive JPEG only for the photo page's main image (1024 px), where loading is visible.
 * Progressive doubles libjpeg's encode time and saves only 1-3% of bytes; making 500-800 px
 * baseline took server CPU per 12 MP upload from 440 to 399 ms (npm run bench -- ingest).
 */
const PROGRESSIVE_PX = { min: 1024, max: 1024 };
/** Measured on a 2048 px encode: 45 ms with optimised coding, 18 ms without. */
const OPTIMISED_CODING_MAX_PX = 1024;
const WHITE = { r: 255, g: 255, b: 255 };

export interface DerivativeTarget {
  spec: SizeSpec;
  width: number;
  height: number;
}

/**
 * Which derivatives a photo of `width`×`height` (as shown, after orientation) gets. Never upscales:
 * - a longest-edge size exists only if the photo's longest edge is at least that size (so a
 *   1920 px photo gets up to "1600", as on Flickr, and the largest size never exceeds the original);
 * - a photo under 100 px still gets "100", at its own size, because pages always need one;
 * - both squares always exist, at most as big as the photo's shorter edge (a 1×1 photo gets 1×1 squares).
 */
export function planDerivatives(width: number, height: number): DerivativeTarget[] {
  const longest = Math.max(width, height);
  const shortest = Math.min(width, height);
  const targets: DerivativeTarget[] = [];
  for (const spec of SIZES) {
    if (spec.kind === "square") {
      const side = Math.min(spec.px, shortest);
      targets.push({ spec, width: side, height: side });
    } else if (spec.px <= longest) {
      targets.push({ spec, ...fitInside(width, height, spec.px) });
    }
  }
  if (!targets.some((t) => t.spec.kind === "longest")) {
    const smallest = SIZES.find((s) => s.kind === "longest");
    if (smallest) targets.push({ spec: smallest, width, height });
  }
  return targets;
}

/**
 * Makes every derivative from ONE strict decode of the original (auto-rotated, converted to sRGB,
 * alpha flattened onto white, first frame only), at the largest size needed; each smaller size is
 * then resized from the previous raw buffer instead of decoding the original again, which is
 * several times faster. Derivatives carry no metadata at all: no EXIF (so no GPS, no EXIF thumbnail),
 * no XMP/IPTC, no ICC profile (the pixels are sRGB, which browsers assume).
 *
 * A truncated or corrupt original throws UnprocessableError (422), nothing is returned.
 * Results are in SIZES order, JPEG before WebP for the same size.
 */
export async function makeDerivatives(
  filePath: string,
  probe: ImageProbe,
  opts: { webpSizes: string[] } = { webpSizes: DEFAULT_WEBP_SIZES },
): Promise<Derivative[]> {
  const targets = planDerivatives(probe.width, probe.height);
  const base = await decodeOnce(filePath, probe, baseSize(probe, targets));
  const webp = new Set(opts.webpSizes);

  // Encodes run on libuv threads while the cascade goes on, so two cores stay busy for one photo.
  const encodes: Promise<Derivative>[] = [];
  const encode = (image: RawImage, target: DerivativeTarget) => {
    encodes.push(encodeJpeg(image, target));
    if (webp.has(target.spec.name)) encodes.push(encodeWebp(image, target));
  };

  try {
    await cascade(base, targets, encode);
  } catch (error) {
    // Let in-flight encodes finish so none rejects unobserved.
    await Promise.allSettled(encodes);
    throw error;
  }
  const derivatives = await Promise.all(encodes);
  return derivatives.sort(inSizesOrder);
}

/**
 * Longest-edge sizes from the largest down, each resized from the smallest buffer already made that
 * is big enough (normally the previous size); then the squares.
 */
async function cascade(
  base: RawImage,
  targets: DerivativeTarget[],
  encode: (image: RawImage, target: DerivativeTarget) => void,
): Promise<void> {
  const sources: RawImage[] = [base];
  for (const target of byDescendingSize(targets.filter(isLongest))) {
    const source = smallestSource(sources, (s) => s.width >= target.width && s.height >= target.height);
    const image = await resized(source, target);
    if (image !== source) sources.push(image);
    encode(image, target);
  }
  // The small square is cut from the big one so both show the same crop.
  let square: RawImage | null = null;
  for (const target of byDescendingSize(targets.filter((t) => !isLongest(t)))) {
    const side = target.width;
    square = square
      ? await resized(square, target)
      : await smartSquare(smallestSource(sources, (s) => Math.min(s.width, s.height) >= side), side);
    encode(square, target);
  }
}

/** Hex colour of the average of the photo, from its smallest whole-picture derivative (well under a millisecond). */
export async function dominantColor(derivatives: Derivative[]): Promise<string | null> {
  const smallest = derivatives
    .filter((d) => d.format === "jpeg" && !d.size.startsWith("sq"))
    .sort((a, b) => a.width * a.height - b.width * b.height)[0];
  if (!smallest) return null;
  const { channels } = await sharp(smallest.data).stats();
  const hex = channels
    .slice(0, 3)
    .map((c) => Math.round(c.mean).toString(16).padStart(2, "0"))
    .join("");
  return `#${hex}`;
}

/** Decoded pixels: always 3-band 8-bit sRGB, no alpha. */
interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

function isLongest(target: DerivativeTarget): boolean {
  return target.spec.kind === "longest";
}

function fitInside(width: number, height: number, px: number): { width: number; height: number } {
  const scale = Math.min(1, px / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The one size to decode at: the largest longest-edge target, unless a square needs a taller
 * source (very wide panoramas), in which case enough to cover the square's side.
 */
function baseSize(probe: ImageProbe, targets: DerivativeTarget[]): { width: number; height: number } {
  let width = 1;
  let height = 1;
  for (const t of targets.filter(isLongest)) {
    if (t.width * t.height > width * height) ({ width, height } = t);
  }
  const shortest = Math.min(probe.width, probe.height);
  for (const t of targets.filter((t) => !isLongest(t))) {
    if (Math.min(width, height) < t.width) {
      const scale = t.width / shortest;
      width = Math.min(probe.width, Math.ceil(probe.width * scale));
      height = Math.min(probe.height, Math.ceil(probe.height * scale));
    }
  }
  return { width, height };
}

/**
 * The only decode of the original. Resizing straight from the file lets libjpeg shrink on load
 * (DCT scaling), while still entropy-decoding every block, so truncation is caught here too.
 */
async function decodeOnce(filePath: string, probe: ImageProbe, size: { width: number; height: number }): Promise<RawImage> {
  let pipeline = sharp(filePath, decodeOptions(probe)).autoOrient();
  if (size.width !== probe.width || size.height !== probe.height) {
    pipeline = pipeline.resize(size.width, size.height, { fit: "fill" });
  }
  try {
    // Embedded ICC profiles (Adobe RGB, CMYK) are converted to sRGB by sharp before any of this;
    // toColourspace also turns greyscale and 16-bit input into 3-band 8-bit sRGB.
    const { data, info } = await pipeline
      .flatten({ background: WHITE })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels instead of 3`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw decodeError(error, probe);
  }
}

function fromRaw(image: RawImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function resized(source: RawImage, target: DerivativeTarget): Promise<RawImage> {
  if (source.width === target.width && source.height === target.height) return source;
  const { data, info } = await fromRaw(source)
    .resize(target.width, target.height, { fit: "fill" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Square crop around what draws the eye (libvips "attention": skin, saturation, edges). */
async function smartSquare(source: RawImage, side: number): Promise<RawImage> {
  const { data, info } = await fromRaw(source)
    .resize(side, side, { fit: "cover", position: "attention" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The smallest buffer made so far that still satisfies `fits` (sources shrink as the cascade goes on). */
function smallestSource(sources: RawImage[], fits: (s: RawImage) => boolean): RawImage {
  for (let i = sources.length - 1; i > 0; i--) {
    const source = sources[i];
    if (source && fits(source)) return source;
  }
  return sources[0] as RawImage;
}

function byDescendingSize(targets: DerivativeTarget[]): DerivativeTarget[] {
  return [...targets].sort((a, b) => b.width * b.height - a.width * a.height);
}

function isProgressive(image: RawImage): boolean {
  const longest = Math.max(image.width, image.height);
  return longest >= PROGRESSIVE_PX.min && longest <= PROGRESSIVE_PX.max;
}

async function encodeJpeg(image: RawImage, target: DerivativeTarget): Promise<Derivative> {
  const data = await fromRaw(image)
    .jpeg({
      quality: JPEG_QUALITY,
      progressive: isProgressive(image),
      // Optimised Huffman tables save a few percent of bytes but cost 2.5× the encode time;
      // they pay off on the sizes pages show all the time, not on the large ones.
      optimiseCoding: Math.max(image.width, image.height) <= OPTIMISED_CODING_MAX_PX,
      chromaSubsampling: "4:2:0",
      mozjpeg: false,
    })
    .toBuffer();
  return { size: target.spec.name, format: "jpeg", width: image.width, height: image.height, data };
}

async function encodeWebp(image: RawImage, target: DerivativeTarget): Promise<Derivative> {
  const data = await fromRaw(image).webp({ quality: WEBP_QUALITY, effort: WEBP_EFFORT }).toBuffer();
  return { size: target.spec.name, format: "webp", width: image.width, height: image.height, data };
}

function inSizesOrder(a: Derivative, b: Derivative): number {
  const rank = (d: Derivative) => SIZES.findIndex((s) => s.name === d.size) * 2 + (d.format === "jpeg" ? 0 : 1);
  return rank(a) - rank(b);
}
