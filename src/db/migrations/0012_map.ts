import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen once released: never edit, only append new migrations. Never import app code here.

/**
 * The map. `map_points` holds every photo anyone may see on a map, with where it is on the
 * grid (the formulas of maps/grid.ts, copied below): located, public, not restricted (audience
 * 0) or restricted (audience 1: only members who opted in), not hidden, its location shown to
 * everyone, its owner not suspended. `map_cells` counts those points per grid cell of levels 2
 * to 14, with the sums of their coordinates, so the site's map at any zoom up to 12 reads a few
 * hundred counted cells instead of grouping hundreds of thousands of photos. Both are kept in
 * the transaction of every write that changes what they hold; this fills them once.
 * `photos_owner_located` finds a member's located photos (their own map, and what their
 * contacts show them) without reading the others.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable("map_points")
    .addColumn("photo_id", pg ? "bigint" : "integer", (c) => c.primaryKey())
    .addColumn("owner_id", "bigint", (c) => c.notNull())
    .addColumn("audience", "integer", (c) => c.notNull())
    .addColumn("lat_e6", "integer", (c) => c.notNull())
    .addColumn("lon_e6", "integer", (c) => c.notNull())
    .addColumn("x", "integer", (c) => c.notNull())
    .addColumn("y", "integer", (c) => c.notNull())
    .addColumn("m", "bigint", (c) => c.notNull())
    .execute();
  // Points near a box are read as Morton ranges of this index, which holds all a cluster needs.
  await db.schema.createIndex("map_points_m").on("map_points").columns(["audience", "m", "x", "y", "lat_e6", "lon_e6", "photo_id"]).execute();
  await db.schema.createIndex("map_points_owner").on("map_points").columns(["owner_id", "audience", "x", "y"]).execute();
  await db.schema
    .createTable("map_cells")
    .addColumn("audience", "integer", (c) => c.notNull())
    .addColumn("level", "integer", (c) => c.notNull())
    .addColumn("cx", "integer", (c) => c.notNull())
    .addColumn("cy", "integer", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("sum_lat", "bigint", (c) => c.notNull())
    .addColumn("sum_lon", "bigint", (c) => c.notNull())
    .addColumn("m_lo", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("map_cells_pk", ["audience", "level", "cx", "cy"])
    .execute();
  await sql`create index map_cells_empty on map_cells (count) where count = 0`.execute(db);
  await sql`create index photos_owner_located on photos (owner_id, latitude, longitude) where latitude is not null`.execute(db);

  // The backfill, in id order, a thousand photos at a time.
  const cells = new Map<string, { audience: number; level: number; cx: number; cy: number; count: number; sumLat: number; sumLon: number; mLo: number }>();
  let after = -1;
  for (;;) {
    const { rows } = await sql<{ id: number | string; owner_id: number | string; restricted: number; latitude: number; longitude: number }>`
      select p.id, p.owner_id, p.restricted, p.latitude, p.longitude from photos p inner join users u on u.id = p.owner_id
      where p.id > ${after} and p.latitude is not null and p.longitude is not null and p.visibility = 'public' and p.hidden_at is null
        and p.location_visibility = 'everyone' and u.suspended_at is null
      order by p.id limit 1000`.execute(db);
    if (rows.length === 0) break;
    const points = rows.map((r) => {
      const x = worldX(r.longitude);
      const y = worldY(r.latitude);
      return { photo_id: Number(r.id), owner_id: Number(r.owner_id), audience: r.restricted === 1 ? 1 : 0, lat_e6: Math.round(r.latitude * 1e6), lon_e6: Math.round(r.longitude * 1e6), x, y, m: morton(x, y) };
    });
    await db.insertInto("map_points" as never).values(points as never).execute();
    for (const p of points) {
      for (let level = 2; level <= 14; level++) {
        const s = 24 - level;
        const cx = Math.floor(p.x / 2 ** s);
        const cy = Math.floor(p.y / 2 ** s);
        const key = `${p.audience}/${level}/${cx}/${cy}`;
        const cell = cells.get(key) ?? { audience: p.audience, level, cx, cy, count: 0, sumLat: 0, sumLon: 0, mLo: morton(cx * 2 ** s, cy * 2 ** s) };
        cell.count += 1;
        cell.sumLat += p.lat_e6;
        cell.sumLon += p.lon_e6;
        cells.set(key, cell);
      }
    }
    after = Number(rows[rows.length - 1]!.id);
  }
  const all = [...cells.values()].map((c) => ({ audience: c.audience, level: c.level, cx: c.cx, cy: c.cy, count: c.count, sum_lat: c.sumLat, sum_lon: c.sumLon, m_lo: c.mLo }));
  for (let i = 0; i < all.length; i += 1000) await db.insertInto("map_cells" as never).values(all.slice(i, i + 1000) as never).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("photos_owner_located").ifExists().execute();
  await db.schema.dropTable("map_cells").ifExists().execute();
  await db.schema.dropTable("map_points").ifExists().execute();
}

function worldX(longitude: number): number {
  return Math.min(2 ** 24 - 1, Math.max(0, Math.floor(((longitude + 180) / 360) * 2 ** 24)));
}

function worldY(latitude: number): number {
  const phi = (Math.max(-85.0511287798066, Math.min(85.0511287798066, latitude)) * Math.PI) / 180;
  return Math.min(2 ** 24 - 1, Math.max(0, Math.floor(((1 - Math.asinh(Math.tan(phi)) / Math.PI) / 2) * 2 ** 24)));
}

function spread12(v: number): number {
  v &= 0xfff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

function morton(x: number, y: number): number {
  return ((spread12(x >>> 12) | (spread12(y >>> 12) << 1)) >>> 0) * 2 ** 24 + ((spread12(x & 0xfff) | (spread12(y & 0xfff) << 1)) >>> 0);
}
