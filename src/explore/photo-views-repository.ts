import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** Three values a row: well under SQLite's limit of 32,766 parameters and PostgreSQL's 65,535. */
const VIEWS_PER_STATEMENT = 500;

/** Every query about photo views. */
export class PhotoViewsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records views in one transaction: INSERT … ON CONFLICT DO NOTHING RETURNING, a few hundred
   * rows a statement, answers only the rows really inserted (SQLite and PostgreSQL alike), and
   * each photo's counter moves by those, so two servers recording the same visit count it once.
   * One statement per view held the database for the whole batch: on SQLite, where the page's
   * queries wait for the one connection, a batch of 2,000 views stalled pages for about 80 ms.
   */
  async recordMany(views: Array<{ photoId: number; viewerKey: string; day: number }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const added = new Map<number, number>();
      for (let start = 0; start < views.length; start += VIEWS_PER_STATEMENT) {
        const rows = views.slice(start, start + VIEWS_PER_STATEMENT).map((view) => ({ photo_id: view.photoId, viewer_key: view.viewerKey, day: view.day }));
        const inserted = await trx
          .insertInto("photo_views")
          .values(rows)
          .onConflict((oc) => oc.columns(["photo_id", "viewer_key", "day"]).doNothing())
          .returning("photo_id")
          .execute();
        for (const row of inserted) added.set(Number(row.photo_id), (added.get(Number(row.photo_id)) ?? 0) + 1);
      }
      // Each photo's counter, a few hundred photos a statement: one UPDATE per photo held
      // SQLite's connection for tens of milliseconds when a batch held thousands.
      const counts = [...added];
      for (let start = 0; start < counts.length; start += VIEWS_PER_STATEMENT) {
        const rows = counts.slice(start, start + VIEWS_PER_STATEMENT).map(([photoId, count]) => sql`select cast(${photoId} as bigint) as photo_id, cast(${count} as integer) as added`);
        await sql`update photos set view_count = view_count + counted.added
          from (${sql.join(rows, sql` union all `)}) as counted
          where photos.id = counted.photo_id`.execute(trx);
      }
    });
  }

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("view_count").where("id", "=", photoId).executeTakeFirst();
    return row?.view_count ?? 0;
  }
}
