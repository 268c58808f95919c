import type { Clock } from "../clock.ts";
import { ForbiddenError, NotFoundError, wording } from "../errors.ts";
import type { Notifier } from "../notifications/service.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import type { PhotoService } from "../photos/service.ts";
import type { Viewer } from "../users/service.ts";
import type { FaverRow, FavesRepository } from "./faves-repository.ts";
import type { SocialService } from "./service.ts";
import { audienceOf } from "../photos/visibility.ts";

export const FAVERS_PAGE_SIZE = 50;
export const FAVED_PHOTOS_PAGE_SIZE = 60;

type ViewerRef = Viewer | null;

export interface FaveState {
  faved: boolean;
  faveCount: number;
}

export interface Paged<T> {
  items: T[];
  page: number;
  hasMore: boolean;
}

export interface FavesServiceDeps {
  faves: FavesRepository;
  photos: PhotoService;
  social: SocialService;
  notifier: Notifier;
  clock: Clock;
  baseUrl: string;
}

const NOT_FOUND = wording("errors.photoNotFound");

/** Favourites: a member marks photos they like; the owner is told. */
export class FavesService {
  constructor(private readonly deps: FavesServiceDeps) {}

  /** The photo's owner, after checking the viewer may see it (404 otherwise). */
  private async visibleOwner(photoId: number, viewer: ViewerRef): Promise<number> {
    const ownerId = await this.deps.faves.photoOwner(photoId);
    if (ownerId === undefined || !(await this.deps.photos.isVisible(photoId, viewer))) throw new NotFoundError(NOT_FOUND);
    return ownerId;
  }

  async fave(viewer: Viewer, photoId: number): Promise<FaveState> {
    const ownerId = await this.visibleOwner(photoId, viewer);
    if (await this.deps.social.isBlockedBy(ownerId, viewer.id)) throw new ForbiddenError(wording("errors.fave.blocked"));
    const created = await this.deps.faves.add(photoId, viewer.id, this.deps.clock.now());
    if (created) await this.deps.notifier.notifyOnce({ userId: ownerId, kind: "fave", actorId: viewer.id, photoId });
    return { faved: true, faveCount: await this.deps.faves.count(photoId) };
  }

  async unfave(viewer: Viewer, photoId: number): Promise<FaveState> {
    await this.visibleOwner(photoId, viewer);
    await this.deps.faves.remove(photoId, viewer.id);
    return { faved: false, faveCount: await this.deps.faves.count(photoId) };
  }

  /** What the photo page shows: the count, the first faves' names, and whether the viewer faved it. */
  async summary(photoId: number, viewer: ViewerRef, shown: number): Promise<{ faveCount: number; favers: FaverRow[]; viewerFaved: boolean }> {
    await this.visibleOwner(photoId, viewer);
    const [faveCount, favers, viewerFaved] = await Promise.all([
      this.deps.faves.count(photoId),
      this.deps.faves.favers(photoId, shown, 0),
      viewer ? this.deps.faves.has(photoId, viewer.id) : Promise.resolve(false),
    ]);
    return { faveCount, favers, viewerFaved };
  }

  /**
   * The photo page's summary: the page already checked the viewer may see the photo, so no
   * second check here, and a photo nobody faved costs one query (most photos have no faves).
   */
  async pageSummary(photoId: number, viewer: ViewerRef, shown: number): Promise<{ faveCount: number; favers: FaverRow[]; viewerFaved: boolean }> {
    const faveCount = await this.deps.faves.count(photoId);
    if (faveCount === 0) return { faveCount, favers: [], viewerFaved: false };
    const [favers, viewerFaved] = await Promise.all([this.deps.faves.favers(photoId, shown, 0), viewer ? this.deps.faves.has(photoId, viewer.id) : Promise.resolve(false)]);
    return { faveCount, favers, viewerFaved };
  }

  async favers(photoId: number, viewer: ViewerRef, page: number): Promise<Paged<FaverRow> & { faveCount: number }> {
    await this.visibleOwner(photoId, viewer);
    const rows = await this.deps.faves.favers(photoId, FAVERS_PAGE_SIZE + 1, (page - 1) * FAVERS_PAGE_SIZE);
    return { items: rows.slice(0, FAVERS_PAGE_SIZE), page, hasMore: rows.length > FAVERS_PAGE_SIZE, faveCount: await this.deps.faves.count(photoId) };
  }

  /** A member's faves the viewer may see, newest fave first. */
  async favedPhotos(username: string, viewer: ViewerRef, page: number): Promise<Paged<PhotoView> & { username: string }> {
    const member = await this.deps.social.findMember(username);
    const audience = audienceOf(viewer);
    const rows = await this.deps.faves.favedPhotos(member.id, audience, FAVED_PHOTOS_PAGE_SIZE + 1, (page - 1) * FAVED_PHOTOS_PAGE_SIZE);
    const items = rows.slice(0, FAVED_PHOTOS_PAGE_SIZE).map((r) => presentPhoto(r, viewer?.id ?? null, this.deps.baseUrl));
    return { items, page, hasMore: rows.length > FAVED_PHOTOS_PAGE_SIZE, username: member.username };
  }
}
