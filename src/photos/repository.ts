import { CompiledQuery, sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database, NewPhotoRow, PhotoRow, PhotoUpdate } from "../db/schema.ts";
import { unplanned } from "../db/database.ts";
import { syncMapPoints } from "../maps/repository.ts";
import type { Tag } from "./tags.ts";
import { addPhotosToAlbum } from "../albums/repository.ts";
import type { Audience, Standing } from "./visibility.ts";
import { writeSearchRow } from "../search/repository.ts";

/** The owner's counters had no room left for the photo when its insert ran; nothing was written. */
export class QuotaReachedAtInsert extends Error {
  constructor() {
    super("the member's quota was reached when the photo was inserted");
    this.name = "QuotaReachedAtInsert";
  }
}

export interface PhotoRecord extends Omit<PhotoRow, "tags"> {
  owner_username: string;
  tags: Tag[];
}

/** The photo page's row as read: tags still JSON (a page kept for visitors never needs them parsed), and its neighbours. */
export type PhotoPageRow = PhotoRow & { owner_username: string; newer: number | null; older: number | null };

/**
 * A row as read, with its tags parsed. The row is changed in place: rows are fresh objects from
 * the driver, owned by the caller, and copying one (40 columns, in the slow dictionary shape
 * drivers build) cost more than presenting the photo — 7 µs a row, a fifth of a 30-photo grid.
 */
export function withTags<Row extends { tags: string }>(row: Row): Omit<Row, "tags"> & { tags: Tag[] } {
  const parsed = row as unknown as Omit<Row, "tags"> & { tags: Tag[] };
  parsed.tags = JSON.parse(row.tags) as Tag[];
  return parsed;
}

function tagRows(photoId: number, tags: Tag[]) {
  return tags.map((t, position) => ({ photo_id: photoId, tag: t.tag, raw: t.raw, position }));
}

/** What a batch edit needs to know of each photo before it changes anything. */
export interface BatchTarget {
  id: number;
  owner_id: number;
  secret: string;
  original_key: string;
  visibility: string;
  restricted: number;
  tags: Tag[];
}

/**
 * One batch edit of a member's photos, applied in one transaction or not at all. `retag` runs
 * inside it on each photo's tags as they are then, so a tag edit made meanwhile is not lost.
 */
export interface BatchChange {
  ownerId: number;
  ids: number[];
  changes: Omit<PhotoUpdate, "tags" | "secret">;
  /** Photos moving to a new secret: the old one must still be theirs, or the batch lost a race. */
  rotations: Map<number, { from: string; to: string }>;
  retag?: (id: number, current: Tag[]) => Tag[];
  /** A hand-made album of the owner's that the photos join, in the same transaction. */
  albumId?: number;
  delete: boolean;
}

export type BatchOutcome = "applied" | "missing" | "raced";

class BatchAbort extends Error {
  constructor(readonly outcome: BatchOutcome) {
    super(outcome);
  }
}

/** Whose photos a list may include: public ones, plus everything of the viewer's own. */
export interface ListScope {
  audience: Audience;
  ownerId?: number;
  tag?: string;
  /** Taken in this year, month or day: "2024", "2024-05" or "2024-05-17" (the photo's own clock). */
  takenIn?: string;
  /** Only photos with no date taken. */
  undated?: boolean;
  /** Taken with this camera model, as recorded in the file. */
  cameraModel?: string;
  /** Photo ids below this one (ids grow with upload time, so this pages newest-first). */
  before?: number;
  limit: number;
}

/**
 * A search over photos (the Flickr API's flickr.photos.search and people.getPhotos): always
 * within what the audience may see; a bounding box only finds photos whose location the
 * audience may see in a list (everyone's, or the viewer's own photos).
 */
export interface SearchScope {
  audience: Audience;
  ownerId?: number;
  /** Tags as in URLs; `tagMode` "all" needs every one, "any" one of them. */
  tags?: string[];
  tagMode?: "any" | "all";
  /** Upload time, milliseconds since the epoch, inclusive. */
  minUploaded?: number;
  maxUploaded?: number;
  /** Date taken on the camera's own clock, "YYYY-MM-DDTHH:MM:SS", inclusive. */
  minTaken?: string;
  maxTaken?: string;
  bbox?: { minLongitude: number; minLatitude: number; maxLongitude: number; maxLatitude: number };
  /** Only photos under one of these licence ids. */
  licenses?: string[];
  /** Only photos with a location the audience may see in a list. */
  hasGeo?: boolean;
  /** Only these photos (from a full-text search, for example). */
  ids?: number[];
  sort: "date-posted-desc" | "date-posted-asc" | "date-taken-desc" | "date-taken-asc";
  offset: number;
  limit: number;
}

type PhotoQuery = SelectQueryBuilder<Database, "photos" | "users", PhotoRow & { owner_username: string }>;

/**
 * Who may see a photo, as SQL over the photos table (or an alias of it), for every listing of
 * any domain: the same rule as `canSeePhoto` in visibility.ts. Callers also keep suspended
 * members' photos out (`selectPhotos` joins users for that; `ownerActive` does it alone).
 */
export function visibleTo(audience: Audience, alias = "photos"): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (audience.viewerId === null) {
    return sql<SqlBool>`(${col("visibility")} = 'public' and ${col("restricted")} = 0 and ${col("hidden_at")} is null)`;
  }
  // Unplanned: listings with this rule were compiled again on every run once photos had sqlite_stat4 samples.
  const viewer = unplanned(audience.viewerId);
  const restrictedOk = audience.showsRestricted ? sql`` : sql`and ${col("restricted")} = 0`;
  return sql<SqlBool>`(${col("owner_id")} = ${viewer} or (${col("hidden_at")} is null ${restrictedOk} and (
    ${col("visibility")} = 'public'
    or (${col("visibility")} <> 'private'
      and exists (select 1 from contacts vc where vc.owner_id = ${col("owner_id")} and vc.contact_id = ${viewer}
        and ((vc.is_friend = 1 and ${col("visibility")} in ('friends', 'friends_and_family'))
          or (vc.is_family = 1 and ${col("visibility")} in ('family', 'friends_and_family'))))
      and not exists (select 1 from blocks vb where vb.blocker_id = ${col("owner_id")} and vb.blocked_id = ${viewer})))))`;
}

/**
 * Who may see where a photo was taken, as SQL over the photos table (or an alias): the same rule
 * as `canSeeLocation` in visibility.ts — the owner always; everyone when it is for everyone; a
 * member the owner blocked never otherwise; contacts, or friends and family, by the owner's
 * contacts; an unknown level only the owner. Callers also check the photo itself is visible.
 */
export function locationVisibleTo(audience: Audience, alias = "photos"): RawBuilder<SqlBool> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (audience.viewerId === null) return sql<SqlBool>`(${col("location_visibility")} = 'everyone')`;
  const viewer = audience.viewerId;
  return sql<SqlBool>`(${col("owner_id")} = ${viewer} or ${col("location_visibility")} = 'everyone' or (
    not exists (select 1 from blocks lb where lb.blocker_id = ${col("owner_id")} and lb.blocked_id = ${viewer})
    and ((${col("location_visibility")} = 'contacts' and exists (select 1 from contacts lc where lc.owner_id = ${col("owner_id")} and lc.contact_id = ${viewer}))
      or (${col("location_visibility")} = 'friends_and_family' and exists (select 1 from contacts lc where lc.owner_id = ${col("owner_id")} and lc.contact_id = ${viewer} and (lc.is_friend = 1 or lc.is_family = 1))))))`;
}

/** The photo's owner is not suspended; for queries that do not join users. */
export function ownerActive(alias = "photos"): RawBuilder<SqlBool> {
  return sql<SqlBool>`exists (select 1 from users ou where ou.id = ${sql.ref(`${alias}.owner_id`)} and ou.suspended_at is null)`;
}

/**
 * The first `length` characters of the date taken: its year (4), month (7) or day (10). The
 * length is a literal, never a parameter: PostgreSQL must see the grouped expression and the
 * selected one as the same.
 */
function takenPrefix(length: 4 | 7 | 10 | number): RawBuilder<string> {
  if (![4, 7, 10].includes(length)) throw new Error(`no date prefix of length ${length}`);
  return sql<string>`substr(photos.taken_at, 1, ${sql.lit(length)})`;
}

/** The columns that decide whether and where a photo is on the map (maps/repository.ts keeps map_points in step). */
const MAP_COLUMNS: ReadonlyArray<Exclude<keyof PhotoUpdate, "tags">> = ["latitude", "longitude", "visibility", "restricted", "hidden_at", "location_visibility", "owner_id"];

/**
 * The photo page's one query: the photo, the ids either side of it in its owner's photostream
 * as this audience sees them, and the probes' answers. Written as one SQL text rather than with
 * the query builder: this is the hottest query of the site, and building it node by node cost
 * more CPU than running it.
 */
function pageQuery(id: number, audience: Audience, probes: readonly PhotoProbe[]): RawBuilder<unknown> {
  const visible = visibleTo(audience, "p");
  const asked = probes.map((probe, i) => sql`, (${probe}) as ${sql.id(`probe_${i}`)}`);
  return sql`
      select photos.*, users.username as owner_username,
        (select p.id from photos p where p.owner_id = photos.owner_id and p.id > photos.id and ${visible} order by p.id asc limit 1) as newer,
        (select p.id from photos p where p.owner_id = photos.owner_id and p.id < photos.id and ${visible} order by p.id desc limit 1) as older
        ${sql.join(asked, sql``)}
      from photos inner join users on users.id = photos.owner_id
      where photos.id = ${id} and users.suspended_at is null`;
}

/** Every query about photos and their tags. */
export class PhotosRepository {
  /** The photo page's query for visitors, compiled once for the page's probes (`findWithNeighbours`). */
  private visitorsPageQuery: { probes: readonly PhotoProbe[]; asked: number; text: string } | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  private selectPhotos(): PhotoQuery {
    // A suspended member's photos are hidden from everyone until the suspension is lifted.
    return this.db
      .selectFrom("photos")
      .innerJoin("users", "users.id", "photos.owner_id")
      .selectAll("photos")
      .select("users.username as owner_username")
      .where("users.suspended_at", "is", null);
  }

  /**
   * Inserts a photo with its tags, search rows and map point, counting it in its owner's photo
   * count and stored bytes. With `limits`, only while the counts stay within them: the counter
   * update is the check, so two servers' inserts at a member's limit cannot both pass (the row
   * is locked, or the database written by one at a time); over them, nothing is written and
   * `QuotaReachedAtInsert` is thrown.
   */
  async insert(photo: Omit<NewPhotoRow, "tags">, tags: Tag[], limits: { photos: number | null; bytes: number | null } | null = null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("photos").values({ ...photo, tags: JSON.stringify(tags) }).execute();
      if (tags.length > 0) await trx.insertInto("photo_tags").values(tagRows(photo.id, tags)).execute();
      await writeSearchRow(trx, { id: photo.id, title: photo.title, description: photo.description, tags, ownerId: photo.owner_id });
      let counting = trx
        .updateTable("users")
        .set((eb) => ({ photo_count: eb("photo_count", "+", 1), bytes_stored: eb("bytes_stored", "+", photo.original_bytes) }))
        .where("id", "=", photo.owner_id);
      if (limits?.photos != null) counting = counting.where("photo_count", "<", limits.photos);
      if (limits?.bytes != null) counting = counting.where((eb) => eb(eb("bytes_stored", "+", photo.original_bytes), "<=", limits.bytes!));
      const counted = await counting.executeTakeFirst();
      if (Number(counted.numUpdatedRows) === 0) throw new QuotaReachedAtInsert();
      if (photo.latitude != null) await syncMapPoints(trx, { photoId: photo.id });
    });
  }

  async findById(id: number): Promise<PhotoRecord | undefined> {
    const row = await this.selectPhotos().where("photos.id", "=", id).executeTakeFirst();
    return row ? withTags(row) : undefined;
  }

  async findIdByOwnerAndHash(ownerId: number, sha256: string): Promise<number | undefined> {
    const row = await this.db.selectFrom("photos").select("id").where("owner_id", "=", ownerId).where("sha256", "=", sha256).executeTakeFirst();
    return row?.id;
  }

  async list(scope: ListScope): Promise<PhotoRecord[]> {
    let query = this.selectPhotos();
    query = query.where(visibleTo(scope.audience));
    if (scope.ownerId !== undefined) query = query.where("photos.owner_id", "=", scope.ownerId);
    if (scope.tag !== undefined) {
      const tag = scope.tag;
      query = query.where("photos.id", "in", (eb) => eb.selectFrom("photo_tags").select("photo_tags.photo_id").where("photo_tags.tag", "=", tag));
    }
    if (scope.takenIn !== undefined) query = query.where(takenPrefix(scope.takenIn.length), "=", scope.takenIn);
    if (scope.undated) query = query.where("photos.taken_at", "is", null);
    if (scope.cameraModel !== undefined) query = query.where("photos.camera_model", "=", scope.cameraModel);
    if (scope.before !== undefined) query = query.where("photos.id", "<", scope.before);
    const rows = await query.orderBy("photos.id", "desc").limit(scope.limit).execute();
    return rows.map(withTags);
  }

  /** One page of a search and how many photos match it in all. */
  async search(scope: SearchScope): Promise<{ records: PhotoRecord[]; total: number }> {
    let query = this.selectPhotos().where(visibleTo(scope.audience));
    if (scope.ownerId !== undefined) query = query.where("photos.owner_id", "=", scope.ownerId);
    if (scope.ids !== undefined) query = query.where("photos.id", "in", scope.ids.length > 0 ? scope.ids : [0]);
    const tags = scope.tags ?? [];
    if (tags.length > 0 && scope.tagMode === "all") {
      for (const tag of tags) query = query.where("photos.id", "in", (eb) => eb.selectFrom("photo_tags").select("photo_tags.photo_id").where("photo_tags.tag", "=", tag));
    } else if (tags.length > 0) {
      query = query.where("photos.id", "in", (eb) => eb.selectFrom("photo_tags").select("photo_tags.photo_id").where("photo_tags.tag", "in", tags));
    }
    if (scope.minUploaded !== undefined) query = query.where("photos.uploaded_at", ">=", scope.minUploaded);
    if (scope.maxUploaded !== undefined) query = query.where("photos.uploaded_at", "<=", scope.maxUploaded);
    if (scope.minTaken !== undefined) query = query.where(sql<string>`substr(photos.taken_at, 1, 19)`, ">=", scope.minTaken);
    if (scope.maxTaken !== undefined) query = query.where(sql<string>`substr(photos.taken_at, 1, 19)`, "<=", scope.maxTaken);
    if (scope.licenses !== undefined) query = query.where("photos.license", "in", scope.licenses.length > 0 ? scope.licenses : [""]);
    if (scope.bbox !== undefined || scope.hasGeo) {
      // Lists show a location only when everyone may see it, or to the photo's owner.
      const viewer = scope.audience.viewerId;
      query = query
        .where("photos.latitude", "is not", null)
        .where("photos.longitude", "is not", null)
        .where((eb) => (viewer === null ? eb("photos.location_visibility", "=", "everyone") : eb.or([eb("photos.location_visibility", "=", "everyone"), eb("photos.owner_id", "=", viewer)])));
    }
    if (scope.bbox !== undefined) {
      const { minLongitude, minLatitude, maxLongitude, maxLatitude } = scope.bbox;
      query = query.where("photos.latitude", ">=", minLatitude).where("photos.latitude", "<=", maxLatitude).where("photos.longitude", ">=", minLongitude).where("photos.longitude", "<=", maxLongitude);
    }
    const counted = await query.clearSelect().select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
    const ordered =
      scope.sort === "date-posted-asc"
        ? query.orderBy("photos.id", "asc")
        : scope.sort === "date-taken-desc"
          ? query.orderBy(sql`photos.taken_at is null`).orderBy("photos.taken_at", "desc").orderBy("photos.id", "desc")
          : scope.sort === "date-taken-asc"
            ? query.orderBy(sql`photos.taken_at is null`).orderBy("photos.taken_at", "asc").orderBy("photos.id", "asc")
            : query.orderBy("photos.id", "desc");
    const rows = await ordered.limit(scope.limit).offset(scope.offset).execute();
    return { records: rows.map(withTags), total: Number(counted?.n ?? 0) };
  }

  /**
   * How many of a member's photos this audience may see were taken in each year (`within`
   * null), each month of a year ("2024") or each day of a month ("2024-05"), oldest first;
   * and how many carry no date. Dates are the camera's own clock, as stored.
   */
  async takenCounts(ownerId: number, audience: Audience, within: string | null): Promise<{ periods: Array<{ period: string; count: number }>; undated: number }> {
    const period = takenPrefix(within === null ? 4 : within.length === 4 ? 7 : 10);
    let query = this.db
      .selectFrom("photos")
      .select([period.as("period"), (eb) => eb.fn.countAll<string | number>().as("count")])
      .where("photos.owner_id", "=", ownerId)
      .where("photos.taken_at", "is not", null)
      .where(visibleTo(audience));
    if (within !== null) query = query.where(takenPrefix(within.length), "=", within);
    const rows = await query.groupBy(period).orderBy(period).execute();
    const undated = within !== null ? 0 : Number((await this.db.selectFrom("photos").select((eb) => eb.fn.countAll<string | number>().as("n")).where("photos.owner_id", "=", ownerId).where("photos.taken_at", "is", null).where(visibleTo(audience)).executeTakeFirst())?.n ?? 0);
    return { periods: rows.map((r) => ({ period: r.period, count: Number(r.count) })), undated };
  }

  /**
   * A photo with the ids of the photos either side of it in its owner's photostream, as this
   * viewer sees them (public ones, or all of them for the owner), in one query: the photo
   * page is the most visited page of the site.
   */
  async findWithNeighbours(
    id: number,
    audience: Audience,
    probes: readonly PhotoProbe[] = [],
  ): Promise<{ row: PhotoPageRow; answers: boolean[] } | undefined> {
    type Found = PhotoPageRow & Record<`probe_${number}`, unknown>;
    let rows: Found[];
    const cached = this.visitorsPageQuery;
    if (audience.viewerId === null && cached?.probes === probes && cached.asked === probes.length) {
      rows = (await this.db.executeQuery<Found>(CompiledQuery.raw(cached.text, [id]))).rows;
    } else {
      const query = pageQuery(id, audience, probes);
      const compiled = query.compile(this.db);
      // A visitor's query differs only by the photo's id, its one parameter: compiling it for every
      // visit took 3% of a kept page's CPU.
      if (audience.viewerId === null && compiled.parameters.length === 1 && compiled.parameters[0] === id) {
        this.visitorsPageQuery = { probes, asked: probes.length, text: compiled.sql };
      }
      rows = (await this.db.executeQuery<Found>(compiled)).rows;
    }
    const row = rows[0];
    if (!row) return undefined;
    // SQLite answers 1 or 0, PostgreSQL true or false.
    const answers = probes.map((_, i) => Boolean(row[`probe_${i}`]));
    for (let i = 0; i < probes.length; i++) delete row[`probe_${i}`];
    return { row, answers };
  }

  /** The licence and download choice a member's new uploads get (users.default_*). */
  async ownerDefaults(ownerId: number): Promise<{ license: string; downloadAllowed: boolean; locationVisibility: string } | undefined> {
    const row = await this.db.selectFrom("users").select(["default_license", "default_download_allowed", "default_location_visibility"]).where("id", "=", ownerId).executeTakeFirst();
    return row ? { license: row.default_license, downloadAllowed: row.default_download_allowed === 1, locationVisibility: row.default_location_visibility } : undefined;
  }

  async setOwnerDefaults(ownerId: number, defaults: { license: string; downloadAllowed: boolean; locationVisibility: string }): Promise<void> {
    await this.db
      .updateTable("users")
      .set({ default_license: defaults.license, default_download_allowed: defaults.downloadAllowed ? 1 : 0, default_location_visibility: defaults.locationVisibility })
      .where("id", "=", ownerId)
      .execute();
  }

  /**
   * Changes a photo; with `expectedSecret`, only while its secret is still that one (a secret
   * rotation must not race another). Answers whether the row changed.
   */
  async update(id: number, changes: Omit<PhotoUpdate, "tags">, tags?: Tag[], expectedSecret?: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx
        .updateTable("photos")
        .set(tags ? { ...changes, tags: JSON.stringify(tags) } : changes)
        .where("id", "=", id);
      if (expectedSecret !== undefined) query = query.where("secret", "=", expectedSecret);
      const result = await query.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (MAP_COLUMNS.some((column) => changes[column] !== undefined)) await syncMapPoints(trx, { photoId: id });
      if (tags) {
        await trx.deleteFrom("photo_tags").where("photo_id", "=", id).execute();
        if (tags.length > 0) await trx.insertInto("photo_tags").values(tagRows(id, tags)).execute();
      }
      // The search row follows the words it is made of, in the same transaction.
      if (tags || changes.title !== undefined || changes.description !== undefined) {
        const now = await trx.selectFrom("photos").select(["title", "description", "tags", "owner_id"]).where("id", "=", id).executeTakeFirstOrThrow();
        await writeSearchRow(trx, { id, title: now.title, description: now.description, tags: JSON.parse(now.tags) as Tag[], ownerId: now.owner_id });
      }
      return true;
    });
  }

  /**
   * Points a photo at a replacement file, in one transaction with its owner's stored bytes and
   * the map: only while its secret is still `expectedSecret` (false when another change came first),
   * and, growing, only within `bytesLimit` (else `QuotaReachedAtInsert`, nothing written).
   */
  async replaceFile(id: number, expectedSecret: string, changes: Omit<PhotoUpdate, "tags">, bytesDelta: number, bytesLimit: number | null = null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable("photos").set(changes).where("id", "=", id).where("secret", "=", expectedSecret).returning("owner_id").executeTakeFirst();
      if (!result) return false;
      if (bytesDelta !== 0) {
        let counting = trx.updateTable("users").set((eb) => ({ bytes_stored: eb("bytes_stored", "+", bytesDelta) })).where("id", "=", result.owner_id);
        // A larger file must still fit when the counter moves (another server may have stored one meanwhile).
        if (bytesDelta > 0 && bytesLimit !== null) counting = counting.where((eb) => eb(eb("bytes_stored", "+", bytesDelta), "<=", bytesLimit));
        const counted = await counting.executeTakeFirst();
        if (Number(counted.numUpdatedRows) === 0) throw new QuotaReachedAtInsert();
      }
      if (MAP_COLUMNS.some((column) => changes[column] !== undefined)) await syncMapPoints(trx, { photoId: id });
      return true;
    });
  }

  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("photo_tags").where("photo_id", "=", id).execute();
      const gone = await trx.deleteFrom("photos").where("id", "=", id).returning(["owner_id", "original_bytes"]).executeTakeFirst();
      if (!gone) return;
      await syncMapPoints(trx, { photoId: id });
      await trx
        .updateTable("users")
        .set((eb) => ({ photo_count: eb("photo_count", "-", 1), bytes_stored: eb("bytes_stored", "-", gone.original_bytes) }))
        .where("id", "=", gone.owner_id)
        .execute();
    });
  }

  async findBatchTargets(ownerId: number, ids: number[]): Promise<BatchTarget[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("photos")
      .select(["id", "owner_id", "secret", "original_key", "visibility", "restricted", "tags"])
      .where("owner_id", "=", ownerId)
      .where("id", "in", ids)
      .execute();
    return rows.map(withTags);
  }

  /**
   * Answers "missing" when a photo is gone or not the owner's, "raced" when a secret moved
   * meanwhile; then nothing changed. The rows are written first, which locks them on
   * PostgreSQL, so the tags read after cannot change under the batch.
   */
  async applyBatch(batch: BatchChange): Promise<BatchOutcome> {
    try {
      await this.db.transaction().execute(async (trx) => {
        if (batch.delete) {
          await trx.deleteFrom("photo_tags").where("photo_id", "in", trx.selectFrom("photos").select("id").where("owner_id", "=", batch.ownerId).where("id", "in", batch.ids)).execute();
          const gone = await trx.deleteFrom("photos").where("owner_id", "=", batch.ownerId).where("id", "in", batch.ids).returning("original_bytes").execute();
          if (gone.length !== batch.ids.length) throw new BatchAbort("missing");
          const bytes = gone.reduce((sum, row) => sum + Number(row.original_bytes), 0);
          await trx
            .updateTable("users")
            .set((eb) => ({ photo_count: eb("photo_count", "-", gone.length), bytes_stored: eb("bytes_stored", "-", bytes) }))
            .where("id", "=", batch.ownerId)
            .execute();
          return;
        }
        const changed = await trx.updateTable("photos").set(batch.changes).where("owner_id", "=", batch.ownerId).where("id", "in", batch.ids).executeTakeFirst();
        if (Number(changed.numUpdatedRows) !== batch.ids.length) throw new BatchAbort("missing");
        for (const [id, rotation] of batch.rotations) {
          const rotated = await trx.updateTable("photos").set({ secret: rotation.to }).where("id", "=", id).where("secret", "=", rotation.from).executeTakeFirst();
          if (Number(rotated.numUpdatedRows) !== 1) throw new BatchAbort("raced");
        }
        if (batch.albumId !== undefined) await addPhotosToAlbum(trx, batch.albumId, batch.ids, Number(batch.changes.updated_at ?? Date.now()));
        if (!batch.retag) return;
        const current = await trx.selectFrom("photos").select(["id", "tags", "title", "description", "owner_id"]).where("id", "in", batch.ids).execute();
        for (const row of current) {
          const id = Number(row.id);
          const before = JSON.parse(row.tags) as Tag[];
          const after = batch.retag(id, before);
          if (JSON.stringify(after) === JSON.stringify(before)) continue;
          await trx.updateTable("photos").set({ tags: JSON.stringify(after) }).where("id", "=", id).execute();
          await trx.deleteFrom("photo_tags").where("photo_id", "=", id).execute();
          if (after.length > 0) await trx.insertInto("photo_tags").values(tagRows(id, after)).execute();
          // The search row follows the tags it is made of, in the same transaction.
          await writeSearchRow(trx, { id, title: row.title, description: row.description, tags: after, ownerId: Number(row.owner_id) });
        }
      });
      return "applied";
    } catch (error) {
      if (error instanceof BatchAbort) return error.outcome;
      throw error;
    }
  }

  /** How a viewer stands to an owner: one lookup for pages of photos that are not public. */
  async standing(ownerId: number, viewerId: number): Promise<Standing> {
    const { rows } = await sql<{ contact_id: number | null; is_friend: number | null; is_family: number | null; blocked: number }>`
      select c.contact_id, c.is_friend, c.is_family,
        (select count(*) from blocks b where b.blocker_id = ${ownerId} and b.blocked_id = ${viewerId}) as blocked
      from (select 1 as one) x left join contacts c on c.owner_id = ${ownerId} and c.contact_id = ${viewerId}`.execute(this.db);
    const row = rows[0];
    return { isContact: row?.contact_id != null, isFriend: row?.is_friend === 1, isFamily: row?.is_family === 1, isBlocked: Number(row?.blocked ?? 0) > 0 };
  }

  /** What the file jobs need to know: is the photo there, and under which secret. */
  async findFiles(id: number): Promise<{ secret: string; original_key: string; sha256: string; sizes: string; hidden_at: number | null } | undefined> {
    return this.db.selectFrom("photos").select(["secret", "original_key", "sha256", "sizes", "hidden_at"]).where("id", "=", id).executeTakeFirst();
  }

  /** The next photos after `afterId` in id order, with what checking their files takes (pinhole verify). */
  async listFilesAfter(afterId: number, limit: number): Promise<Array<{ id: number; secret: string; original_key: string; original_bytes: number; sha256: string; sizes: string }>> {
    return this.db
      .selectFrom("photos")
      .select(["id", "secret", "original_key", "original_bytes", "sha256", "sizes"])
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  /** How many photos there are and the bytes of their originals, for progress. */
  async originalsTotal(): Promise<{ photos: number; bytes: number }> {
    const row = await this.db
      .selectFrom("photos")
      .select((eb) => [eb.fn.countAll<number>().as("photos"), eb.fn.coalesce(eb.fn.sum<number>("original_bytes"), eb.lit(0)).as("bytes")])
      .executeTakeFirstOrThrow();
    return { photos: Number(row.photos), bytes: Number(row.bytes) };
  }
}
