import { InvalidError, wording } from "../errors.ts";
import { derivativePath } from "../images/keys.ts";
import type { Viewer } from "../users/service.ts";
import { audienceOf } from "../photos/visibility.ts";
import { clampLatitude, gridPoint, MAX_LATITUDE, MAX_STORED_LEVEL, shiftOf, worldX, worldY } from "./grid.ts";
import { EVERYONE, OPTED_IN, type CellCount, type DegreeBox, type GridBox, type MapPhoto, type MapsRepository } from "./repository.ts";

/** A cluster is a grid cell of about this many pixels on screen: the cell's level is the zoom + 2 (256 / 4). */
const CELL_LEVELS_ABOVE_ZOOM = 2;
/** No more cells than this in one answer: a bigger box is read a level coarser. */
const MAX_CELLS = 1024;
/** A box holding at most this many photos is answered with the photos themselves. */
const POINTS_WHEN_AT_MOST = 250;
/** From this zoom on, always single photos. */
const POINTS_FROM_ZOOM = 17;
/** The most single photos one answer carries. */
const MAX_POINTS = 500;
/** The most of a viewer's own (or friends') photos read live for one answer. */
const MAX_EXTRAS = 20_000;

export interface MapBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

export interface MapCluster {
  latitude: number;
  longitude: number;
  count: number;
  photo: { id: string; thumbnailUrl: string; pageUrl: string } | null;
}

export interface MapPointView {
  id: string;
  latitude: number;
  longitude: number;
  title: string;
  thumbnailUrl: string;
  pageUrl: string;
}

export interface MapAnswer {
  kind: "clusters" | "points";
  zoom: number;
  bbox: [number, number, number, number];
  total: number;
  truncated: boolean;
  clusters: MapCluster[];
  points: MapPointView[];
}

type ViewerRef = Pick<Viewer, "id" | "showsRestricted"> | null;

/** "minLon,minLat,maxLon,maxLat" → a box; minLon above maxLon crosses the antimeridian. */
export function parseBbox(text: string): MapBox {
  const parts = text.split(",").map((p) => p.trim());
  const numbers = parts.map((p) => (/^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(p) ? Number(p) : NaN));
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) {
    throw new InvalidError(wording("errors.map.bboxShape"), { field: "bbox" });
  }
  const [west, south, east, north] = numbers as [number, number, number, number];
  if (Math.abs(west) > 180 || Math.abs(east) > 180) throw new InvalidError(wording("errors.map.bboxLongitudes"), { field: "bbox" });
  if (Math.abs(south) > 90 || Math.abs(north) > 90) throw new InvalidError(wording("errors.map.bboxLatitudes"), { field: "bbox" });
  if (south >= north) throw new InvalidError(wording("errors.map.bboxOrder"), { field: "bbox" });
  if (west === east) throw new InvalidError(wording("errors.map.bboxWidth"), { field: "bbox" });
  return { west, south: clampLatitude(south), east, north: clampLatitude(north) };
}

/** The box in degrees (one or two longitude ranges) and on the level-24 grid. */
function boxes(box: MapBox): { degrees: DegreeBox; grid: GridBox } {
  const longitude: Array<[number, number]> = box.west < box.east ? [[box.west, box.east]] : [[box.west, 180], [-180, box.east]];
  return {
    degrees: { longitude, latitude: [box.south === -MAX_LATITUDE ? -90 : box.south, box.north === MAX_LATITUDE ? 90 : box.north] },
    grid: { x: longitude.map(([w, e]) => [worldX(w), worldX(e)]), y: [worldY(box.north), worldY(box.south)] },
  };
}

function cellRange(grid: GridBox, level: number): { x: Array<[number, number]>; y: [number, number] } {
  const s = 2 ** shiftOf(level);
  return { x: grid.x.map(([lo, hi]) => [Math.floor(lo / s), Math.floor(hi / s)]), y: [Math.floor(grid.y[0] / s), Math.floor(grid.y[1] / s)] };
}

function cellsIn(range: { x: Array<[number, number]>; y: [number, number] }): number {
  return range.x.reduce((n, [lo, hi]) => n + hi - lo + 1, 0) * (range.y[1] - range.y[0] + 1);
}

/** The level whose cells are about 64 pixels at `zoom`, coarser while the box would hold more than MAX_CELLS of them. */
export function levelFor(zoom: number, grid: GridBox): number {
  let level = Math.min(zoom + CELL_LEVELS_ABOVE_ZOOM, 24);
  while (level > 0 && cellsIn(cellRange(grid, level)) > MAX_CELLS) level--;
  return level;
}

function inBox(photo: { latitude: number; longitude: number }, degrees: DegreeBox): boolean {
  return photo.latitude >= degrees.latitude[0] && photo.latitude <= degrees.latitude[1] && degrees.longitude.some(([w, e]) => photo.longitude >= w && photo.longitude <= e);
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * The map: clusters of photos at low zoom, single photos at high zoom or when few. Whoever
 * asks sees exactly the photos, and the locations, that lists show them: public photos whose
 * location is for everyone (map_points, counted in map_cells, see the invariant in
 * repository.ts), restricted ones if they opted in, plus — read live — their own located
 * photos and those their contacts show them with the location for everyone.
 */
export class MapService {
  constructor(private readonly deps: { maps: MapsRepository; baseUrl: string }) {}

  private thumbnail(id: number, secret: string): string {
    return this.deps.baseUrl + derivativePath(id, secret, "sq75", "jpeg");
  }

  private pageUrl(id: number, username: string): string {
    return `${this.deps.baseUrl}/photos/${username}/${id}`;
  }

  /** The newest photos on the map (the site's, or one member's), for the page without JavaScript. */
  async recent(input: { ownerId?: number }, viewer: ViewerRef, limit: number): Promise<MapPointView[]> {
    const { degrees } = boxes({ west: -180, south: -MAX_LATITUDE, east: 180, north: MAX_LATITUDE });
    const audience = audienceOf(viewer);
    const audiences = viewer?.showsRestricted ? [EVERYONE, OPTED_IN] : [EVERYONE];
    const stored = await this.deps.maps.points(audiences, null, limit, input.ownerId);
    const extras = audience.viewerId === null ? [] : await this.deps.maps.extras({ audience: { ...audience, viewerId: audience.viewerId }, audiences, ownerId: input.ownerId, box: degrees, limit });
    return [...stored, ...extras]
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map((p) => this.point(p));
  }

  private point(p: MapPhoto): MapPointView {
    return { id: String(p.id), latitude: p.latitude, longitude: p.longitude, title: p.title, thumbnailUrl: this.thumbnail(p.id, p.secret), pageUrl: this.pageUrl(p.id, p.owner_username) };
  }

  async map(input: { bbox: string; zoom: number; ownerId?: number }, viewer: ViewerRef): Promise<MapAnswer> {
    const { zoom, ownerId } = input;
    if (!Number.isInteger(zoom) || zoom < 0 || zoom > 20) throw new InvalidError(wording("errors.map.zoom"), { field: "zoom" });
    const box = parseBbox(input.bbox);
    const { degrees, grid } = boxes(box);
    const level = levelFor(zoom, grid);
    const audience = audienceOf(viewer);
    const audiences = viewer?.showsRestricted ? [EVERYONE, OPTED_IN] : [EVERYONE];
    const { maps } = this.deps;

    const extras = audience.viewerId === null ? [] : await maps.extras({ audience: { ...audience, viewerId: audience.viewerId }, audiences, ownerId, box: degrees, limit: MAX_EXTRAS });
    const stored: CellCount[] =
      ownerId === undefined && level <= MAX_STORED_LEVEL ? await maps.storedCells(audiences, level, cellRange(grid, level)) : await maps.groupedPoints(audiences, level, grid, ownerId);
    const cells = new Map<string, CellCount>();
    for (const c of stored) {
      const key = `${c.cx}/${c.cy}`;
      const seen = cells.get(key);
      if (seen) {
        seen.count += c.count;
        seen.sumLat += c.sumLat;
        seen.sumLon += c.sumLon;
      } else cells.set(key, { ...c });
    }
    const s = 2 ** shiftOf(level);
    for (const photo of extras) {
      const g = gridPoint(photo.latitude, photo.longitude);
      const key = `${Math.floor(g.x / s)}/${Math.floor(g.y / s)}`;
      const seen = cells.get(key) ?? { cx: Math.floor(g.x / s), cy: Math.floor(g.y / s), count: 0, sumLat: 0, sumLon: 0, photoId: photo.id };
      seen.count += 1;
      seen.sumLat += g.latE6;
      seen.sumLon += g.lonE6;
      cells.set(key, seen);
    }
    const total = [...cells.values()].reduce((n, c) => n + c.count, 0);
    const base = { zoom, bbox: [box.west, box.south, box.east, box.north] as [number, number, number, number], total };

    if (total <= POINTS_WHEN_AT_MOST || zoom >= POINTS_FROM_ZOOM) {
      const fromStore = await maps.points(audiences, grid, MAX_POINTS + 1, ownerId);
      const all: MapPhoto[] = [...fromStore, ...extras.filter((p) => inBox(p, degrees))].sort((a, b) => b.id - a.id);
      return {
        ...base,
        kind: "points",
        truncated: all.length > MAX_POINTS || extras.length >= MAX_EXTRAS,
        clusters: [],
        points: all.slice(0, MAX_POINTS).map((p) => this.point(p)),
      };
    }
    const listed = [...cells.values()];
    const photos = await maps.photos([...new Set(listed.map((c) => c.photoId))]);
    return {
      ...base,
      kind: "clusters",
      truncated: extras.length >= MAX_EXTRAS,
      clusters: listed.map((c) => {
        const photo = photos.get(c.photoId);
        return {
          latitude: round6(c.sumLat / c.count / 1e6),
          longitude: round6(c.sumLon / c.count / 1e6),
          count: c.count,
          photo: photo ? { id: String(c.photoId), thumbnailUrl: this.thumbnail(c.photoId, photo.secret), pageUrl: this.pageUrl(c.photoId, photo.owner_username) } : null,
        };
      }),
      points: [],
    };
  }
}
