import { InvalidError, wording } from "../errors.ts";
import { isLicenseId } from "../photos/licenses.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import { normalizeTag } from "../photos/tags.ts";
import { audienceOf } from "../photos/visibility.ts";
import type { Viewer } from "../users/service.ts";
import type { BoundingBox, SearchAfter, SearchRepository, SearchRow, SearchScope, SearchSort } from "./repository.ts";
import { queryTerms } from "./text.ts";

/** The parameters as they arrive (API query or the page's GET form); empty means not given. */
export interface SearchParams {
  q?: string;
  user?: string;
  tags?: string;
  tagMode?: string;
  takenFrom?: string;
  takenTo?: string;
  uploadedFrom?: string;
  uploadedTo?: string;
  camera?: string;
  license?: string;
  hasLocation?: string;
  bbox?: string;
  media?: string;
  sort?: string;
  cursor?: string;
  perPage?: number;
}

export interface SearchResult {
  photos: PhotoView[];
  nextCursor: string | null;
}

export const SEARCH_SORTS: SearchSort[] = ["relevance", "taken", "uploaded", "interesting"];
const MAX_TAGS = 20;
const DAY_MS = 86_400_000;

type ViewerRef = Pick<Viewer, "id" | "showsRestricted"> | null;

/** Search: checks the parameters (each wrong one a 400 naming what is right), asks the repository for one page, presents it. */
export class SearchService {
  constructor(private readonly deps: { search: SearchRepository; baseUrl: string }) {}

  async search(viewer: ViewerRef, params: SearchParams, defaultPerPage = 50): Promise<SearchResult> {
    const scope = parseScope(viewer, params, defaultPerPage);
    const rows = await this.deps.search.search({ ...scope, limit: scope.limit + 1 });
    const page = rows.slice(0, scope.limit);
    const last = page[page.length - 1];
    return {
      photos: page.map((r) => presentPhoto(r, viewer?.id ?? null, this.deps.baseUrl)),
      nextCursor: rows.length > scope.limit && last ? encodeCursor(cursorOf(scope.sort, last)) : null,
    };
  }

  /**
   * Ids of the photos matching the words that the viewer may see, best first (the Flickr API's
   * `text`, whose other filters it applies itself). Words that are all punctuation match nothing.
   */
  async matchingPhotoIds(viewer: ViewerRef, text: string, limit: number): Promise<number[]> {
    if (queryTerms(text).length === 0 || limit <= 0) return [];
    const scope = parseScope(viewer, { q: text, sort: "relevance" }, 1);
    const rows = await this.deps.search.search({ ...scope, limit });
    return rows.map((r) => Number(r.id));
  }
}

const given = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

export function parseScope(viewer: ViewerRef, params: SearchParams, defaultPerPage: number): SearchScope {
  const terms = queryTerms(params.q ?? "");
  const sortParam = given(params.sort);
  if (sortParam !== undefined && !(SEARCH_SORTS as string[]).includes(sortParam)) throw new InvalidError(wording("search.errors.sort", { sorts: SEARCH_SORTS.join(", ") }), { field: "sort" });
  const sort = (sortParam as SearchSort | undefined) ?? (terms.length > 0 ? "relevance" : "uploaded");
  if (sort === "relevance" && terms.length === 0) throw new InvalidError(wording("errors.search.relevanceNeedsWords"), { field: "sort" });

  const tagMode = given(params.tagMode) ?? "all";
  if (tagMode !== "all" && tagMode !== "any") throw new InvalidError(wording("search.errors.tagMode"), { field: "tagMode" });
  const tags = [...new Set((params.tags ?? "").split(/[\s,]+/).map(normalizeTag).filter((t) => t.length > 0))];
  if (tags.length > MAX_TAGS) throw new InvalidError(wording("errors.search.tooManyTags", { max: MAX_TAGS }), { field: "tags" });

  const media = given(params.media) ?? "all";
  if (media !== "photos" && media !== "videos" && media !== "all") throw new InvalidError(wording("search.errors.media"), { field: "media" });

  const license = given(params.license);
  if (license !== undefined && !isLicenseId(license)) throw new InvalidError(wording("search.errors.license"), { field: "license" });

  const takenFrom = given(params.takenFrom);
  const takenTo = given(params.takenTo);
  if (takenFrom !== undefined) parseDay(takenFrom, "takenFrom");
  const takenBefore = takenTo === undefined ? undefined : new Date(parseDay(takenTo, "takenTo") + DAY_MS).toISOString().slice(0, 10);
  const uploadedFrom = given(params.uploadedFrom) === undefined ? undefined : parseInstant(params.uploadedFrom!.trim(), "uploadedFrom", "start");
  const uploadedBefore = given(params.uploadedTo) === undefined ? undefined : parseInstant(params.uploadedTo!.trim(), "uploadedTo", "end");

  const perPage = params.perPage ?? defaultPerPage;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new InvalidError(wording("search.errors.perPage"), { field: "perPage" });
  const user = given(params.user);
  return {
    audience: audienceOf(viewer),
    terms,
    usernameKey: user?.toLowerCase(),
    tags,
    tagMode,
    takenFrom,
    takenBefore,
    uploadedFrom,
    uploadedBefore,
    cameraModel: given(params.camera),
    license,
    hasLocation: parseSwitch(params.hasLocation),
    bbox: given(params.bbox) === undefined ? undefined : parseBbox(params.bbox!),
    media,
    sort,
    after: given(params.cursor) === undefined ? undefined : decodeCursor(params.cursor!.trim(), sort),
    limit: perPage,
  };
}

/** A calendar day, YYYY-MM-DD, as UTC midnight in ms. */
function parseDay(value: string, field: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw new InvalidError(wording("search.errors.day", { field }), { field });
  return ms;
}

/** A day (the whole UTC day: from its start, or to its end) or an ISO 8601 instant with a time zone; answers a bound in ms (`end` exclusive). */
function parseInstant(value: string, field: string, bound: "start" | "end"): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return parseDay(value, field) + (bound === "end" ? DAY_MS : 0);
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new InvalidError(wording("search.errors.dayOrTime", { field }), { field });
  return ms + (bound === "end" ? 1 : 0);
}

function parseSwitch(value: string | undefined): boolean | undefined {
  const v = given(value)?.toLowerCase();
  if (v === undefined) return undefined;
  if (["true", "1", "yes", "on"].includes(v)) return true;
  if (["false", "0", "no", "off"].includes(v)) return false;
  throw new InvalidError(wording("search.errors.hasLocation"), { field: "hasLocation" });
}

export function parseBbox(value: string): BoundingBox {
  const parts = value.split(",").map((p) => p.trim());
  const numbers = parts.map((p) => (/^-?\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
  const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
  const problem =
    parts.length !== 4 || numbers.some((n) => Number.isNaN(n))
      ? wording("errors.search.bboxShape")
      : [minLon, maxLon].some((n) => n < -180 || n > 180)
        ? wording("errors.search.bboxLongitudes")
        : [minLat, maxLat].some((n) => n < -90 || n > 90)
          ? wording("errors.search.bboxLatitudes")
          : minLat > maxLat
            ? wording("errors.search.bboxOrder")
            : null;
  if (problem) throw new InvalidError(problem, { field: "bbox" });
  return { minLon, minLat, maxLon, maxLat };
}

// ---- Cursors: the last photo's sort key, opaque to clients (base64url of JSON) ----

function cursorOf(sort: SearchSort, row: SearchRow): SearchAfter {
  switch (sort) {
    case "relevance":
    case "interesting":
      return { sort, score: Number(row.sort_score), id: row.id };
    case "taken":
      return { sort, takenAt: row.taken_at, id: row.id };
    case "uploaded":
      return { sort, id: row.id };
  }
}

function encodeCursor(after: SearchAfter): string {
  const keys = after.sort === "taken" ? [after.takenAt, after.id] : after.sort === "uploaded" ? [after.id] : [after.score, after.id];
  return Buffer.from(JSON.stringify([after.sort, ...keys])).toString("base64url");
}

function decodeCursor(cursor: string, sort: SearchSort): SearchAfter {
  const bad = () => new InvalidError(wording("errors.search.cursor"), { field: "cursor" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed[0] !== sort) throw bad();
  const id = parsed[parsed.length - 1] as unknown;
  if (typeof id !== "number" || !Number.isSafeInteger(id)) throw bad();
  switch (sort) {
    case "relevance":
    case "interesting": {
      const score = parsed[1] as unknown;
      if (parsed.length !== 3 || typeof score !== "number" || !Number.isFinite(score)) throw bad();
      return { sort, score, id };
    }
    case "taken": {
      const takenAt = parsed[1] as unknown;
      if (parsed.length !== 3 || (takenAt !== null && (typeof takenAt !== "string" || takenAt.length > 40))) throw bad();
      return { sort, takenAt, id };
    }
    case "uploaded":
      if (parsed.length !== 2) throw bad();
      return { sort, id };
  }
}
