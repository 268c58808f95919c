/** Formats accepted as originals; the format always comes from the bytes, never the name. */
export type ImageFormat = "jpeg" | "png" | "gif" | "webp" | "avif" | "heif" | "tiff";

export const ACCEPTED_FORMATS_TEXT = "JPEG, PNG, GIF, WebP, AVIF, HEIC/HEIF and TIFF";

export interface ImageProbe {
  format: ImageFormat;
  mime: string;
  /** Pixels as a viewer sees the photo, after the EXIF orientation. */
  width: number;
  height: number;
  storedWidth: number;
  storedHeight: number;
  orientation: number | null;
  frames: number;
  hasAlpha: boolean;
}

export interface PhotoMetadata {
  camera: { make: string | null; model: string | null; lens: string | null } | null;
  exposure: {
    /** As photographers write it: "1/125", "30", "0.3". */
    time: string | null;
    timeSeconds: number | null;
    fNumber: number | null;
    iso: number | null;
    focalLength: number | null;
    focalLength35mm: number | null;
  } | null;
  /** ISO 8601 local time with fraction, plus the offset only when the file records one. */
  takenAt: string | null;
  takenAtOffset: string | null;
  location: { latitude: number; longitude: number; altitude: number | null } | null;
  title: string | null;
  description: string | null;
  keywords: string[];
  creator: string | null;
  copyright: string | null;
}

/** A display size from Flickr's size table. */
export interface SizeSpec {
  name: string;
  kind: "square" | "longest";
  px: number;
}

export interface Derivative {
  size: string;
  format: "jpeg" | "webp";
  width: number;
  height: number;
  data: Buffer;
}
