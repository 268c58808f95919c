import { PostgresAdapter, sql, type Kysely, type RawBuilder, type Transaction } from "kysely";
import type { Database, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Tag } from "../photos/tags.ts";
import type { Audience } from "../photos/visibility.ts";
import { searchDocument, searchPostings, type QueryTerm } from "./text.ts";

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
    const conditions: RawBuilder<unknown>[] = [visibleTo(scope.audience, "p"), ownerActive("p")];
    // Relevance matches the words tier by tier (relevanceHits); every other sort here.
    if (scope.terms.length > 0 && scope.sort !== "relevance") conditions.push(this.textMatch(scope.terms, "all"));
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

    if (scope.sort === "relevance" && scope.terms.every((t) => !t.prefix)) return this.byPostings(scope, conditions);
    // Two steps in one statement: the page's ids and sort keys from the narrow columns the
    // conditions read, then the whole rows of those few photos only.
    const hits = scope.sort === "relevance" ? this.relevanceHits(scope, conditions) : this.orderedHits(scope, conditions);
    const outerOrder =
      scope.sort === "relevance" || scope.sort === "interesting" ? sql`hits.sort_score desc, p.id desc` : scope.sort === "taken" ? sql`(p.taken_at is null), p.taken_at desc, p.id desc` : sql`p.id desc`;
    const { rows } = await sql<PhotoRow & { owner_username: string; sort_score: number | null }>`
      select p.*, u.username as owner_username, hits.sort_score
      from (${hits}) hits
      inner join photos p on p.id = hits.id
      inner join users u on u.id = p.owner_id
      order by ${outerOrder}`.execute(this.db);
    return rows.map(withTags);
  }

  /**
   * Relevance through the ordered postings (migration 0022), tier by tier, stopping once the page
   * is full: tier 2 walks the first word's level-2 postings newest first straight from the primary
   * key, keeping photos whose every other word has one too; tier 1 the same at level 1, less those
   * of tier 2; tier 0 the full-text matches that are in neither. A common word's first page so
   * reads about a page of postings. The tiers are those of `relevanceHits`, which still answers
   * queries with a prefix word (`lake*`), whose words are not known in advance.
   */
  private async byPostings(scope: SearchScope, conditions: RawBuilder<unknown>[]): Promise<SearchRow[]> {
    const words = [...new Set(scope.terms.map((t) => t.word))];
    const after = scope.after?.sort === "relevance" ? scope.after : undefined;
    const driver = await this.rarest(words);
    const others = words.filter((w) => w !== driver);
    const atLevel = (level: 1 | 2, word: string, id: RawBuilder<unknown>) => sql`exists (select 1 from search_postings o where o.word = ${word} and o.level = ${level} and o.photo_id = ${id})`;
    const everyAt = (level: 1 | 2, id: RawBuilder<unknown>) => sql.join(words.map((w) => atLevel(level, w, id)), sql` and `);
    const hits: Array<{ id: number; score: number }> = [];
    for (const tier of [2, 1, 0] as const) {
      const need = scope.limit - hits.length;
      if (need <= 0) break;
      if (after && tier > after.score) continue;
      const where = [...conditions];
      let query: RawBuilder<{ id: number | string }>;
      if (tier > 0) {
        const level = tier as 1 | 2;
        where.push(...others.map((w) => atLevel(level, w, sql`sp.photo_id`)));
        if (level === 1) where.push(sql`not (${everyAt(2, sql`sp.photo_id`)})`);
        if (after && tier === after.score) where.push(sql`sp.photo_id < ${after.id}`);
        query = sql`select sp.photo_id as id from search_postings sp inner join photos p on p.id = sp.photo_id
          where sp.word = ${driver} and sp.level = ${level} and ${sql.join(where, sql` and `)}
          order by sp.photo_id desc limit ${need}`;
      } else {
        where.push(this.textMatch(scope.terms, "all"), sql`not (${everyAt(1, sql`p.id`)})`);
        if (after && tier === after.score) where.push(sql`p.id < ${after.id}`);
        query = sql`select p.id from photos p where ${sql.join(where, sql` and `)} order by p.id desc limit ${need}`;
      }
      const { rows } = await query.execute(this.db);
      hits.push(...rows.map((r) => ({ id: Number(r.id), score: tier })));
    }
    if (hits.length === 0) return [];
    const score = new Map(hits.map((h) => [h.id, h.score]));
    const { rows } = await sql<PhotoRow & { owner_username: string }>`
      select p.*, u.username as owner_username from photos p inner join users u on u.id = p.owner_id
      where p.id in (${sql.join(hits.map((h) => h.id))})`.execute(this.db);
    return rows
      .map((r) => withTags({ ...r, sort_score: score.get(Number(r.id)) ?? 0 }))
      .sort((a, b) => (b.sort_score ?? 0) - (a.sort_score ?? 0) || b.id - a.id) as SearchRow[];
  }

  /** The query word with the fewest level-1 postings (counted up to a cap), to walk the others from. */
  private async rarest(words: string[]): Promise<string> {
    if (words.length === 1) return words[0]!;
    const counts = await Promise.all(
      words.map(async (word) => {
        const row = await sql<{ n: number | string }>`select count(*) as n from (select 1 from search_postings where word = ${word} and level = 1 limit 10000) c`.execute(this.db);
        return { word, n: Number(row.rows[0]?.n ?? 0) };
      }),
    );
    return counts.sort((a, b) => a.n - b.n)[0]!.word;
  }

  /** The page's ids for the sorts that read the photos row: taken, uploaded, interesting. */
  private orderedHits(scope: SearchScope, conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
    const where = [...conditions];
    const after = scope.after;
    const interesting = sql<number>`(3 * p.fave_count + 2 * p.comment_count + ln(cast(1 + p.view_count as double precision)) / ln(2))`;
    if (after?.sort === "interesting") where.push(sql`(${interesting} < ${after.score} or (${interesting} = ${after.score} and p.id < ${after.id}))`);
    if (after?.sort === "taken") where.push(after.takenAt === null ? sql`(p.taken_at is null and p.id < ${after.id})` : sql`(p.taken_at < ${after.takenAt} or (p.taken_at = ${after.takenAt} and p.id < ${after.id}) or p.taken_at is null)`);
    if (after?.sort === "uploaded") where.push(sql`p.id < ${after.id}`);
    const select = scope.sort === "interesting" ? sql`${interesting} as sort_score` : sql`null as sort_score`;
    const order = scope.sort === "interesting" ? sql`sort_score desc, p.id desc` : scope.sort === "taken" ? sql`(p.taken_at is null), p.taken_at desc, p.id desc` : sql`p.id desc`;
    return sql`select p.id, ${select} from photos p where ${sql.join(where, sql` and `)} order by ${order} limit ${scope.limit}`;
  }

  /**
   * Relevance in three tiers, newest first within each: every word in the title (2); every
   * word in the title or the tags (1); the rest, where some word is only in the description or
   * the username (0). It depends only on the photo and the query (unlike bm25 or ts_rank with
   * their corpus statistics), so it is the same on both databases and a cursor holds while
   * photos are added. Each tier is its own query walking its own matches newest first and
   * stopping at a page (the first two tiers' words imply a match anywhere): a common word
   * matching 10,000 photos reads about a page of them, not all of them.
   */
  private relevanceHits(scope: SearchScope, conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
    const after = scope.after?.sort === "relevance" ? scope.after : undefined;
    const inTitle = this.textMatch(scope.terms, "title");
    const inTitleOrTags = this.textMatch(scope.terms, "title_tags");
    const tiers: Array<[number, RawBuilder<unknown>[]]> = [
      [2, [inTitle]],
      [1, [inTitleOrTags, sql`not ${inTitle}`]],
      [0, [this.textMatch(scope.terms, "all"), sql`not ${inTitleOrTags}`]],
    ];
    const parts = tiers
      .filter(([tier]) => !after || tier <= after.score)
      .map(([tier, extra]) => {
        const where = [...conditions, ...extra];
        if (after && tier === after.score) where.push(sql`p.id < ${after.id}`);
        // Wrapped so that each part keeps its own ORDER BY and LIMIT inside the UNION ALL.
        return sql`select * from (select p.id, ${sql.lit(tier)} as sort_score from photos p where ${sql.join(where, sql` and `)} order by p.id desc limit ${scope.limit}) t${sql.raw(String(tier))}`;
      });
    if (parts.length === 0) return sql`select p.id, 0 as sort_score from photos p where 1 = 0`;
    return sql`select * from (${sql.join(parts, sql` union all `)}) tiers order by sort_score desc, id desc limit ${scope.limit}`;
  }

  /**
   * Photos where every term is found: anywhere, in the title, or each in the title or the
   * tags. The FTS5 table and the tsvector hold the same words (search/text.ts); a field's
   * words are also stored alone, space-separated, so " word " in " field " says the same.
   */
  private textMatch(terms: QueryTerm[], where: "all" | "title" | "title_tags"): RawBuilder<unknown> {
    if (!this.postgres) {
      const columns = where === "title" ? "{title} : " : where === "title_tags" ? "{title tags} : " : "";
      const fts = terms.map((t) => `${columns}"${t.word}"${t.prefix ? "*" : ""}`).join(" AND ");
      return sql`(p.id in (select rowid from photo_search where photo_search match ${fts}))`;
    }
    const fields = where === "title" ? sql`(' ' || s.title || ' ')` : where === "title_tags" ? sql`(' ' || s.title || ' ' || s.tags || ' ')` : null;
    const checks = fields ? terms.map((t) => sql`strpos(${fields}, ${t.prefix ? ` ${t.word}` : ` ${t.word} `}) > 0`) : [];
    return sql`(p.id in (select s.photo_id from photo_search s where ${sql.join([sql`s.document @@ to_tsquery('simple', ${tsQuery(terms)})`, ...checks], sql` and `)}))`;
  }

  private locationShown(audience: Audience): RawBuilder<unknown> {
    const whose = audience.viewerId === null ? sql`p.location_visibility = 'everyone'` : sql`(p.location_visibility = 'everyone' or p.owner_id = ${audience.viewerId})`;
    return sql`(p.latitude is not null and p.longitude is not null and ${whose})`;
  }
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
  // The postings follow the words, in the same transaction.
  await trx.deleteFrom("search_postings").where("photo_id", "=", photo.id).execute();
  const postings = searchPostings(doc).map((p) => ({ word: p.word, level: p.level, photo_id: photo.id }));
  if (postings.length > 0) await trx.insertInto("search_postings").values(postings).execute();
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`insert into photo_search (photo_id, title, description, tags, username) values (${photo.id}, ${doc.title}, ${doc.description}, ${doc.tags}, ${doc.username})
      on conflict (photo_id) do update set title = excluded.title, description = excluded.description, tags = excluded.tags, username = excluded.username`.execute(trx);
  } else {
    await sql`delete from photo_search where rowid = ${photo.id}`.execute(trx);
    await sql`insert into photo_search (rowid, title, description, tags, username) values (${photo.id}, ${doc.title}, ${doc.description}, ${doc.tags}, ${doc.username})`.execute(trx);
  }
}
