import { PostgresAdapter, sql, type Kysely, type Transaction } from "kysely";
import type { Database } from "../db/schema.ts";
import { ownerActive, visibleTo } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";
import { cellMortonSpan, cellMortonStart, gridPoint, MAX_STORED_LEVEL, mortonRanges, shiftOf, STORED_LEVELS } from "./grid.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** Audience 0: on everyone's map; 1: restricted photos, on the maps of members who opted in. */
export const EVERYONE = 0;
export const OPTED_IN = 1;

/**
 * THE INVARIANT (checked against a live recount by test/http/map.test.ts):
 *
 *   map_points = every photo that is located, public, not hidden, with location_visibility
 *                'everyone' and an owner who is not suspended (audience = its `restricted`),
 *                at the grid position of its current latitude and longitude; nothing else.
 *   map_cells  = for each audience and each level of STORED_LEVELS, the count of those points
 *                per cell and the sums of their lat_e6 and lon_e6; no cell with count 0.
 *
 * Every write that can change whether or where a photo is on the map calls `syncMapPoints` in
 * its own transaction: a photo's insert, update (of the columns in MAP_COLUMNS) and delete
 * (photos/repository.ts, which moderation's hiding goes through), and a member's suspension or
 * its lifting (users/repository.ts). It reads what the photos table now says, compares it with
 * what map_points holds for the same photos, and moves only the difference, so it is cheap
 * when nothing relevant changed and exact whatever did.
 *
 * Anything a viewer sees beyond audience 0 (their own photos, contacts' photos shown to
 * friends or family) is never stored here: MapsRepository reads it live for that viewer.
 */
/** The rule of the site's map: located, public, not hidden, its place shown to everyone, its owner not suspended. */
function photosOnTheMap(db: Db) {
  return db
    .selectFrom("photos as p")
    .innerJoin("users as u", "u.id", "p.owner_id")
    .select(["p.id", "p.owner_id", "p.restricted", "p.latitude", "p.longitude"])
    .where("p.latitude", "is not", null)
    .where("p.longitude", "is not", null)
    .where("p.visibility", "=", "public")
    .where("p.hidden_at", "is", null)
    .where("p.location_visibility", "=", "everyone")
    .where("u.suspended_at", "is", null);
}

export async function syncMapPoints(db: Db, scope: { photoId: number } | { ownerId: number }): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg && "photoId" in scope) {
    // A suspension changing this owner at the same moment either commits before this reads
    // the owner (the share lock waits for it) or waits for this to commit and then sees the point.
    await sql`select 1 from users where id = (select owner_id from photos where id = ${scope.photoId}) for share`.execute(db);
  }
  let desiredQuery = photosOnTheMap(db);
  let currentQuery = db.selectFrom("map_points").selectAll();
  if ("photoId" in scope) {
    desiredQuery = desiredQuery.where("p.id", "=", scope.photoId);
    currentQuery = currentQuery.where("photo_id", "=", scope.photoId);
  } else {
    desiredQuery = desiredQuery.where("p.owner_id", "=", scope.ownerId);
    currentQuery = currentQuery.where("owner_id", "=", scope.ownerId);
  }
  const [desiredRows, currentRows] = [await desiredQuery.execute(), await currentQuery.execute()];
  const desired = new Map(
    desiredRows.map((r) => {
      const g = gridPoint(r.latitude as number, r.longitude as number);
      return [Number(r.id), { photo_id: Number(r.id), owner_id: Number(r.owner_id), audience: r.restricted === 1 ? OPTED_IN : EVERYONE, lat_e6: g.latE6, lon_e6: g.lonE6, x: g.x, y: g.y, m: g.m }];
    }),
  );
  const current = new Map(currentRows.map((r) => [Number(r.photo_id), { ...r, photo_id: Number(r.photo_id), owner_id: Number(r.owner_id), m: Number(r.m) }]));
  const same = (a: MapPoint, b: MapPoint) => a.owner_id === b.owner_id && a.audience === b.audience && a.lat_e6 === b.lat_e6 && a.lon_e6 === b.lon_e6 && a.x === b.x && a.y === b.y;
  const removed = [...current.values()].filter((p) => { const d = desired.get(p.photo_id); return !d || !same(d, p); });
  const added = [...desired.values()].filter((p) => { const c = current.get(p.photo_id); return !c || !same(c, p); });
  if (removed.length === 0 && added.length === 0) return;

  const deltas = new Map<string, { audience: number; level: number; cx: number; cy: number; count: number; sum_lat: number; sum_lon: number; m_lo: number }>();
  const account = (p: MapPoint, sign: 1 | -1) => {
    for (const level of STORED_LEVELS) {
      const s = shiftOf(level);
      const cx = Math.floor(p.x / 2 ** s);
      const cy = Math.floor(p.y / 2 ** s);
      const key = `${p.audience}/${level}/${cx}/${cy}`;
      const d = deltas.get(key) ?? { audience: p.audience, level, cx, cy, count: 0, sum_lat: 0, sum_lon: 0, m_lo: cellMortonStart(level, cx, cy) };
      d.count += sign;
      d.sum_lat += sign * p.lat_e6;
      d.sum_lon += sign * p.lon_e6;
      deltas.set(key, d);
    }
  };
  for (const p of removed) account(p, -1);
  for (const p of added) account(p, 1);
  // In one order for every writer, so two transactions changing the same cells lock them in the same order and never deadlock.
  const changes = [...deltas.values()]
    .filter((d) => d.count !== 0 || d.sum_lat !== 0 || d.sum_lon !== 0)
    .sort((a, b) => a.audience - b.audience || a.level - b.level || a.cx - b.cx || a.cy - b.cy);
  for (let i = 0; i < changes.length; i += 500) {
    await db
      .insertInto("map_cells")
      .values(changes.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(["audience", "level", "cx", "cy"]).doUpdateSet({
          count: sql`map_cells.count + excluded.count`,
          sum_lat: sql`map_cells.sum_lat + excluded.sum_lat`,
          sum_lon: sql`map_cells.sum_lon + excluded.sum_lon`,
        }),
      )
      .execute();
  }
  if (changes.some((d) => d.count < 0)) await db.deleteFrom("map_cells").where("count", "=", 0).execute();
  const removedIds = removed.map((p) => p.photo_id);
  for (let i = 0; i < removedIds.length; i += 500) await db.deleteFrom("map_points").where("photo_id", "in", removedIds.slice(i, i + 500)).execute();
  for (let i = 0; i < added.length; i += 500) await db.insertInto("map_points").values(added.slice(i, i + 500)).execute();
}

/**
 * Fills map_points and map_cells again from the photos table, in batches: for sites whose
 * photos were written straight into the database (an import, the benchmark's seed), which no
 * transaction kept in step. Whoever calls it stops writes to photos meanwhile.
 */
export async function rebuildMap(db: Kysely<Database>): Promise<{ points: number; cells: number }> {
  // Photos written straight into the database leave the planner's statistics behind; without
  // fresh ones PostgreSQL read each batch below through a bitmap per member (minutes a batch).
  await sql`analyze photos`.execute(db);
  await sql`analyze users`.execute(db);
  await db.deleteFrom("map_cells").execute();
  await db.deleteFrom("map_points").execute();
  const cells = new Map<string, { audience: number; level: number; cx: number; cy: number; count: number; sum_lat: number; sum_lon: number; m_lo: number }>();
  let after = -1;
  let points = 0;
  for (;;) {
    const rows = await db
      .selectFrom("photos as p")
      .innerJoin("users as u", "u.id", "p.owner_id")
      .select(["p.id", "p.owner_id", "p.restricted", "p.latitude", "p.longitude"])
      .where("p.id", ">", after)
      .where("p.latitude", "is not", null)
      .where("p.longitude", "is not", null)
      .where("p.visibility", "=", "public")
      .where("p.hidden_at", "is", null)
      .where("p.location_visibility", "=", "everyone")
      .where("u.suspended_at", "is", null)
      .orderBy("p.id")
      .limit(2000)
      .execute();
    if (rows.length === 0) break;
    const batch = rows.map((r) => {
      const g = gridPoint(r.latitude as number, r.longitude as number);
      return { photo_id: Number(r.id), owner_id: Number(r.owner_id), audience: r.restricted === 1 ? OPTED_IN : EVERYONE, lat_e6: g.latE6, lon_e6: g.lonE6, x: g.x, y: g.y, m: g.m };
    });
    for (let i = 0; i < batch.length; i += 500) await db.insertInto("map_points").values(batch.slice(i, i + 500)).execute();
    for (const p of batch) {
      for (const level of STORED_LEVELS) {
        const s = shiftOf(level);
        const cx = Math.floor(p.x / 2 ** s);
        const cy = Math.floor(p.y / 2 ** s);
        const key = `${p.audience}/${level}/${cx}/${cy}`;
        const c = cells.get(key) ?? { audience: p.audience, level, cx, cy, count: 0, sum_lat: 0, sum_lon: 0, m_lo: cellMortonStart(level, cx, cy) };
        c.count += 1;
        c.sum_lat += p.lat_e6;
        c.sum_lon += p.lon_e6;
        cells.set(key, c);
      }
    }
    points += batch.length;
    after = Number(rows[rows.length - 1]!.id);
  }
  const all = [...cells.values()];
  for (let i = 0; i < all.length; i += 1000) await db.insertInto("map_cells").values(all.slice(i, i + 1000)).execute();
  return { points, cells: all.length };
}

interface MapPoint {
  photo_id: number;
  owner_id: number;
  audience: number;
  lat_e6: number;
  lon_e6: number;
  x: number;
  y: number;
  m: number;
}

/** A rectangle of the level-24 grid; `x` is one range, or two across the antimeridian. */
export interface GridBox {
  x: Array<[number, number]>;
  y: [number, number];
}

/** Degrees: the same box for the photos table, which stores latitude and longitude. */
export interface DegreeBox {
  longitude: Array<[number, number]>;
  latitude: [number, number];
}

export interface CellCount {
  cx: number;
  cy: number;
  count: number;
  sumLat: number;
  sumLon: number;
  /** A photo in the cell, for its thumbnail. */
  photoId: number;
}

export interface MapPhoto {
  id: number;
  latitude: number;
  longitude: number;
  title: string;
  secret: string;
  owner_username: string;
}

/** What one viewer sees on a map that is not in map_points for their audiences. */
export interface ExtraScope {
  audience: Audience & { viewerId: number };
  audiences: number[];
  ownerId?: number;
  box: DegreeBox;
  limit: number;
}

function within(column: string, ranges: Array<[number, number]>) {
  return sql<boolean>`(${sql.join(ranges.map(([lo, hi]) => sql`${sql.ref(column)} between ${lo} and ${hi}`), sql` or `)})`;
}

/** Every read of the map. */
export class MapsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Counted cells of a stored level in the box, one row per cell and audience; with one photo of each. */
  async storedCells(audiences: number[], level: number, cells: { x: Array<[number, number]>; y: [number, number] }): Promise<Array<CellCount & { audience: number }>> {
    if (level > MAX_STORED_LEVEL) throw new Error(`level ${level} is not stored`);
    const span = cellMortonSpan(level);
    const { rows } = await sql<{ audience: number; cx: number; cy: number; count: number; sum_lat: number | string; sum_lon: number | string; photo_id: number | string | null }>`
      select c.audience, c.cx, c.cy, c.count, c.sum_lat, c.sum_lon,
        (select mp.photo_id from map_points mp where mp.audience = c.audience and mp.m >= c.m_lo and mp.m < c.m_lo + ${sql.lit(span)} order by mp.m limit 1) as photo_id
      from map_cells c
      where c.audience in (${sql.join(audiences)}) and c.level = ${level} and ${within("c.cx", cells.x)} and c.cy between ${cells.y[0]} and ${cells.y[1]}`.execute(this.db);
    return rows.map((r) => ({ audience: r.audience, cx: r.cx, cy: r.cy, count: Number(r.count), sumLat: Number(r.sum_lat), sumLon: Number(r.sum_lon), photoId: Number(r.photo_id) }));
  }

  /**
   * The points of map_points in the box, read from the covering index (audience, m, x, y,
   * lat_e6, lon_e6) one Morton range at a time (`mortonRanges`): the rows near the box only.
   * With `ownerId`, a member's points by their own index instead.
   */
  private boxPoints(audiences: number[], box: GridBox, ownerId?: number) {
    if (ownerId !== undefined) {
      return sql`(select photo_id, x, y, lat_e6, lon_e6 from map_points where owner_id = ${ownerId} and audience in (${sql.join(audiences)})
        and ${within("x", box.x)} and y between ${box.y[0]} and ${box.y[1]})`;
    }
    const parts = audiences.flatMap((audience) =>
      box.x.flatMap((x) =>
        mortonRanges(x, box.y).map(
          ([lo, hi]) => sql`select photo_id, x, y, lat_e6, lon_e6 from map_points where audience = ${audience} and m >= ${lo} and m < ${hi}
            and x between ${x[0]} and ${x[1]} and y between ${box.y[0]} and ${box.y[1]}`,
        ),
      ),
    );
    return sql`(${sql.join(parts, sql` union all `)})`;
  }

  /** Points of map_points in the box grouped live into the cells of `level` (deep zooms, and a member's map). */
  async groupedPoints(audiences: number[], level: number, box: GridBox, ownerId?: number): Promise<CellCount[]> {
    const s = sql.lit(shiftOf(level));
    const { rows } = await sql<{ cx: number | string; cy: number | string; count: number | string; sum_lat: number | string; sum_lon: number | string; photo_id: number | string }>`
      select bp.x >> ${s} as cx, bp.y >> ${s} as cy, count(*) as count, sum(bp.lat_e6) as sum_lat, sum(bp.lon_e6) as sum_lon, max(bp.photo_id) as photo_id
      from ${this.boxPoints(audiences, box, ownerId)} bp
      group by bp.x >> ${s}, bp.y >> ${s}`.execute(this.db);
    return rows.map((r) => ({ cx: Number(r.cx), cy: Number(r.cy), count: Number(r.count), sumLat: Number(r.sum_lat), sumLon: Number(r.sum_lon), photoId: Number(r.photo_id) }));
  }

  /** The newest points of map_points in the box (null: anywhere), with what a marker shows. */
  async points(audiences: number[], box: GridBox | null, limit: number, ownerId?: number): Promise<MapPhoto[]> {
    const from =
      box === null
        ? sql`(select photo_id from map_points where ${ownerId === undefined ? sql`true` : sql`owner_id = ${ownerId}`} and audience in (${sql.join(audiences)}))`
        : this.boxPoints(audiences, box, ownerId);
    const { rows } = await sql<MapPhoto>`
      select p.id, p.latitude, p.longitude, p.title, p.secret, u.username as owner_username
      from ${from} bp inner join photos p on p.id = bp.photo_id inner join users u on u.id = p.owner_id
      order by bp.photo_id desc limit ${limit}`.execute(this.db);
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /**
   * The located photos a member may see on a map that map_points does not hold for their
   * audiences: their own (any visibility; their locations are theirs), and those of members
   * who made them a friend or family contact, shown to them with the location for everyone —
   * the rule of every list (`visibleTo`, `ownerActive`, and location_visibility 'everyone'
   * unless the viewer owns the photo).
   */
  async extras(scope: ExtraScope): Promise<MapPhoto[]> {
    const viewer = scope.audience.viewerId;
    const { rows } = await sql<MapPhoto>`
      select p.id, p.latitude, p.longitude, p.title, p.secret, u.username as owner_username
      from (select cast(${viewer} as bigint) as owner_id union select c.owner_id from contacts c where c.contact_id = ${viewer} and (c.is_friend = 1 or c.is_family = 1)) o
        inner join photos p on p.owner_id = o.owner_id
        inner join users u on u.id = p.owner_id
      where ${scope.ownerId === undefined ? sql`true` : sql`o.owner_id = ${scope.ownerId}`}
        and p.latitude is not null and p.longitude is not null
        and p.latitude between ${scope.box.latitude[0]} and ${scope.box.latitude[1]} and ${within("p.longitude", scope.box.longitude)}
        and u.suspended_at is null and ${visibleTo(scope.audience, "p")} and ${ownerActive("p")}
        and (p.location_visibility = 'everyone' or p.owner_id = ${viewer})
        and not exists (select 1 from map_points mp where mp.photo_id = p.id and mp.audience in (${sql.join(scope.audiences)}))
      order by p.id desc limit ${scope.limit}`.execute(this.db);
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** Thumbnails' secrets and owners of the given photos. */
  async photos(ids: number[]): Promise<Map<number, { secret: string; owner_username: string }>> {
    const found = new Map<number, { secret: string; owner_username: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom("photos")
        .innerJoin("users", "users.id", "photos.owner_id")
        .select(["photos.id", "photos.secret", "users.username as owner_username"])
        .where("photos.id", "in", ids.slice(i, i + 500))
        .execute();
      for (const r of rows) found.set(Number(r.id), { secret: r.secret, owner_username: r.owner_username });
    }
    return found;
  }

  /** The stored aggregate and a live recount from the photos table, for the invariant's test. */
  async invariantCheck(): Promise<{ stored: { points: string[]; cells: string[] }; recounted: { points: string[]; cells: string[] } }> {
    const storedPoints = (await this.db.selectFrom("map_points").selectAll().orderBy("photo_id").execute()).map((r) => `${r.photo_id}:${r.owner_id}:${r.audience}:${r.lat_e6}:${r.lon_e6}:${r.x}:${r.y}:${r.m}`);
    const storedCells = (await this.db.selectFrom("map_cells").selectAll().execute()).map((r) => `${r.audience}/${r.level}/${r.cx}/${r.cy}:${r.count}:${r.sum_lat}:${r.sum_lon}:${r.m_lo}`).sort();
    const live = await photosOnTheMap(this.db)
      .orderBy("p.id")
      .execute();
    const cells = new Map<string, { count: number; lat: number; lon: number; mLo: number }>();
    const points = live.map((r) => {
      const g = gridPoint(r.latitude as number, r.longitude as number);
      const audience = r.restricted === 1 ? OPTED_IN : EVERYONE;
      for (const level of STORED_LEVELS) {
        const s = shiftOf(level);
        const cx = Math.floor(g.x / 2 ** s);
        const cy = Math.floor(g.y / 2 ** s);
        const key = `${audience}/${level}/${cx}/${cy}`;
        const c = cells.get(key) ?? { count: 0, lat: 0, lon: 0, mLo: cellMortonStart(level, cx, cy) };
        c.count += 1;
        c.lat += g.latE6;
        c.lon += g.lonE6;
        cells.set(key, c);
      }
      return `${r.id}:${r.owner_id}:${audience}:${g.latE6}:${g.lonE6}:${g.x}:${g.y}:${g.m}`;
    });
    return {
      stored: { points: storedPoints, cells: storedCells },
      recounted: { points, cells: [...cells].map(([key, c]) => `${key}:${c.count}:${c.lat}:${c.lon}:${c.mLo}`).sort() },
    };
  }
}
