import type { ImportedNote, ImportedRemark } from "./repository.ts";

/**
 * A photo as a source (Flickr, another Pinhole) describes it, in one shape whatever the
 * source: kept in `import_items.metadata` until the photo's file arrives, then applied.
 */
export interface SourcePhoto {
  title?: string;
  description?: string;
  /** As typed. */
  tags?: string[];
  visibility?: string;
  restricted?: boolean;
  license?: string;
  downloadAllowed?: boolean;
  /** ISO 8601 local time; `onlyIfMissing`: the file's own EXIF date wins. */
  takenAt?: { value: string; offset: string | null; onlyIfMissing: boolean };
  /** Without `visibility`, the member's default audience for locations applies. */
  location?: { latitude: number; longitude: number; altitude: number | null; visibility?: string };
  /** The name the original is stored under (Pinhole keeps the uploader's file name). */
  originalName?: string;
  /** `author` null: written by the member themselves. */
  comments: ImportedRemark[];
  notes: ImportedNote[];
}

/** Tags as the photo service's edit takes them: space-separated, phrases quoted. */
export function tagLine(tags: string[]): string {
  return tags
    .map((t) => t.replace(/"/g, "").trim())
    .filter((t) => t !== "")
    .map((t) => (/\s/.test(t) ? `"${t}"` : t))
    .join(" ");
}
