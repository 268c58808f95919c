import { PostgresAdapter, sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import type { Database, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Tag } from "../photos/tags.ts";
import type { Audience } from "../photos/visibility.ts";
import { searchDocument, type QueryTerm } from "./text.ts";

export type SearchSort = "relevance" | "taken" | "uploaded" | "interesting";

/** Where a page starts: the sort key of the last photo of the page before (and its id, which breaks ties). */
export type SearchAfter =
  | { sort: "relevance"; score: number; id: number }
  | { sort: "interesting"; score: number; id: number }
  | { sort: "taken"; takenAt: string | null; id: number }
  | { sort: "uploaded"; id: number };

export interface BoundingBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export interface SearchScope {
  audience: Audience;
  /** Every term must match somewhere in the title, description, tags or owner's username; none: no text condition. */
  terms: QueryTerm[];
  /** The owner's username key (lower case). */
  usernameKey?: string;
  /** Normalised tags (as in photo_tags.tag); with `tagMode` all, every one; with any, at least one. */
  tags?: string[];
  tagMode: "all" | "any";
  /** Date taken (the camera's clock, as stored): from this day, and before this day (exclusive), "YYYY-MM-DD". */
  takenFrom?: string;
  takenBefore?: string;
  /** Upload time in epoch ms: at or after, and before. */
  uploadedFrom?: number;
  uploadedBefore?: number;
  cameraModel?: string;
  license?: string;
  hasLocation?: boolean;
  bbox?: BoundingBox;
  /** Pinhole stores still images only: videos finds nothing. */
  media: "photos" | "videos" | "all";
  sort: SearchSort;
  after?: SearchAfter;
  limit: number;
}

export type SearchRow = PhotoRecord & { sort_score: number | null };

const WEIGHTS = { title: 8, tags: 4, username: 2, description: 1 } as const;

/**
 * The search index (`photo_search`, migration 0011) and the search query. On SQLite an FTS5
 * table keyed by rowid = photo id; on PostgreSQL a table keyed by photo_id with a `simple`
 * tsvector under a GIN index. Both hold the same words (search/text.ts).
 */
export class SearchRepository {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * A page of the photos this audience may see that match. Visibility, suspension, location
   * privacy and every filter are conditions of the one query, so LIMIT counts only photos the
   * viewer may see.
   */
  async search(scope: SearchScope): Promise<SearchRow[]> {
    const pg = this.postgres;
    const conditions: RawBuilder<unknown>[] = [visibleTo(scope.audience, "p"), ownerActive("p")];
    const hasText = scope.terms.length > 0;
    if (hasText) conditions.push(pg ? sql`photo_search.document @@ to_tsquery('simple', ${tsQuery(scope.terms)})` : sql`photo_search match ${ftsQuery(scope.terms)}`);
    if (scope.usernameKey !== undefined) conditions.push(sql`p.owner_id = (select su.id from users su where su.username_key = ${scope.usernameKey})`);
    if (scope.tags && scope.tags.length > 0) {
      if (scope.tagMode === "all") for (const tag of scope.tags) conditions.push(sql`p.id in (select st.photo_id from photo_tags st where st.tag = ${tag})`);
      else conditions.push(sql`p.id in (select st.photo_id from photo_tags st where st.tag in (${sql.join(scope.tags)}))`);
    }
    if (scope.takenFrom !== undefined) conditions.push(sql`p.taken_at >= ${scope.takenFrom}`);
    if (scope.takenBefore !== undefined) conditions.push(sql`p.taken_at < ${scope.takenBefore}`);
    if (scope.uploadedFrom !== undefined) conditions.push(sql`p.uploaded_at >= ${scope.uploadedFrom}`);
    if (scope.uploadedBefore !== undefined) conditions.push(sql`p.uploaded_at < ${scope.uploadedBefore}`);
    if (scope.cameraModel !== undefined) conditions.push(sql`p.camera_model = ${scope.cameraModel}`);
    if (scope.license !== undefined) conditions.push(sql`p.license = ${scope.license}`);
    // A location counts only where this viewer may see it in a list: for everyone, or their own.
    const locationShown = this.locationShown(scope.audience);
    if (scope.hasLocation === true) conditions.push(locationShown);
    if (scope.hasLocation === false) conditions.push(sql`not ${locationShown}`);
    if (scope.bbox) {
      const b = scope.bbox;
      conditions.push(locationShown, sql`p.latitude >= ${b.minLat} and p.latitude <= ${b.maxLat}`);
      // West greater than east: the box crosses the antimeridian.
      conditions.push(b.minLon <= b.maxLon ? sql`p.longitude >= ${b.minLon} and p.longitude <= ${b.maxLon}` : sql`(p.longitude >= ${b.minLon} or p.longitude <= ${b.maxLon})`);
    }
    if (scope.media === "videos") conditions.push(sql`1 = 0`);

    const score = this.sortScore(scope);
    const after = scope.after;
    if (after) {
      switch (after.sort) {
        case "relevance":
        case "interesting":
          conditions.push(sql`(${score} < ${after.score} or (${score} = ${after.score} and p.id < ${after.id}))`);
          break;
        case "taken":
          conditions.push(after.takenAt === null ? sql`(p.taken_at is null and p.id < ${after.id})` : sql`(p.taken_at < ${after.takenAt} or (p.taken_at = ${after.takenAt} and p.id < ${after.id}) or p.taken_at is null)`);
          break;
        case "uploaded":
          conditions.push(sql`p.id < ${after.id}`);
          break;
        default: {
          const never: never = after;
          throw new Error(`unknown cursor ${JSON.stringify(never)}`);
        }
      }
    }
    // Two steps in one statement: the page's ids and sort keys from the narrow columns the
    // conditions read, then the whole rows of those few photos only. Sorting thousands of
    // matches with every column of the row was most of the time of a search.
    const join = hasText ? (pg ? sql`inner join photo_search on photo_search.photo_id = p.id` : sql`inner join photo_search on photo_search.rowid = p.id`) : sql``;
    const { rows } = await sql<PhotoRow & { owner_username: string; sort_score: number | null }>`
      select p.*, u.username as owner_username, hits.sort_score
      from (
        select p.id, ${score ?? sql`null`} as sort_score
        from photos p ${join}
        where ${sql.join(conditions, sql` and `)}
        order by ${this.orderBy(scope.sort, score, "sort_score")}
        limit ${scope.limit}
      ) hits
      inner join photos p on p.id = hits.id
      inner join users u on u.id = p.owner_id
      order by ${this.orderBy(scope.sort, score, "hits.sort_score")}`.execute(this.db);
    return rows.map(withTags);
  }

  private locationShown(audience: Audience): RawBuilder<unknown> {
    const whose = audience.viewerId === null ? sql`p.location_visibility = 'everyone'` : sql`(p.location_visibility = 'everyone' or p.owner_id = ${audience.viewerId})`;
    return sql`(p.latitude is not null and p.longitude is not null and ${whose})`;
  }

  /**
   * Relevance: for each term, 8 when the title has it, 4 the tags, 2 the username, 1 the
   * description, summed. It depends only on the photo and the query (unlike bm25 or ts_rank
   * with corpus statistics), so it is the same on both databases and a cursor stays right
   * while photos are added. Interesting: the attention part of Explore's score
   * (explore/ranking.ts: 3·faves + 2·comments + log2(1 + views)) without its decay by age,
   * which would move every photo between two pages.
   */
  private sortScore(scope: SearchScope): RawBuilder<number> | null {
    if (scope.sort === "interesting") return sql<number>`(3 * p.fave_count + 2 * p.comment_count + ln(cast(1 + p.view_count as double precision)) / ln(2))`;
    if (scope.sort !== "relevance" || scope.terms.length === 0) return null;
    const has = (field: keyof typeof WEIGHTS, term: QueryTerm) => {
      const needle = term.prefix ? ` ${term.word}` : ` ${term.word} `;
      const haystack = sql`(' ' || ${sql.ref(`photo_search.${field}`)} || ' ')`;
      return this.postgres ? sql`(case when strpos(${haystack}, ${needle}) > 0 then ${sql.lit(WEIGHTS[field])} else 0 end)` : sql`(case when instr(${haystack}, ${needle}) > 0 then ${sql.lit(WEIGHTS[field])} else 0 end)`;
    };
    const parts = scope.terms.flatMap((term) => (Object.keys(WEIGHTS) as Array<keyof typeof WEIGHTS>).map((field) => has(field, term)));
    return sql<number>`(${sql.join(parts, sql` + `)})`;
  }

  private orderBy(sort: SearchSort, score: RawBuilder<number> | null, scoreRef: string): RawBuilder<unknown> {
    switch (sort) {
      case "relevance":
      case "interesting":
        return score ? sql`${sql.ref(scoreRef)} desc, p.id desc` : sql`p.id desc`;
      case "taken":
        return sql`(p.taken_at is null), p.taken_at desc, p.id desc`;
      case "uploaded":
        return sql`p.id desc`;
    }
  }
}

function ftsQuery(terms: QueryTerm[]): string {
  // Terms are letters and digits only (search/text.ts), so quoting them is enough.
  return terms.map((t) => `"${t.word}"${t.prefix ? "*" : ""}`).join(" ");
}

function tsQuery(terms: QueryTerm[]): string {
  return terms.map((t) => `'${t.word}'${t.prefix ? ":*" : ""}`).join(" & ");
}

/**
 * Writes a photo's search row from the photo as stored, inside the caller's transaction: the
 * photos repository calls it wherever a photo's title, description or tags are written.
 */
export async function writeSearchRow(trx: Transaction<Database>, photo: { id: number; title: string; description: string; tags: Tag[]; ownerId: number }): Promise<void> {
  const owner = await trx.selectFrom("users").select("username").where("id", "=", photo.ownerId).executeTakeFirstOrThrow();
  const doc = searchDocument({ ...photo, username: owner.username });
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`insert into photo_search (photo_id, title, description, tags, username) values (${photo.id}, ${doc.title}, ${doc.description}, ${doc.tags}, ${doc.username})
      on conflict (photo_id) do update set title = excluded.title, description = excluded.description, tags = excluded.tags, username = excluded.username`.execute(trx);
  } else {
    await sql`delete from photo_search where rowid = ${photo.id}`.execute(trx);
    await sql`insert into photo_search (rowid, title, description, tags, username) values (${photo.id}, ${doc.title}, ${doc.description}, ${doc.tags}, ${doc.username})`.execute(trx);
  }
}
