import sharp from "sharp";
import type { DerivativeFormat } from "./keys.ts";

/**
 * What is wrong with a stored derivative, or null when it looks whole: the format's magic
 * bytes, its end (a JPEG's EOI marker, a WebP's RIFF length), and the size in its header.
 * Derivatives have no recorded checksum, so a flipped bit inside the image data is not seen;
 * a missing, emptied, truncated or overwritten file is.
 */
export async function derivativeDefect(data: Buffer, expected: { format: DerivativeFormat; width: number; height: number }): Promise<string | null> {
  if (data.length === 0) return "empty";
  if (expected.format === "jpeg") {
    if (data[0] !== 0xff || data[1] !== 0xd8) return "not a JPEG";
    if (data[data.length - 2] !== 0xff || data[data.length - 1] !== 0xd9) return "truncated (no JPEG end marker)";
  } else {
    if (data.length < 12 || data.toString("latin1", 0, 4) !== "RIFF" || data.toString("latin1", 8, 12) !== "WEBP") return "not a WebP";
    if (data.readUInt32LE(4) + 8 !== data.length) return "truncated (the RIFF length does not match)";
  }
  try {
    const { width, height } = await sharp(data).metadata();
    if (width !== expected.width || height !== expected.height) return `${width}×${height} pixels instead of ${expected.width}×${expected.height}`;
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
  return null;
}
