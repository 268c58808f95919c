import { setImmediate as nextTurn } from "node:timers/promises";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { firstPhotoIdAt } from "../photos/ids.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import { ANONYMOUS } from "../photos/visibility.ts";

export interface ExploreCandidate {
  id: number;
  faves: number;
  comments: number;
  views: number;
  uploadedAt: number;
}

export type ExplorePhotoRow = PhotoRecord & { rank: number; score: number };

/** About 10 ms of SQLite's time here. */
const CANDIDATES_PER_READ = 2000;

/** Every query about Explore: its candidates, the stored ranking, and reading it back. */
export class ExploreRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Photos anyone may see (public, not restricted, not hidden, owner not suspended) uploaded
   * since `since`, read a few thousand at a time in id order: SQLite answers synchronously, and
   * reading a busy day's 90,000 photos at once held the server's event loop, and every page
   * waiting on it, for 0.4–0.7 s. Between two reads the server answers what came in.
   */
  async candidates(since: number): Promise<ExploreCandidate[]> {
    const found: ExploreCandidate[] = [];
    // Ids grow with upload time: the bound lets the primary key skip older photos (no scan of the table).
    let after = firstPhotoIdAt(since) - 1;
    for (;;) {
      const rows = await this.db
        .selectFrom("photos")
        .select(["id", "fave_count", "comment_count", "view_count", "uploaded_at"])
        .where(visibleTo(ANONYMOUS))
        .where(ownerActive())
        .where("id", ">", after)
        .where("uploaded_at", ">=", since)
        .orderBy("id")
        .limit(CANDIDATES_PER_READ)
        .execute();
      for (const r of rows) found.push({ id: r.id, faves: r.fave_count, comments: r.comment_count, views: r.view_count, uploadedAt: r.uploaded_at });
      if (rows.length < CANDIDATES_PER_READ) return found;
      after = rows[rows.length - 1]!.id;
      await nextTurn();
    }
  }

  /** Replaces the ranking of `day` in one transaction (readers see the old one or the new one), and drops days before `keepFrom`. */
  async replaceDay(day: string, entries: Array<{ photoId: number; score: number }>, keepFrom: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("explore_entries").where((eb) => eb.or([eb("day", "=", day), eb("day", "<", keepFrom)])).execute();
      for (let start = 0; start < entries.length; start += 200) {
        const chunk = entries.slice(start, start + 200).map((e, i) => ({ day, rank: start + i + 1, photo_id: e.photoId, score: e.score }));
        await trx.insertInto("explore_entries").values(chunk).execute();
      }
    });
  }

  async latestDay(): Promise<string | null> {
    const row = await this.db.selectFrom("explore_entries").select((eb) => eb.fn.max("day").as("day")).executeTakeFirst();
    return row?.day ?? null;
  }

  /** The ids `page` would answer now, in order, without reading the photos: whether a page presented earlier is still right. */
  async pageIds(day: string, afterRank: number, limit: number): Promise<number[]> {
    const rows = await this.pageQuery(day, afterRank, limit).select("photos.id").execute();
    return rows.map((r) => Number(r.id));
  }

  /**
   * A page of a day's ranking, as stored. A photo that has since become private, restricted,
   * hidden or whose owner was suspended is left out at once rather than at the next ranking.
   */
  async page(day: string, afterRank: number, limit: number): Promise<ExplorePhotoRow[]> {
    const rows = await this.pageQuery(day, afterRank, limit)
      .selectAll("photos")
      .select(["users.username as owner_username", "explore_entries.rank", "explore_entries.score"])
      .execute();
    return rows.map(withTags);
  }

  private pageQuery(day: string, afterRank: number, limit: number) {
    return this.db
      .selectFrom("explore_entries")
      .innerJoin("photos", "photos.id", "explore_entries.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .where("explore_entries.day", "=", day)
      .where("explore_entries.rank", ">", afterRank)
      .where(visibleTo(ANONYMOUS))
      .where("users.suspended_at", "is", null)
      .orderBy("explore_entries.rank")
      .limit(limit);
  }
}
