import { open } from "node:fs/promises";
import sharp, { type Metadata, type SharpOptions } from "sharp";
import { TooLargeError, UnprocessableError, UnsupportedMediaError, wording } from "../errors.ts";
import { ACCEPTED_FORMATS_TEXT, type ImageFormat, type ImageProbe } from "./types.ts";

export interface ProbeLimits {
  /** Largest width × height accepted (one frame), checked from the header before decoding. */
  maxPixels: number;
  /** Animations with more frames are refused (422) rather than accepted as a still. */
  maxFrames: number;
}

/**
 * Identifies an upload and checks it against the limits, reading only the file head and the
 * image header: nothing is decoded, so a 2.5-gigapixel "bomb" costs a few milliseconds and no memory.
 *
 * Whether the pixel data itself decodes is checked by the one full decode that `makeDerivatives`
 * does anyway (it uses `decodeOptions` and `decodeError` from here); callers that make no
 * derivatives use `verifyDecodes`.
 */
export async function probeImage(filePath: string, limits: ProbeLimits): Promise<ImageProbe> {
  const head = await readHead(filePath, HEAD_BYTES);
  const sniffed = sniffFormat(head);
  if (!sniffed) throw notAnImage(head.length === 0);

  const header = await readHeader(filePath, sniffed.format);
  refuseUndecodableHeic(header);

  const storedWidth = header.width;
  const storedHeight = header.height;
  if (!(storedWidth > 0 && storedHeight > 0)) {
    throw new UnprocessableError(wording("errors.upload.noSize", { format: FORMAT_NAMES[sniffed.format] }));
  }
  refuseTooManyPixels(storedWidth, storedHeight, limits.maxPixels);

  const frames = header.pages ?? 1;
  // A 5000-frame GIF is a CPU and storage trap, not a photo; a clear refusal beats silently keeping a still.
  if (frames > limits.maxFrames) {
    throw new UnprocessableError(
      wording("errors.upload.tooManyFrames", { frames, max: limits.maxFrames }),
      { frames, maxFrames: limits.maxFrames },
    );
  }

  const orientation = exifOrientation(header.orientation);
  const swapsAxes = orientation !== null && orientation >= 5;
  return {
    format: sniffed.format,
    mime: sniffed.mime,
    width: swapsAxes ? storedHeight : storedWidth,
    height: swapsAxes ? storedWidth : storedHeight,
    storedWidth,
    storedHeight,
    orientation,
    frames,
    hasAlpha: header.hasAlpha,
  };
}

/**
 * Input options for every decode of an accepted upload.
 * - failOn "error": truncated or corrupt pixel data throws instead of yielding a half-grey picture,
 *   while harmless libjpeg warnings (e.g. stray bytes before a marker) from real cameras still pass.
 * - limitInputPixels: exactly what the probe accepted, so a file swapped after probing cannot
 *   smuggle in a bigger image.
 * - first frame only: animations become stills.
 */
export function decodeOptions(probe: ImageProbe): SharpOptions {
  return {
    failOn: "error",
    limitInputPixels: Math.max(1, probe.storedWidth * probe.storedHeight),
    pages: 1,
    page: 0,
  };
}

/** Maps a failure while decoding an accepted upload's pixels to the error the member sees. */
export function decodeError(error: unknown, probe: ImageProbe): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const name = FORMAT_NAMES[probe.format];
  if (/has not been built in|no decoder|unsupported codec/i.test(reason)) {
    return new UnsupportedMediaError(wording("errors.upload.compression", { format: name }), { reason });
  }
  if (/exceeds pixel limit/i.test(reason)) {
    return new TooLargeError(wording("errors.upload.largerThanDeclared", { megapixels: megapixels(probe.storedWidth * probe.storedHeight) }), { reason });
  }
  if (/premature end|truncat|unexpected end|end of (file|stream|data)/i.test(reason)) {
    return new UnprocessableError(wording("errors.upload.truncated", { format: name }), { reason });
  }
  return new UnprocessableError(wording("errors.upload.damaged", { format: name }), { reason });
}

/**
 * Fully and strictly decodes the first frame, for callers that keep an upload without making
 * derivatives (ingest should not call it: `makeDerivatives` already decodes once, strictly).
 * A shrinking resize keeps memory small; JPEG still entropy-decodes every block, so truncation
 * and corrupt data are caught.
 */
export async function verifyDecodes(filePath: string, probe: ImageProbe): Promise<void> {
  try {
    await sharp(filePath, decodeOptions(probe)).resize(64, 64, { fit: "inside" }).raw().toBuffer();
  } catch (error) {
    throw decodeError(error, probe);
  }
}

const HEAD_BYTES = 256;

const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: "JPEG",
  png: "PNG",
  gif: "GIF",
  webp: "WebP",
  avif: "AVIF",
  heif: "HEIC/HEIF",
  tiff: "TIFF",
};

/** libvips reports AVIF and HEIC both as its "heif" loader. */
const SHARP_FORMAT: Record<ImageFormat, string> = {
  jpeg: "jpeg",
  png: "png",
  gif: "gif",
  webp: "webp",
  avif: "heif",
  heif: "heif",
  tiff: "tiff",
};

async function readHead(filePath: string, bytes: number): Promise<Buffer> {
  const file = await open(filePath, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

interface Sniffed {
  format: ImageFormat;
  mime: string;
}

/** The format from the magic bytes alone; the file name and the client's Content-Type are never trusted. */
export function sniffFormat(head: Buffer): Sniffed | null {
  const startsWith = (bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
  const ascii = (start: number, end: number) => head.toString("latin1", start, end);

  if (startsWith([0xff, 0xd8, 0xff])) return { format: "jpeg", mime: "image/jpeg" };
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: "png", mime: "image/png" };
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return { format: "gif", mime: "image/gif" };
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return { format: "webp", mime: "image/webp" };
  // Classic TIFF (42) and BigTIFF (43), both byte orders.
  if (startsWith([0x49, 0x49, 0x2a, 0x00]) || startsWith([0x4d, 0x4d, 0x00, 0x2a])) return { format: "tiff", mime: "image/tiff" };
  if (startsWith([0x49, 0x49, 0x2b, 0x00]) || startsWith([0x4d, 0x4d, 0x00, 0x2b])) return { format: "tiff", mime: "image/tiff" };
  if (ascii(4, 8) === "ftyp") return sniffIsoBrands(head);
  return null;
}

const AVIF_BRANDS = new Set(["avif", "avis"]);
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]);
const HEIF_BRANDS = new Set(["mif1", "msf1", "mif2", "miaf"]);

/**
 * AVIF and HEIC share the ISO-BMFF container; the ftyp brands tell them apart. Phones write a
 * specific major brand, some tools write "mif1" and list the codec among the compatible brands.
 * Other ftyp files (MP4, MOV, 3GP) are videos and not accepted.
 */
function sniffIsoBrands(head: Buffer): Sniffed | null {
  const boxSize = head.readUInt32BE(0);
  const end = Math.min(head.length, boxSize >= 16 ? boxSize : 16);
  const major = head.toString("latin1", 8, 12);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= end; at += 4) compatible.push(head.toString("latin1", at, at + 4));

  if (AVIF_BRANDS.has(major)) return { format: "avif", mime: "image/avif" };
  if (HEIC_BRANDS.has(major)) return { format: "heif", mime: "image/heic" };
  if (!HEIF_BRANDS.has(major) && !compatible.some((b) => HEIF_BRANDS.has(b))) return null;
  if (compatible.some((b) => AVIF_BRANDS.has(b))) return { format: "avif", mime: "image/avif" };
  if (compatible.some((b) => HEIC_BRANDS.has(b))) return { format: "heif", mime: "image/heic" };
  return { format: "heif", mime: "image/heif" };
}

function notAnImage(empty: boolean): UnsupportedMediaError {
  return new UnsupportedMediaError(wording(empty ? "errors.upload.empty" : "errors.upload.notAnImage"), {
    accepted: ACCEPTED_FORMATS_TEXT,
  });
}

/** Reads only the header. The pixel limit is ours to enforce (with a clear 413), so sharp's is off here. */
async function readHeader(filePath: string, format: ImageFormat): Promise<Metadata> {
  let header: Metadata;
  try {
    header = await sharp(filePath, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new UnprocessableError(wording("errors.upload.headerUnreadable", { format: FORMAT_NAMES[format] }), {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  if (header.format !== SHARP_FORMAT[format]) {
    throw new UnprocessableError(wording("errors.upload.notValid", { format: FORMAT_NAMES[format] }), {
      detected: header.format,
    });
  }
  return header;
}

/** Whether this libvips can decode HEVC; sharp's prebuilt binaries only list ".avif" for the heif loader. */
function canDecodeHevc(): boolean {
  return sharp.format.heif?.input?.fileSuffix?.includes(".heic") ?? false;
}

function refuseUndecodableHeic(header: Metadata): void {
  if (header.format === "heif" && header.compression === "hevc" && !canDecodeHevc()) {
    throw new UnsupportedMediaError(
      wording("errors.upload.heic"),
      { compression: "hevc" },
    );
  }
}

function refuseTooManyPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new TooLargeError(
      // Width and height as digits, as the file's header and image tools write them.
      wording("errors.upload.tooManyPixels", { width: String(width), height: String(height), megapixels: megapixels(width * height), limit: megapixels(maxPixels) }),
      { width, height, maxPixels },
    );
  }
}

function megapixels(pixels: number): number {
  const mp = pixels / 1_000_000;
  return Number(mp >= 10 ? mp.toFixed(0) : mp.toFixed(1));
}

/** Out-of-range values (hostile or broken EXIF) are treated as "no orientation". */
function exifOrientation(value: number | undefined): number | null {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8 ? value : null;
}
