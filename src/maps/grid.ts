/**
 * The map's grid: Web Mercator, as Leaflet draws it. A point's world coordinates at level 24
 * (`x`, `y`, 0 … 2^24 − 1, about 2.4 m at the equator) and their Morton code `m` (the bits of x
 * and y interleaved, 48 bits) are stored with every point of the site map. A cell of level L
 * is the square of points whose x and y agree in their top L bits: `x >> (24 − L)`, and its
 * points are one contiguous range of `m`, `[mLo, mLo + 4^(24 − L))`.
 *
 * Migration 0012 holds a frozen copy of these formulas for its backfill; change neither.
 */
export const GRID_BITS = 24;
const WORLD = 2 ** GRID_BITS;
/** Web Mercator ends here; beyond it nothing can be drawn. */
export const MAX_LATITUDE = 85.0511287798066;

/** Levels whose cells are kept counted in `map_cells` (zoom 0 … 12 at 64-pixel cells). */
export const STORED_LEVELS: readonly number[] = Array.from({ length: 13 }, (_, i) => i + 2);
export const MAX_STORED_LEVEL = 14;

export function clampLatitude(latitude: number): number {
  return Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, latitude));
}

/** Longitude → x at level 24. */
export function worldX(longitude: number): number {
  return Math.min(WORLD - 1, Math.max(0, Math.floor(((longitude + 180) / 360) * WORLD)));
}

/** Latitude → y at level 24 (0 at the north edge). */
export function worldY(latitude: number): number {
  const phi = (clampLatitude(latitude) * Math.PI) / 180;
  const y = (1 - Math.asinh(Math.tan(phi)) / Math.PI) / 2;
  return Math.min(WORLD - 1, Math.max(0, Math.floor(y * WORLD)));
}

function spread12(v: number): number {
  v &= 0xfff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** The 48-bit Morton code of level-24 coordinates (x in the even bits); exact in a double. */
export function morton(x: number, y: number): number {
  const high = (spread12(x >>> 12) | (spread12(y >>> 12) << 1)) >>> 0;
  const low = (spread12(x & 0xfff) | (spread12(y & 0xfff) << 1)) >>> 0;
  return high * 2 ** 24 + low;
}

/** Degrees as whole millionths: sums of them stay exact, so a cell's centroid is a pure function of its points. */
export function microdegrees(degrees: number): number {
  return Math.round(degrees * 1_000_000);
}

export interface GridPoint {
  x: number;
  y: number;
  m: number;
  latE6: number;
  lonE6: number;
}

export function gridPoint(latitude: number, longitude: number): GridPoint {
  const x = worldX(longitude);
  const y = worldY(latitude);
  return { x, y, m: morton(x, y), latE6: microdegrees(latitude), lonE6: microdegrees(longitude) };
}

/** The shift from level-24 coordinates to a cell of `level`. */
export function shiftOf(level: number): number {
  return GRID_BITS - level;
}

/** The first Morton code of cell (cx, cy) of `level`. */
export function cellMortonStart(level: number, cx: number, cy: number): number {
  const s = shiftOf(level);
  return morton(cx * 2 ** s, cy * 2 ** s);
}

/** How many Morton codes one cell of `level` spans. */
export function cellMortonSpan(level: number): number {
  return 4 ** shiftOf(level);
}

/**
 * The Morton ranges that cover a rectangle of the level-24 grid (inclusive bounds): the cells of
 * the finest level at which at most `perAxis` × `perAxis` of them cover it, adjacent ones merged.
 * Each range is one index range of `m`, so a query reads the points near the rectangle, not a
 * stripe of the whole world.
 */
export function mortonRanges(x: [number, number], y: [number, number], perAxis = 3): Array<[number, number]> {
  let level = GRID_BITS;
  const span = (l: number) => {
    const s = 2 ** shiftOf(l);
    return { x0: Math.floor(x[0] / s), x1: Math.floor(x[1] / s), y0: Math.floor(y[0] / s), y1: Math.floor(y[1] / s) };
  };
  let cells = span(level);
  while (level > 0 && (cells.x1 - cells.x0 >= perAxis || cells.y1 - cells.y0 >= perAxis)) cells = span(--level);
  const ranges: Array<[number, number]> = [];
  for (let cx = cells.x0; cx <= cells.x1; cx++) {
    for (let cy = cells.y0; cy <= cells.y1; cy++) {
      const lo = cellMortonStart(level, cx, cy);
      ranges.push([lo, lo + cellMortonSpan(level)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && last[1] === r[0]) last[1] = r[1];
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
