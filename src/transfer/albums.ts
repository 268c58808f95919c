import type { AlbumService } from "../albums/service.ts";
import type { Viewer } from "../users/service.ts";

/**
 * Export and import reach albums only through these two interfaces, handed to `ExportService`
 * and `ImportService` in src/app.ts; `albumsForTransfer` makes them of the albums domain.
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

/**
 * Export and import through the albums domain. A smart album is exported with the photos its
 * rule chooses at the time (the zip has no rules), so it imports as a hand-made album of them.
 */
export function albumsForTransfer(albums: AlbumService): { source: AlbumSource; sink: AlbumSink } {
  return {
    source: {
      async albumsOf(memberId) {
        return (await albums.allOfMember(memberId)).map(({ album, photoIds, coverPhotoId }) => ({ id: String(album.id), title: album.title, description: album.description, coverPhotoId, photoIds }));
      },
    },
    sink: { syncAlbum: (member, album) => albums.syncImported(member, album) },
  };
}
