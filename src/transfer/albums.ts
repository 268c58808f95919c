import type { Viewer } from "../users/service.ts";

/**
 * Albums are built on another branch. Export and import reach them only through these two
 * interfaces, handed to `ExportService` and `ImportService` in src/app.ts (`albumSource`,
 * `albumSink`, null until the albums domain provides them).
 */

/** An album as the export writes it (albums.json). Photo ids are this server's. */
export interface ExportedAlbum {
  id: string;
  title: string;
  description: string;
  coverPhotoId: number | null;
  photoIds: number[];
}

/** What the export reads: every album of a member, private ones too, photos in album order. */
export interface AlbumSource {
  albumsOf(memberId: number): Promise<ExportedAlbum[]>;
}

/** An album described by an import, its photos already mapped to this server's photo ids. */
export interface ImportedAlbum {
  /** Stable per member and source ("flickr", "pinhole:https://old.example") with `sourceId`. */
  source: string;
  sourceId: string;
  title: string;
  description: string;
  /** In album order; only the photos imported so far (more may come with a later zip). */
  photoIds: number[];
  coverPhotoId: number | null;
}

/**
 * What the import writes. `syncAlbum` must be idempotent by (member, source, sourceId): it
 * creates the album the first time and afterwards adds the photos it does not hold yet, since
 * an import calls it again whenever more photos of the same source arrive.
 */
export interface AlbumSink {
  syncAlbum(member: Viewer, album: ImportedAlbum): Promise<void>;
}
