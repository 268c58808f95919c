import type { Clock } from "../clock.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, wording } from "../errors.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import { audienceOf, type Audience } from "../photos/visibility.ts";
import type { Viewer } from "../users/service.ts";
import type { AlbumCursor, AlbumRow, AlbumsRepository, AlbumStats, CollectionRow } from "./repository.ts";
import { parseRule, type SmartRule } from "./rules.ts";

export const MAX_ALBUMS_PER_MEMBER = 1000;
export const MAX_SMART_ALBUMS_PER_MEMBER = 100;
export const MAX_TITLE_LENGTH = 255;
export const MAX_DESCRIPTION_LENGTH = 10_000;
export const MAX_COLLECTIONS_LISTED = 500;
const SMART_CONFLICT = wording("errors.album.smart");

type ViewerRef = Pick<Viewer, "id" | "showsRestricted"> | null;

export interface AlbumView {
  id: number;
  /** The id is for other domains (the Flickr API's owner NSID); the JSON API shows the username. */
  owner: { id: number; username: string };
  title: string;
  description: string;
  smart: boolean;
  /** Only for its owner: the rule may name a place. */
  rule: SmartRule | null;
  /** Photos the viewer may see. */
  photoCount: number;
  /** The chosen cover when the viewer may see it, else the first photo they may see. */
  cover: PhotoView | null;
  createdAt: string;
  updatedAt: string;
  pageUrl: string;
  canEdit: boolean;
}

export interface AlbumPage {
  album: AlbumView;
  photos: PhotoView[];
  nextCursor: string | null;
}

export interface CollectionView {
  id: number;
  owner: { username: string };
  title: string;
  description: string;
  albums: AlbumView[];
  createdAt: string;
  updatedAt: string;
  pageUrl: string;
  canEdit: boolean;
}

export interface AlbumServiceDeps {
  albums: AlbumsRepository;
  clock: Clock;
  baseUrl: string;
}

function cleanText(value: string, max: number): string {
  return [...value.normalize("NFC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim()].slice(0, max).join("");
}

function title(value: string): string {
  const clean = cleanText(value, MAX_TITLE_LENGTH);
  if (clean === "") throw new InvalidError(wording("errors.album.titleNeeded"), { field: "title" });
  return clean;
}

function ids(values: Array<string | number>, field: string, max = 500): number[] {
  if (values.length > max) throw new InvalidError(wording("errors.field.tooManyIds", { field, max }), { field });
  const out = values.map((v) => (typeof v === "number" ? v : /^[1-9][0-9]{0,17}$/.test(v) ? Number(v) : NaN));
  if (out.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new InvalidError(wording("errors.field.ids", { field }), { field });
  return out;
}

export function encodeCursor(cursor: AlbumCursor): string {
  const parts = cursor.kind === "manual" ? ["m", cursor.position, cursor.photoId] : ["s", cursor.takenAt, cursor.photoId];
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

export function decodeCursor(value: string, smart: boolean): AlbumCursor {
  const bad = () => new InvalidError(wording("errors.cursor"), { field: "cursor" });
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !Number.isSafeInteger(parts[2])) throw bad();
  const [kind, key, photoId] = parts as [unknown, unknown, number];
  if (!smart && kind === "m" && Number.isSafeInteger(key)) return { kind: "manual", position: key as number, photoId };
  if (smart && kind === "s" && (key === null || (typeof key === "string" && key.length <= 40))) return { kind: "smart", takenAt: key as string | null, photoId };
  throw bad();
}

/** Albums (hand-made and smart) and collections: who may see what of them, and their owners' changes. */
export class AlbumService {
  constructor(private readonly deps: AlbumServiceDeps) {}

  private present(album: AlbumRow, stats: AlbumStats, viewer: ViewerRef): AlbumView {
    const isOwner = viewer?.id === album.ownerId;
    return {
      id: album.id,
      owner: { id: album.ownerId, username: album.ownerUsername },
      title: album.title,
      description: album.description,
      smart: album.rule !== null,
      rule: isOwner ? album.rule : null,
      photoCount: stats.count,
      cover: stats.cover ? presentPhoto(stats.cover, viewer?.id ?? null, this.deps.baseUrl) : null,
      createdAt: new Date(album.createdAt).toISOString(),
      updatedAt: new Date(album.updatedAt).toISOString(),
      pageUrl: `${this.deps.baseUrl}/photos/${album.ownerUsername}/albums/${album.id}`,
      canEdit: isOwner,
    };
  }

  /**
   * The album as this viewer may see it. Its owner always may; anyone else only while it holds
   * a photo they may see, so an album of private photos does not reveal even its title.
   */
  private async visible(id: number, viewer: ViewerRef): Promise<{ album: AlbumRow; view: AlbumView }> {
    const album = await this.deps.albums.findById(id);
    if (!album) throw new NotFoundError(wording("errors.album.notFound"));
    const stats = (await this.deps.albums.stats([album], audienceOf(viewer))).get(album.id)!;
    if (viewer?.id !== album.ownerId && stats.count === 0) throw new NotFoundError(wording("errors.album.notFound"));
    return { album, view: this.present(album, stats, viewer) };
  }

  private async owned(id: number, viewer: Viewer): Promise<AlbumRow> {
    const album = await this.deps.albums.findById(id);
    if (!album) throw new NotFoundError(wording("errors.album.notFound"));
    if (album.ownerId !== viewer.id) {
      const stats = (await this.deps.albums.stats([album], audienceOf(viewer))).get(album.id)!;
      if (stats.count === 0) throw new NotFoundError(wording("errors.album.notFound"));
      throw new ForbiddenError(wording("errors.album.ownerOnly"));
    }
    return album;
  }

  async create(viewer: Viewer, input: { title: string; description?: string; rule?: SmartRule }): Promise<AlbumView> {
    const rule = input.rule === undefined ? null : parseRule(input.rule);
    const clean = { title: title(input.title), description: cleanText(input.description ?? "", MAX_DESCRIPTION_LENGTH) };
    const counts = await this.deps.albums.countOwned(viewer.id);
    if (counts.all >= MAX_ALBUMS_PER_MEMBER) throw new ConflictError(wording("errors.album.tooMany", { max: MAX_ALBUMS_PER_MEMBER }));
    if (rule && counts.smart >= MAX_SMART_ALBUMS_PER_MEMBER) throw new ConflictError(wording("errors.album.tooManySmart", { max: MAX_SMART_ALBUMS_PER_MEMBER }));
    const id = await this.deps.albums.create({ ownerId: viewer.id, ...clean, rule }, this.deps.clock.now());
    return (await this.visible(id, viewer)).view;
  }

  async get(id: number, viewer: ViewerRef): Promise<AlbumView> {
    return (await this.visible(id, viewer)).view;
  }

  /** The album with a page of its photos the viewer may see, in the album's order. */
  async page(id: number, viewer: ViewerRef, cursor: string | undefined, limit: number, username?: string): Promise<AlbumPage> {
    const { album, view } = await this.visible(id, viewer);
    if (username !== undefined && album.ownerUsername.toLowerCase() !== username.toLowerCase()) throw new NotFoundError(wording("errors.album.notFound"));
    const after = cursor === undefined ? null : decodeCursor(cursor, album.rule !== null);
    const rows = await this.deps.albums.photos(album, audienceOf(viewer), after, limit + 1);
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return {
      album: view,
      photos: shown.map((r) => presentPhoto(r.photo, viewer?.id ?? null, this.deps.baseUrl)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.cursor) : null,
    };
  }

  /** The album with the photos at `offset` in its order that the viewer may see (Flickr's numbered pages). */
  async pageAt(id: number, viewer: ViewerRef, offset: number, limit: number): Promise<{ album: AlbumView; photos: PhotoView[] }> {
    const { album, view } = await this.visible(id, viewer);
    const rows = limit > 0 ? await this.deps.albums.photos(album, audienceOf(viewer), null, limit, offset) : [];
    return { album: view, photos: rows.map((r) => presentPhoto(r.photo, viewer?.id ?? null, this.deps.baseUrl)) };
  }

  /**
   * A hand-made album made with its first photos at once, or nothing at all: Flickr's
   * photosets.create names a primary photo, which must be one of the member's own.
   */
  async createWithPhotos(viewer: Viewer, input: { title: string; description?: string; photoIds: Array<string | number>; coverPhotoId?: number }, isVisible: (photoId: number) => Promise<boolean>): Promise<AlbumView> {
    const clean = { title: title(input.title), description: cleanText(input.description ?? "", MAX_DESCRIPTION_LENGTH) };
    const photoIds = await this.ownPhotos(viewer, input.photoIds, isVisible);
    const cover = input.coverPhotoId ?? null;
    if (cover !== null && !photoIds.includes(cover)) throw new InvalidError(wording("errors.album.coverNotIn"), { field: "coverPhotoId" });
    const counts = await this.deps.albums.countOwned(viewer.id);
    if (counts.all >= MAX_ALBUMS_PER_MEMBER) throw new ConflictError(wording("errors.album.tooMany", { max: MAX_ALBUMS_PER_MEMBER }));
    const id = await this.deps.albums.createWithPhotos({ ownerId: viewer.id, ...clean, photoIds, coverPhotoId: cover }, this.deps.clock.now());
    return (await this.visible(id, viewer)).view;
  }

  /**
   * An album described by an import, made the first time and afterwards given the photos it does
   * not hold yet (an import is resumed, run again, or brings more of the same export in a later
   * zip). Only the member's own photos go in; an album the member deleted since is made again.
   * The title, description and an order the member chose here are kept; the cover is set only
   * while the album has none.
   */
  async syncImported(member: Viewer, album: { source: string; sourceId: string; title: string; description: string; photoIds: number[]; coverPhotoId: number | null }): Promise<void> {
    const owned = album.photoIds.length === 0 ? new Set<number>() : await this.deps.albums.ownedPhotoIds(member.id, [...new Set(album.photoIds)]);
    const photoIds = [...new Set(album.photoIds.filter((id) => owned.has(id)))];
    const cover = album.coverPhotoId !== null && owned.has(album.coverPhotoId) ? album.coverPhotoId : null;
    const now = this.deps.clock.now();
    const existing = await this.deps.albums.findImported(member.id, album.source, album.sourceId);
    if (!existing) {
      const counts = await this.deps.albums.countOwned(member.id);
      if (counts.all >= MAX_ALBUMS_PER_MEMBER) throw new ConflictError(wording("errors.album.tooManyImported", { max: MAX_ALBUMS_PER_MEMBER, title: album.title }));
      const titleText = cleanText(album.title, MAX_TITLE_LENGTH) || "Untitled album";
      await this.deps.albums.createWithPhotos({ ownerId: member.id, title: titleText, description: cleanText(album.description, MAX_DESCRIPTION_LENGTH), photoIds, coverPhotoId: cover, origin: { source: album.source, sourceId: album.sourceId } }, now);
      return;
    }
    if (existing.rule !== null) return;
    const current = await this.deps.albums.photoIdsInOrder(existing.id);
    const held = new Set(current);
    const fresh = photoIds.filter((id) => !held.has(id));
    if (fresh.length > 0) {
      await this.deps.albums.addPhotos(existing.id, fresh, now);
      // Photos of one album may come in several zips: they take their place in the source's
      // order, unless the member has since put the album in an order of their own.
      const place = new Map(photoIds.map((id, i) => [id, i]));
      const inSourceOrder = current.every((id, i) => place.has(id) && (i === 0 || place.get(current[i - 1]!)! < place.get(id)!));
      if (inSourceOrder) await this.deps.albums.setOrder(existing.id, [...current, ...fresh].sort((a, b) => place.get(a)! - place.get(b)!), now);
    }
    if (existing.coverPhotoId === null && cover !== null) await this.deps.albums.update(existing.id, { coverPhotoId: cover }, now);
  }

  /** Every album of a member with all its photos in order, as its owner sees them: what an export writes. */
  async allOfMember(memberId: number): Promise<Array<{ album: AlbumView; photoIds: number[]; coverPhotoId: number | null }>> {
    const owner = { id: memberId, showsRestricted: true };
    const albums = await this.deps.albums.listByOwner(memberId, MAX_ALBUMS_PER_MEMBER);
    const stats = await this.deps.albums.stats(albums, audienceOf(owner));
    const out: Array<{ album: AlbumView; photoIds: number[]; coverPhotoId: number | null }> = [];
    for (const album of albums.slice().reverse()) {
      const photoIds: number[] = [];
      let after: AlbumCursor | null = null;
      for (;;) {
        const rows = await this.deps.albums.photos(album, audienceOf(owner), after, 1000);
        for (const row of rows) photoIds.push(row.photo.id);
        if (rows.length < 1000) break;
        after = rows[rows.length - 1]!.cursor;
      }
      out.push({ album: this.present(album, stats.get(album.id)!, owner), photoIds, coverPhotoId: album.coverPhotoId });
    }
    return out;
  }

  async update(id: number, viewer: Viewer, input: { title?: string; description?: string; coverPhotoId?: string | null; rule?: SmartRule }): Promise<AlbumView> {
    const album = await this.owned(id, viewer);
    const changes: { title?: string; description?: string; coverPhotoId?: number | null; rule?: SmartRule } = {};
    if (input.title !== undefined) changes.title = title(input.title);
    if (input.description !== undefined) changes.description = cleanText(input.description, MAX_DESCRIPTION_LENGTH);
    if (input.rule !== undefined) {
      if (!album.rule) throw new ConflictError(wording("errors.album.notSmart"));
      changes.rule = parseRule(input.rule);
    }
    if (input.coverPhotoId !== undefined) {
      if (input.coverPhotoId === null || input.coverPhotoId === "") changes.coverPhotoId = null;
      else {
        const [photoId] = ids([input.coverPhotoId], "coverPhotoId");
        const withRule = changes.rule ? { ...album, rule: changes.rule } : album;
        if (!(await this.deps.albums.holds(withRule, photoId!))) throw new InvalidError(wording("errors.album.coverNotIn"), { field: "coverPhotoId" });
        changes.coverPhotoId = photoId!;
      }
    }
    await this.deps.albums.update(id, changes, this.deps.clock.now());
    return this.get(id, viewer);
  }

  async delete(id: number, viewer: Viewer): Promise<void> {
    await this.owned(id, viewer);
    await this.deps.albums.delete(id);
  }

  /**
   * Checks every id is one of the owner's photos before anything changes: one that is not is a
   * 404 when the viewer may not see it, a 403 when it is someone else's they may see.
   */
  private async ownPhotos(viewer: Viewer, photoIds: Array<string | number>, isVisible: (photoId: number) => Promise<boolean>): Promise<number[]> {
    const wanted = [...new Set(ids(photoIds, "photoIds"))];
    if (wanted.length === 0) throw new InvalidError(wording("errors.album.choosePhotos"), { field: "photoIds" });
    const owned = await this.deps.albums.ownedPhotoIds(viewer.id, wanted);
    for (const photoId of wanted) {
      if (owned.has(photoId)) continue;
      if (await isVisible(photoId)) throw new ForbiddenError(wording("errors.album.photoNotYours", { id: String(photoId) }));
      throw new NotFoundError(wording("errors.album.photoNotFound", { id: String(photoId) }));
    }
    return wanted;
  }

  async addPhotos(id: number, viewer: Viewer, photoIds: Array<string | number>, isVisible: (photoId: number) => Promise<boolean>): Promise<{ added: number }> {
    const album = await this.owned(id, viewer);
    if (album.rule) throw new ConflictError(SMART_CONFLICT);
    const wanted = await this.ownPhotos(viewer, photoIds, isVisible);
    return { added: await this.deps.albums.addPhotos(id, wanted, this.deps.clock.now()) };
  }

  async removePhotos(id: number, viewer: Viewer, photoIds: Array<string | number>, isVisible: (photoId: number) => Promise<boolean>): Promise<void> {
    const album = await this.owned(id, viewer);
    if (album.rule) throw new ConflictError(SMART_CONFLICT);
    const wanted = await this.ownPhotos(viewer, photoIds, isVisible);
    await this.deps.albums.removePhotos(id, wanted, this.deps.clock.now());
  }

  /** The album's new order: exactly its photos, each once. */
  async reorder(id: number, viewer: Viewer, photoIds: Array<string | number>): Promise<void> {
    const album = await this.owned(id, viewer);
    if (album.rule) throw new ConflictError(SMART_CONFLICT);
    const order = ids(photoIds, "photoIds", 100_000);
    const current = await this.deps.albums.photoIdsInOrder(id);
    const unique = new Set(order);
    const have = new Set(current);
    if (unique.size !== order.length || order.length !== current.length || order.some((p) => !have.has(p))) {
      throw new InvalidError(wording("errors.album.orderMismatch", { count: current.length }), { field: "photoIds" });
    }
    await this.deps.albums.setOrder(id, order, this.deps.clock.now());
  }

  /** Moves one photo a place earlier or later (the buttons without JavaScript). */
  async move(id: number, viewer: Viewer, photoId: number, direction: "earlier" | "later"): Promise<void> {
    const album = await this.owned(id, viewer);
    if (album.rule) throw new ConflictError(SMART_CONFLICT);
    const order = await this.deps.albums.photoIdsInOrder(id);
    const at = order.indexOf(photoId);
    if (at < 0) throw new NotFoundError(wording("errors.album.photoNotIn"));
    const to = direction === "earlier" ? at - 1 : at + 1;
    if (to < 0 || to >= order.length) return;
    [order[at], order[to]] = [order[to]!, order[at]!];
    await this.deps.albums.setOrder(id, order, this.deps.clock.now());
  }

  /** A member's albums this viewer may see (all of them for the owner), newest first. */
  async listForMember(username: string, viewer: ViewerRef): Promise<AlbumView[]> {
    const ownerId = await this.deps.albums.findMemberId(username);
    if (ownerId === undefined) throw new NotFoundError(wording("errors.memberNotFound"));
    return this.listOfOwner(ownerId, viewer);
  }

  async listOfOwner(ownerId: number, viewer: ViewerRef): Promise<AlbumView[]> {
    const albums = await this.deps.albums.listByOwner(ownerId, MAX_ALBUMS_PER_MEMBER);
    return this.presentVisible(albums, viewer);
  }

  private async presentVisible(albums: AlbumRow[], viewer: ViewerRef): Promise<AlbumView[]> {
    const stats = await this.deps.albums.stats(albums, audienceOf(viewer));
    return albums.filter((a) => viewer?.id === a.ownerId || stats.get(a.id)!.count > 0).map((a) => this.present(a, stats.get(a.id)!, viewer));
  }

  /**
   * The albums holding a photo that this viewer may see: the photo's JSON and page. The viewer
   * may see the photo (the caller checked), so every album holding it is visible to them.
   */
  /** The member's hand-made albums, by title: where photos can be added (the Organizr's choice). */
  async handMadeAlbums(ownerId: number): Promise<Array<{ id: number; title: string }>> {
    const albums = await this.deps.albums.listByOwner(ownerId, MAX_ALBUMS_PER_MEMBER);
    return albums.filter((a) => a.rule === null).map((a) => ({ id: a.id, title: a.title })).sort((a, b) => a.title.localeCompare(b.title));
  }

  /** Whose an album is and whether its rule fills it, for a batch edit of photos that adds them to it. */
  async ownership(id: number): Promise<{ ownerId: number; smart: boolean } | undefined> {
    const album = await this.deps.albums.findById(id);
    return album ? { ownerId: album.ownerId, smart: album.rule !== null } : undefined;
  }

  /**
   * `candidates`: what the photo page's probes found, hand-made albums holding the photo and
   * smart albums of its owner; what is known to be absent is not asked for.
   */
  async albumsHolding(photoId: number, viewer: ViewerRef, candidates = { manual: true, smart: true }): Promise<Array<{ id: number; title: string }>> {
    const audience: Audience = audienceOf(viewer);
    const [manual, owned] = await Promise.all([
      candidates.manual ? this.deps.albums.manualAlbumsHolding(photoId) : [],
      candidates.smart ? this.deps.albums.smartAlbumsOfPhotoOwner(photoId) : [],
    ]);
    const matching = await this.deps.albums.smartAlbumsMatching(photoId, owned, audience);
    const smart = owned.filter((a) => matching.has(a.id)).map((a) => ({ id: a.id, title: a.title }));
    return [...manual, ...smart].sort((a, b) => a.title.localeCompare(b.title) || a.id - b.id);
  }

  async albumsToAddTo(ownerId: number, photoId: number): Promise<Array<{ id: number; title: string }>> {
    return this.deps.albums.manualAlbumsWithout(ownerId, photoId);
  }

  // ---- collections ----

  private async ownAlbumIds(viewer: Viewer, albumIds: Array<string | number>): Promise<number[]> {
    const wanted = ids(albumIds, "albumIds");
    if (new Set(wanted).size !== wanted.length) throw new InvalidError(wording("errors.collection.albumTwice"), { field: "albumIds" });
    const owned = await this.deps.albums.ownedAlbumIds(viewer.id, wanted);
    const foreign = wanted.find((id) => !owned.has(id));
    if (foreign !== undefined) throw new InvalidError(wording("errors.collection.albumNotYours", { id: String(foreign) }), { field: "albumIds" });
    return wanted;
  }

  private async presentCollections(rows: CollectionRow[], viewer: ViewerRef): Promise<CollectionView[]> {
    const albumIds = await this.deps.albums.collectionAlbumIds(rows.map((c) => c.id));
    const allIds = [...new Set([...albumIds.values()].flat())];
    const albums = new Map((await this.presentVisible(await this.deps.albums.findByIds(allIds), viewer)).map((a) => [a.id, a]));
    return rows.map((c) => ({
      id: c.id,
      owner: { username: c.ownerUsername },
      title: c.title,
      description: c.description,
      albums: (albumIds.get(c.id) ?? []).flatMap((id) => albums.get(id) ?? []),
      createdAt: new Date(c.createdAt).toISOString(),
      updatedAt: new Date(c.updatedAt).toISOString(),
      pageUrl: `${this.deps.baseUrl}/photos/${c.ownerUsername}/collections/${c.id}`,
      canEdit: viewer?.id === c.ownerId,
    }));
  }

  /** A collection shows only the albums the viewer may see; one with none is not there for them. */
  async getCollection(id: number, viewer: ViewerRef, username?: string): Promise<CollectionView> {
    const row = await this.deps.albums.findCollection(id);
    const missing = () => new NotFoundError(wording("errors.collection.notFound"));
    if (!row || (username !== undefined && row.ownerUsername.toLowerCase() !== username.toLowerCase())) throw missing();
    const [view] = await this.presentCollections([row], viewer);
    if (!view || (!view.canEdit && view.albums.length === 0)) throw missing();
    return view;
  }

  async listCollections(username: string, viewer: ViewerRef): Promise<CollectionView[]> {
    const ownerId = await this.deps.albums.findMemberId(username);
    if (ownerId === undefined) throw new NotFoundError(wording("errors.memberNotFound"));
    const views = await this.presentCollections(await this.deps.albums.collectionsByOwner(ownerId, MAX_COLLECTIONS_LISTED), viewer);
    return views.filter((c) => c.canEdit || c.albums.length > 0);
  }

  async createCollection(viewer: Viewer, input: { title: string; description?: string; albumIds?: Array<string | number> }): Promise<CollectionView> {
    const clean = { title: title(input.title), description: cleanText(input.description ?? "", MAX_DESCRIPTION_LENGTH) };
    const albumIds = await this.ownAlbumIds(viewer, input.albumIds ?? []);
    const id = await this.deps.albums.createCollection({ ownerId: viewer.id, ...clean, albumIds }, this.deps.clock.now());
    return this.getCollection(id, viewer);
  }

  private async ownedCollection(id: number, viewer: Viewer): Promise<CollectionRow> {
    const row = await this.deps.albums.findCollection(id);
    if (!row) throw new NotFoundError(wording("errors.collection.notFound"));
    if (row.ownerId !== viewer.id) {
      await this.getCollection(id, viewer);
      throw new ForbiddenError(wording("errors.collection.ownerOnly"));
    }
    return row;
  }

  async updateCollection(id: number, viewer: Viewer, input: { title?: string; description?: string; albumIds?: Array<string | number> }): Promise<CollectionView> {
    await this.ownedCollection(id, viewer);
    const changes: { title?: string; description?: string; albumIds?: number[] } = {};
    if (input.title !== undefined) changes.title = title(input.title);
    if (input.description !== undefined) changes.description = cleanText(input.description, MAX_DESCRIPTION_LENGTH);
    if (input.albumIds !== undefined) changes.albumIds = await this.ownAlbumIds(viewer, input.albumIds);
    await this.deps.albums.updateCollection(id, changes, this.deps.clock.now());
    return this.getCollection(id, viewer);
  }

  async deleteCollection(id: number, viewer: Viewer): Promise<void> {
    await this.ownedCollection(id, viewer);
    await this.deps.albums.deleteCollection(id);
  }
}
