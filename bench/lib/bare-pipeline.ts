import sharp from "sharp";

const LONGEST = [2048, 1600, 1024, 800, 640, 500, 320, 240, 100];
const SQUARES = [150, 75];

/**
 * The floor for ingest: one decode of the original, the largest size made from it, every
 * smaller size cascaded from the previous raw buffer, squares smart-cropped, JPEG for all and
 * WebP for `webpSizes` — the same outputs as Pinhole, with no HTTP, database or storage.
 */
export async function barePipeline(file: string, webpSizes: number[]): Promise<number> {
  let current = await sharp(file).rotate().resize(LONGEST[0], LONGEST[0], { fit: "inside", withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  let bytes = 0;
  const largest = current;
  for (const px of LONGEST) {
    if (px !== LONGEST[0]) {
      current = await sharp(current.data, { raw: current.info }).resize(px, px, { fit: "inside" }).raw().toBuffer({ resolveWithObject: true });
    }
    const input = () => sharp(current.data, { raw: current.info });
    bytes += (await input().jpeg({ quality: 82, progressive: px >= 500 }).toBuffer()).length;
    if (webpSizes.includes(px)) bytes += (await input().webp({ quality: 80, effort: 2 }).toBuffer()).length;
  }
  for (const side of SQUARES) {
    bytes += (await sharp(largest.data, { raw: largest.info }).resize(side, side, { fit: "cover", position: "attention" }).jpeg({ quality: 82 }).toBuffer()).length;
  }
  return bytes;
}
