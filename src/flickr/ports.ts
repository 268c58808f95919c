import type { PhotoView } from "../photos/presenter.ts";
import type { Viewer } from "../users/service.ts";

type ViewerRef = Pick<Viewer, "id" | "showsRestricted" | "username"> | null;

/**
 * What the Flickr API needs of albums (Flickr's photosets), made of the albums domain by
 * `albumsAsPhotosets` (adapters.ts) in `app.ts`. Null (as some tests build it) makes every
 * flickr.photosets.* method answer Flickr's 112 "Method not found".
 * Implementations keep Pinhole's rules: a viewer sees an album's photos only as `visibleTo` lets them.
 */
export interface PhotosetsPort {
  create(viewer: Viewer, input: { title: string; description: string; primaryPhotoId: number }): Promise<PhotosetView>;
  /** A member's albums as this viewer may see them. */
  list(ownerId: number, viewer: ViewerRef, page: number, perPage: number): Promise<{ sets: PhotosetView[]; total: number }>;
  photos(setId: string, viewer: ViewerRef, page: number, perPage: number): Promise<{ set: PhotosetView; photos: PhotoView[]; total: number }>;
  info(setId: string, viewer: ViewerRef): Promise<PhotosetView>;
  addPhoto(viewer: Viewer, setId: string, photoId: number): Promise<void>;
  removePhoto(viewer: Viewer, setId: string, photoId: number): Promise<void>;
}

export interface PhotosetView {
  id: string;
  ownerId: number;
  ownerUsername: string;
  title: string;
  description: string;
  primaryPhotoId: string | null;
  /** Photos in it this viewer may see. */
  photoCount: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * Full-text search (title, description, tags), made of the search domain by `searchAsPort`. The Flickr API asks
 * it for the ids matching `text` among what the viewer may see, then applies every other
 * filter of flickr.photos.search itself. Until it is wired the port is null, and a search with
 * `text` answers Flickr's code 10 "search is not currently available".
 */
export interface SearchPort {
  /** Ids of photos matching the text that the viewer may see, best first, at most `limit`. */
  matchingPhotoIds(text: string, viewer: ViewerRef, limit: number): Promise<number[]>;
}
