import fs from "node:fs";
import path from "node:path";
import type { ImageFormat } from "../../src/images/types.ts";

/** The shared image corpus (../shared/corpus beside the project), or PINHOLE_CORPUS_DIR. */
export const CORPUS_DIR = path.resolve(process.env.PINHOLE_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus"));

/** The corpus manifest; each test declares the part of an entry it reads. */
export function loadManifest<Entry>(): { files: Entry[] } {
  return JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, "manifest.json"), "utf8")) as { files: Entry[] };
}

/** The manifest names formats as exiftool does. */
export const MANIFEST_FORMATS: Record<string, ImageFormat> = {
  jpeg: "jpeg",
  png: "png",
  gif: "gif",
  webp: "webp",
  "extended webp": "webp",
  avif: "avif",
  heic: "heif",
  heif: "heif",
  tiff: "tiff",
};
