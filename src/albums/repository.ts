import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database, PhotoRow } from "../db/schema.ts";
import { locationVisibleTo, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";
import { EARTH_RADIUS_KM, readRule, type SmartRule } from "./rules.ts";

/**
 * Appends photos to a hand-made album inside a transaction the caller holds (the album's own
 * add, or a batch edit of photos); answers how many were not there yet.
 */
export async function addPhotosToAlbum(trx: Kysely<Database>, albumId: number, photoIds: number[], now: number): Promise<number> {
  // Takes the album row's lock, so two adds at once do not draw the same positions.
  await trx.updateTable("albums").set({ updated_at: now }).where("id", "=", albumId).execute();
  const present = new Set((await trx.selectFrom("album_photos").select("photo_id").where("album_id", "=", albumId).where("photo_id", "in", photoIds).execute()).map((r) => Number(r.photo_id)));
  const fresh = photoIds.filter((id) => !present.has(id));
  if (fresh.length === 0) return 0;
  const last = await trx.selectFrom("album_photos").select((eb) => eb.fn.max<number | null>("position").as("p")).where("album_id", "=", albumId).executeTakeFirst();
  const start = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
  await trx
    .insertInto("album_photos")
    .values(fresh.map((photoId, i) => ({ album_id: albumId, photo_id: photoId, position: start + i, added_at: now })))
    .execute();
  return fresh.length;
}

export interface AlbumRow {
  id: number;
  ownerId: number;
  ownerUsername: string;
  title: string;
  description: string;
  coverPhotoId: number | null;
  rule: SmartRule | null;
  createdAt: number;
  updatedAt: number;
}

export interface CollectionRow {
  id: number;
  ownerId: number;
  ownerUsername: string;
  title: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** Where a page of an album's photos starts: after this (position, photo) or (date taken, photo). */
export type AlbumCursor = { kind: "manual"; position: number; photoId: number } | { kind: "smart"; takenAt: string | null; photoId: number };

/** What a viewer sees of an album: how many of its photos, and which one stands for it. */
export interface AlbumStats {
  count: number;
  cover: PhotoRecord | null;
}

type Row = PhotoRow & { owner_username: string };
const DEG = Math.PI / 180;

function num(value: number): RawBuilder<number> {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return sql.lit(value);
}

/**
 * A smart album's rule as SQL over `photos`: its owner's photos that match every criterion.
 * `near` matches only photos whose location this audience may see (locationVisibleTo), so a
 * rule can never reveal a place the photo page would hide. The distance is the haversine
 * formula compared without asin: hav(d/R) ≤ sin²(r/2R), after a bounding-box prefilter.
 */
export function ruleMatches(rule: SmartRule, ownerId: number, audience: Audience): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`photos.owner_id = ${ownerId}`];
  if (rule.tags && rule.tags.length > 0) {
    if (rule.tagMode === "any") {
      parts.push(sql`exists (select 1 from photo_tags rt where rt.photo_id = photos.id and rt.tag in (${sql.join(rule.tags)}))`);
    } else {
      for (const tag of rule.tags) parts.push(sql`exists (select 1 from photo_tags rt where rt.photo_id = photos.id and rt.tag = ${tag})`);
    }
  }
  if (rule.takenFrom) parts.push(sql`photos.taken_at >= ${rule.takenFrom}`);
  if (rule.takenTo) parts.push(sql`substr(photos.taken_at, 1, ${sql.lit(rule.takenTo.length)}) <= ${rule.takenTo}`);
  if (rule.camera) parts.push(sql`photos.camera_model = ${rule.camera}`);
  if (rule.minFaves !== undefined) parts.push(sql`(select count(*) from faves rf where rf.photo_id = photos.id) >= ${num(rule.minFaves)}`);
  if (rule.near) {
    const { latitude, longitude, radiusKm } = rule.near;
    const dLat = radiusKm / (EARTH_RADIUS_KM * DEG);
    parts.push(sql`photos.latitude is not null and photos.longitude is not null`);
    parts.push(sql`photos.latitude between ${num(latitude - dLat)} and ${num(latitude + dLat)}`);
    // Longitude is boxed too where the box neither reaches a pole nor crosses the antimeridian.
    const cosLat = Math.cos((Math.min(89.9, Math.abs(latitude) + dLat)) * DEG);
    const dLon = dLat / cosLat;
    if (Math.abs(latitude) + dLat < 89.9 && longitude - dLon > -180 && longitude + dLon < 180) {
      parts.push(sql`photos.longitude between ${num(longitude - dLon)} and ${num(longitude + dLon)}`);
    }
    const halfLat = sql`sin((photos.latitude - ${num(latitude)}) * ${num(DEG / 2)})`;
    const halfLon = sql`sin((photos.longitude - ${num(longitude)}) * ${num(DEG / 2)})`;
    const threshold = Math.sin(Math.min(Math.PI / 2, radiusKm / (2 * EARTH_RADIUS_KM))) ** 2;
    parts.push(sql`(${halfLat} * ${halfLat} + ${num(Math.cos(latitude * DEG))} * cos(photos.latitude * ${num(DEG)}) * ${halfLon} * ${halfLon}) <= ${num(threshold)}`);
    parts.push(locationVisibleTo(audience, "photos"));
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** The order of a smart album: newest taken first, undated last, then newest upload. */
const SMART_ORDER = sql`case when photos.taken_at is null then 1 else 0 end, photos.taken_at desc, photos.id desc`;

function albumRow(r: { id: number; owner_id: number; owner_username: string; title: string; description: string; cover_photo_id: number | null; rule: string | null; created_at: number; updated_at: number }): AlbumRow {
  return {
    id: Number(r.id),
    ownerId: Number(r.owner_id),
    ownerUsername: r.owner_username,
    title: r.title,
    description: r.description,
    coverPhotoId: r.cover_photo_id === null ? null : Number(r.cover_photo_id),
    rule: r.rule === null ? null : readRule(r.rule),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** For the photo page: is the photo in any hand-made album? */
export const photoInAnyAlbum: PhotoProbe = sql<boolean>`exists (select 1 from album_photos where album_photos.photo_id = photos.id)`;

/** For the photo page: has the photo's owner any smart album (which the photo may match)? */
export const ownerHasSmartAlbums: PhotoProbe = sql<boolean>`exists (select 1 from albums where albums.owner_id = photos.owner_id and albums.rule is not null)`;

/** Every query about albums and collections. */
export class AlbumsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private selectAlbums() {
    return this.db
      .selectFrom("albums")
      .innerJoin("users", "users.id", "albums.owner_id")
      .select(["albums.id", "albums.owner_id", "users.username as owner_username", "albums.title", "albums.description", "albums.cover_photo_id", "albums.rule", "albums.created_at", "albums.updated_at"])
      .where("users.suspended_at", "is", null);
  }

  async findMemberId(username: string): Promise<number | undefined> {
    const row = await this.db.selectFrom("users").select("id").where("username_key", "=", username.toLowerCase()).where("suspended_at", "is", null).executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  async countOwned(ownerId: number): Promise<{ all: number; smart: number }> {
    const row = await this.db
      .selectFrom("albums")
      .select((eb) => [eb.fn.countAll<number>().as("all"), eb.fn.count<number>("rule").as("smart")])
      .where("owner_id", "=", ownerId)
      .executeTakeFirstOrThrow();
    return { all: Number(row.all), smart: Number(row.smart) };
  }

  async create(album: { ownerId: number; title: string; description: string; rule: SmartRule | null }, now: number): Promise<number> {
    const row = await this.db
      .insertInto("albums")
      .values({ owner_id: album.ownerId, title: album.title, description: album.description, rule: album.rule ? JSON.stringify(album.rule) : null, cover_photo_id: null, created_at: now, updated_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /**
   * A hand-made album with its first photos and cover in one transaction, so a failure leaves no
   * empty album behind (Flickr's photosets.create, which needs a primary photo; an import's album).
   * `origin` marks an imported album; a second one from the same origin is refused by the unique index.
   */
  async createWithPhotos(album: { ownerId: number; title: string; description: string; photoIds: number[]; coverPhotoId: number | null; origin?: { source: string; sourceId: string } }, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("albums")
        .values({
          owner_id: album.ownerId,
          title: album.title,
          description: album.description,
          rule: null,
          cover_photo_id: null,
          created_at: now,
          updated_at: now,
          import_source: album.origin?.source ?? null,
          import_source_id: album.origin?.sourceId ?? null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      if (album.photoIds.length > 0) await addPhotosToAlbum(trx, id, album.photoIds, now);
      if (album.coverPhotoId !== null) await trx.updateTable("albums").set({ cover_photo_id: album.coverPhotoId }).where("id", "=", id).execute();
      return id;
    });
  }

  /** The album an import made from this origin, if it still exists. */
  async findImported(ownerId: number, source: string, sourceId: string): Promise<AlbumRow | undefined> {
    const row = await this.selectAlbums().where("albums.owner_id", "=", ownerId).where("albums.import_source", "=", source).where("albums.import_source_id", "=", sourceId).executeTakeFirst();
    return row ? albumRow(row) : undefined;
  }

  async findById(id: number): Promise<AlbumRow | undefined> {
    const row = await this.selectAlbums().where("albums.id", "=", id).executeTakeFirst();
    return row ? albumRow(row) : undefined;
  }

  /** A member's albums, newest first. */
  async listByOwner(ownerId: number, limit: number): Promise<AlbumRow[]> {
    const rows = await this.selectAlbums().where("albums.owner_id", "=", ownerId).orderBy("albums.id", "desc").limit(limit).execute();
    return rows.map(albumRow);
  }

  async findByIds(ids: number[]): Promise<AlbumRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.selectAlbums().where("albums.id", "in", ids).execute();
    return rows.map(albumRow);
  }

  async update(id: number, changes: { title?: string; description?: string; coverPhotoId?: number | null; rule?: SmartRule }, now: number): Promise<void> {
    const set: Record<string, unknown> = { updated_at: now };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.coverPhotoId !== undefined) set.cover_photo_id = changes.coverPhotoId;
    if (changes.rule !== undefined) set.rule = JSON.stringify(changes.rule);
    await this.db.updateTable("albums").set(set).where("id", "=", id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("albums").where("id", "=", id).execute();
  }

  /** Of these photo ids, the ones this member owns. */
  async ownedPhotoIds(ownerId: number, photoIds: number[]): Promise<Set<number>> {
    if (photoIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("photos").select("id").where("owner_id", "=", ownerId).where("id", "in", photoIds).execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** Appends the photos not yet in the album, in the order given, in one transaction. */
  async addPhotos(albumId: number, photoIds: number[], now: number): Promise<number> {
    return this.db.transaction().execute((trx) => addPhotosToAlbum(trx, albumId, photoIds, now));
  }

  /** Removes the photos from the album (and as its cover), in one transaction. */
  async removePhotos(albumId: number, photoIds: number[], now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("album_photos").where("album_id", "=", albumId).where("photo_id", "in", photoIds).execute();
      await trx.updateTable("albums").set({ cover_photo_id: null }).where("id", "=", albumId).where("cover_photo_id", "in", photoIds).execute();
      await trx.updateTable("albums").set({ updated_at: now }).where("id", "=", albumId).execute();
    });
  }

  /** Every photo id of a hand-made album, in its order (the owner's view: all of them). */
  async photoIdsInOrder(albumId: number): Promise<number[]> {
    const rows = await this.db.selectFrom("album_photos").select("photo_id").where("album_id", "=", albumId).orderBy("position").orderBy("photo_id").execute();
    return rows.map((r) => Number(r.photo_id));
  }

  async setOrder(albumId: number, photoIds: number[], now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("albums").set({ updated_at: now }).where("id", "=", albumId).execute();
      for (const [position, photoId] of photoIds.entries()) {
        await trx.updateTable("album_photos").set({ position }).where("album_id", "=", albumId).where("photo_id", "=", photoId).execute();
      }
    });
  }

  /** Whether the photo belongs to the album as its owner sees it (hand-picked, or matching the rule). */
  async holds(album: AlbumRow, photoId: number): Promise<boolean> {
    if (album.rule) {
      const owner: Audience = { viewerId: album.ownerId, showsRestricted: true };
      const row = await this.db.selectFrom("photos").select("photos.id").where("photos.id", "=", photoId).where(ruleMatches(album.rule, album.ownerId, owner)).executeTakeFirst();
      return row !== undefined;
    }
    const row = await this.db.selectFrom("album_photos").select("photo_id").where("album_id", "=", album.id).where("photo_id", "=", photoId).executeTakeFirst();
    return row !== undefined;
  }

  /** The album's photos this audience may see, a page after `after`, in the album's order. */
  /** A page of the album's photos this audience may see, in its order: after a cursor, or from an offset (Flickr's page numbers). */
  async photos(album: AlbumRow, audience: Audience, after: AlbumCursor | null, limit: number, offset = 0): Promise<Array<{ photo: PhotoRecord; cursor: AlbumCursor }>> {
    if (album.rule) {
      let query = this.db
        .selectFrom("photos")
        .innerJoin("users", "users.id", "photos.owner_id")
        .selectAll("photos")
        .select("users.username as owner_username")
        .where("users.suspended_at", "is", null)
        .where(visibleTo(audience, "photos"))
        .where(ruleMatches(album.rule, album.ownerId, audience));
      if (after?.kind === "smart") {
        const { takenAt, photoId } = after;
        query = query.where(
          takenAt === null
            ? sql<SqlBool>`(photos.taken_at is null and photos.id < ${photoId})`
            : sql<SqlBool>`(photos.taken_at is null or photos.taken_at < ${takenAt} or (photos.taken_at = ${takenAt} and photos.id < ${photoId}))`,
        );
      }
      const rows = await query.orderBy(SMART_ORDER).limit(limit).offset(offset).execute();
      return rows.map((r) => ({ cursor: { kind: "smart", takenAt: r.taken_at, photoId: Number(r.id) }, photo: withTags(r as Row) }));
    }
    let query = this.db
      .selectFrom("album_photos")
      .innerJoin("photos", "photos.id", "album_photos.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .selectAll("photos")
      .select(["users.username as owner_username", "album_photos.position as album_position"])
      .where("album_photos.album_id", "=", album.id)
      .where("users.suspended_at", "is", null)
      .where(visibleTo(audience, "photos"));
    if (after?.kind === "manual") {
      const { position, photoId } = after;
      query = query.where((eb) => eb.or([eb("album_photos.position", ">", position), eb.and([eb("album_photos.position", "=", position), eb("album_photos.photo_id", ">", photoId)])]));
    }
    const rows = await query.orderBy("album_photos.position").orderBy("album_photos.photo_id").limit(limit).offset(offset).execute();
    return rows.map(({ album_position, ...r }) => ({ cursor: { kind: "manual", position: Number(album_position), photoId: Number(r.id) }, photo: withTags(r as Row) }));
  }

  /**
   * How many of each album's photos this audience may see, and its cover as they see it: the
   * chosen cover when they may see it, else the first photo they may see. Hand-made albums are
   * counted in two queries together; each smart album in two of its own.
   */
  async stats(albums: AlbumRow[], audience: Audience): Promise<Map<number, AlbumStats>> {
    const out = new Map<number, AlbumStats>();
    const coverIds = new Map<number, number>();
    const manual = albums.filter((a) => a.rule === null).map((a) => a.id);
    if (manual.length > 0) {
      const counts = await sql<{ album_id: number; n: number | string }>`
        select ap.album_id, count(*) as n from album_photos ap
          join photos on photos.id = ap.photo_id join users on users.id = photos.owner_id
        where ap.album_id in (${sql.join(manual)}) and users.suspended_at is null and ${visibleTo(audience, "photos")}
        group by ap.album_id`.execute(this.db);
      for (const r of counts.rows) out.set(Number(r.album_id), { count: Number(r.n), cover: null });
      const covers = await sql<{ album_id: number; photo_id: number }>`
        select album_id, photo_id from (
          select ap.album_id, ap.photo_id, row_number() over (partition by ap.album_id
            order by case when ap.photo_id = a.cover_photo_id then 0 else 1 end, ap.position, ap.photo_id) as rn
          from album_photos ap join albums a on a.id = ap.album_id
            join photos on photos.id = ap.photo_id join users on users.id = photos.owner_id
          where ap.album_id in (${sql.join(manual)}) and users.suspended_at is null and ${visibleTo(audience, "photos")}) ranked
        where rn = 1`.execute(this.db);
      for (const r of covers.rows) coverIds.set(Number(r.album_id), Number(r.photo_id));
    }
    for (const album of albums) {
      if (!album.rule) continue;
      const base = () =>
        this.db
          .selectFrom("photos")
          .innerJoin("users", "users.id", "photos.owner_id")
          .where("users.suspended_at", "is", null)
          .where(visibleTo(audience, "photos"))
          .where(ruleMatches(album.rule!, album.ownerId, audience));
      const count = await base().select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirst();
      out.set(album.id, { count: Number(count?.n ?? 0), cover: null });
      const first = await base()
        .select("photos.id")
        .orderBy(sql`case when photos.id = ${album.coverPhotoId ?? 0} then 0 else 1 end`)
        .orderBy(SMART_ORDER)
        .limit(1)
        .executeTakeFirst();
      if (first) coverIds.set(album.id, Number(first.id));
    }
    if (coverIds.size > 0) {
      const rows = await this.db
        .selectFrom("photos")
        .innerJoin("users", "users.id", "photos.owner_id")
        .selectAll("photos")
        .select("users.username as owner_username")
        .where("photos.id", "in", [...new Set(coverIds.values())])
        .execute();
      const byId = new Map(rows.map((r) => [Number(r.id), withTags(r as Row)]));
      for (const [albumId, photoId] of coverIds) {
        const stats = out.get(albumId);
        if (stats) stats.cover = byId.get(photoId) ?? null;
      }
    }
    for (const album of albums) if (!out.has(album.id)) out.set(album.id, { count: 0, cover: null });
    return out;
  }

  /** The hand-made albums holding the photo (its owner's), by title. */
  async manualAlbumsHolding(photoId: number): Promise<Array<{ id: number; title: string }>> {
    const rows = await this.db
      .selectFrom("album_photos")
      .innerJoin("albums", "albums.id", "album_photos.album_id")
      .select(["albums.id", "albums.title"])
      .where("album_photos.photo_id", "=", photoId)
      .orderBy("albums.title")
      .orderBy("albums.id")
      .limit(200)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), title: r.title }));
  }

  /** The smart albums of the photo's owner (those its rule could hold). */
  async smartAlbumsOfPhotoOwner(photoId: number): Promise<AlbumRow[]> {
    const rows = await this.selectAlbums()
      .where("albums.owner_id", "=", (eb) => eb.selectFrom("photos").select("photos.owner_id").where("photos.id", "=", photoId))
      .where("albums.rule", "is not", null)
      .limit(500)
      .execute();
    return rows.map(albumRow);
  }

  /** Of these smart albums (one owner's), those whose rule the photo matches for this audience, in one query. */
  async smartAlbumsMatching(photoId: number, albums: AlbumRow[], audience: Audience): Promise<Set<number>> {
    const smart = albums.filter((a) => a.rule !== null);
    if (smart.length === 0) return new Set();
    const arms = smart.map((a) => sql`select ${sql.lit(a.id)} as album_id from photos where photos.id = ${photoId} and ${ruleMatches(a.rule!, a.ownerId, audience)}`);
    const { rows } = await sql<{ album_id: number }>`${sql.join(arms, sql` union all `)}`.execute(this.db);
    return new Set(rows.map((r) => Number(r.album_id)));
  }

  /** The owner's hand-made albums not holding the photo yet (for "Add to album"). */
  async manualAlbumsWithout(ownerId: number, photoId: number): Promise<Array<{ id: number; title: string }>> {
    const rows = await this.db
      .selectFrom("albums")
      .select(["albums.id", "albums.title"])
      .where("albums.owner_id", "=", ownerId)
      .where("albums.rule", "is", null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("album_photos as ap").select("ap.photo_id").whereRef("ap.album_id", "=", "albums.id").where("ap.photo_id", "=", photoId))))
      .orderBy("albums.title")
      .limit(500)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), title: r.title }));
  }

  // ---- collections ----

  private selectCollections() {
    return this.db
      .selectFrom("collections")
      .innerJoin("users", "users.id", "collections.owner_id")
      .select(["collections.id", "collections.owner_id", "users.username as owner_username", "collections.title", "collections.description", "collections.created_at", "collections.updated_at"])
      .where("users.suspended_at", "is", null);
  }

  private static collection(r: { id: number; owner_id: number; owner_username: string; title: string; description: string; created_at: number; updated_at: number }): CollectionRow {
    return { id: Number(r.id), ownerId: Number(r.owner_id), ownerUsername: r.owner_username, title: r.title, description: r.description, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
  }

  /** Of these album ids, the ones this member owns. */
  async ownedAlbumIds(ownerId: number, albumIds: number[]): Promise<Set<number>> {
    if (albumIds.length === 0) return new Set();
    const rows = await this.db.selectFrom("albums").select("id").where("owner_id", "=", ownerId).where("id", "in", albumIds).execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  async createCollection(collection: { ownerId: number; title: string; description: string; albumIds: number[] }, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("collections")
        .values({ owner_id: collection.ownerId, title: collection.title, description: collection.description, created_at: now, updated_at: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      const id = Number(row.id);
      if (collection.albumIds.length > 0) await trx.insertInto("collection_albums").values(collection.albumIds.map((albumId, position) => ({ collection_id: id, album_id: albumId, position }))).execute();
      return id;
    });
  }

  async findCollection(id: number): Promise<CollectionRow | undefined> {
    const row = await this.selectCollections().where("collections.id", "=", id).executeTakeFirst();
    return row ? AlbumsRepository.collection(row) : undefined;
  }

  async collectionsByOwner(ownerId: number, limit: number): Promise<CollectionRow[]> {
    const rows = await this.selectCollections().where("collections.owner_id", "=", ownerId).orderBy("collections.id", "desc").limit(limit).execute();
    return rows.map(AlbumsRepository.collection);
  }

  /** The album ids of each collection, in order, in one query. */
  async collectionAlbumIds(collectionIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(collectionIds.map((id) => [id, []]));
    if (collectionIds.length === 0) return out;
    const rows = await this.db.selectFrom("collection_albums").select(["collection_id", "album_id"]).where("collection_id", "in", collectionIds).orderBy("collection_id").orderBy("position").execute();
    for (const r of rows) out.get(Number(r.collection_id))?.push(Number(r.album_id));
    return out;
  }

  async updateCollection(id: number, changes: { title?: string; description?: string; albumIds?: number[] }, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const set: Record<string, unknown> = { updated_at: now };
      if (changes.title !== undefined) set.title = changes.title;
      if (changes.description !== undefined) set.description = changes.description;
      await trx.updateTable("collections").set(set).where("id", "=", id).execute();
      if (changes.albumIds !== undefined) {
        await trx.deleteFrom("collection_albums").where("collection_id", "=", id).execute();
        if (changes.albumIds.length > 0) await trx.insertInto("collection_albums").values(changes.albumIds.map((albumId, position) => ({ collection_id: id, album_id: albumId, position }))).execute();
      }
    });
  }

  async deleteCollection(id: number): Promise<void> {
    await this.db.deleteFrom("collections").where("id", "=", id).execute();
  }
}
