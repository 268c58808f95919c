/**
 * Where a photo's files live, computed from its server-made id and secret only. Image URLs
 * map to keys with no database lookup; nothing here ever sees user input unvalidated.
 */
export const PHOTO_ID = /^[1-9][0-9]{0,17}$/;
export const SECRET = /^[0-9a-f]{20}$/;
export const SIZE_NAME = /^(sq75|sq150|100|240|320|500|640|800|1024|1600|2048)$/;
export type DerivativeFormat = "jpeg" | "webp";

const EXTENSIONS: Record<string, string> = { jpeg: "jpg", png: "png", gif: "gif", webp: "webp", avif: "avif", heif: "heic", tiff: "tif" };

/** Spreads files over 1000 directories so no directory grows huge. */
function shard(photoId: number | string): string {
  return String(photoId).slice(-3).padStart(3, "0");
}

export function extensionOf(format: string): string {
  const ext = EXTENSIONS[format];
  if (!ext) throw new Error(`no extension for format ${format}`);
  return ext;
}

export function originalKey(photoId: number, format: string): string {
  return `originals/${shard(photoId)}/${photoId}.${extensionOf(format)}`;
}

/**
 * The original of a photo whose file was replaced: a key of its own (the secret makes it new),
 * so the replaced original stays whole until the row no longer points at it.
 */
export function replacementOriginalKey(photoId: number, secret: string, format: string): string {
  return `originals/${shard(photoId)}/${photoId}-${secret}.${extensionOf(format)}`;
}

export function derivativePrefix(photoId: number | string, secret: string): string {
  return `derivatives/${shard(photoId)}/${photoId}/${secret}/`;
}

export function derivativeKey(photoId: number | string, secret: string, size: string, format: DerivativeFormat): string {
  return `${derivativePrefix(photoId, secret)}${size}.${extensionOf(format)}`;
}

export function derivativePath(photoId: number | string, secret: string, size: string, format: DerivativeFormat): string {
  return `/img/${photoId}/${secret}/${size}.${extensionOf(format)}`;
}
