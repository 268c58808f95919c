import type { AlbumService, AlbumView } from "../albums/service.ts";
import { NotFoundError } from "../errors.ts";
import type { SearchService } from "../search/service.ts";
import type { PhotosetsPort, PhotosetView, SearchPort } from "./ports.ts";
import { FlickrError } from "./service.ts";

const SET_ID = /^[1-9][0-9]{0,15}$/;

function setView(album: AlbumView): PhotosetView {
  return {
    id: String(album.id),
    ownerId: album.owner.id,
    ownerUsername: album.owner.username,
    title: album.title,
    description: album.description,
    primaryPhotoId: album.cover ? String(album.cover.id) : null,
    photoCount: album.photoCount,
    createdAt: Date.parse(album.createdAt),
    updatedAt: Date.parse(album.updatedAt),
  };
}

/** Flickr's answers for a photoset that is not there or not the viewer's to see (code 1). */
function setId(value: string): number {
  if (!SET_ID.test(value)) throw new FlickrError(1, "Photoset not found");
  return Number(value);
}

async function orSetNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NotFoundError) throw new FlickrError(1, "Photoset not found");
    throw error;
  }
}

/**
 * Flickr's photosets are Pinhole's albums: every rule of the albums domain holds (a viewer sees
 * an album and its photos only as `visibleTo` lets them; only the owner changes it; smart albums
 * take no photos by hand).
 */
export function albumsAsPhotosets(albums: AlbumService, isVisible: (photoId: number, viewer: Parameters<AlbumService["addPhotos"]>[1]) => Promise<boolean>): PhotosetsPort {
  return {
    async create(viewer, input) {
      const album = await albums.createWithPhotos(viewer, { title: input.title, description: input.description, photoIds: [input.primaryPhotoId], coverPhotoId: input.primaryPhotoId }, (id) => isVisible(id, viewer));
      return setView(album);
    },
    async list(ownerId, viewer, page, perPage) {
      const all = await albums.listOfOwner(ownerId, viewer);
      return { sets: all.slice((page - 1) * perPage, page * perPage).map(setView), total: all.length };
    },
    async photos(id, viewer, page, perPage) {
      const { album, photos } = await orSetNotFound(albums.pageAt(setId(id), viewer, (page - 1) * perPage, perPage));
      return { set: setView(album), photos, total: album.photoCount };
    },
    async info(id, viewer) {
      return setView(await orSetNotFound(albums.get(setId(id), viewer)));
    },
    async addPhoto(viewer, id, photoId) {
      const album = setId(id);
      await orSetNotFound(albums.get(album, viewer));
      const { added } = await albums.addPhotos(album, viewer, [photoId], (p) => isVisible(p, viewer)).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new FlickrError(2, "Photo not found") : error;
      });
      if (added === 0) throw new FlickrError(3, "Photo already in set");
    },
    async removePhoto(viewer, id, photoId) {
      const album = setId(id);
      await orSetNotFound(albums.get(album, viewer));
      await albums.removePhotos(album, viewer, [photoId], (p) => isVisible(p, viewer)).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new FlickrError(2, "Photo not found") : error;
      });
    },
  };
}

/** flickr.photos.search's `text`, answered by the site's full-text search among what the viewer may see. */
export function searchAsPort(search: SearchService): SearchPort {
  return { matchingPhotoIds: (text, viewer, limit) => search.matchingPhotoIds(viewer, text, limit) };
}
