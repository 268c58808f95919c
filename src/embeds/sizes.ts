import type { PhotoSize, PhotoView } from "../photos/presenter.ts";

/** JPEG sizes that keep the whole picture (not the square crops), smallest first. */
export function wholeJpegSizes(photo: Pick<PhotoView, "sizes">): PhotoSize[] {
  return photo.sizes.filter((s) => s.format === "jpeg" && !s.name.startsWith("sq")).sort((a, b) => a.width * a.height - b.width * b.height);
}

/** The largest size that fits both bounds; the smallest there is when none does. */
export function bestFit(photo: Pick<PhotoView, "sizes">, maxWidth = Infinity, maxHeight = Infinity): PhotoSize | undefined {
  const sizes = wholeJpegSizes(photo);
  const fitting = sizes.filter((s) => s.width <= maxWidth && s.height <= maxHeight);
  return fitting[fitting.length - 1] ?? sizes[0];
}

/** Whether anyone at all, with no account, may see the photo: only then do previews and embeds describe it. */
export function isOpenToEveryone(photo: Pick<PhotoView, "visibility" | "restricted" | "hidden">): boolean {
  return photo.visibility === "public" && !photo.restricted && !photo.hidden;
}
