import { PostgresAdapter, sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** Rows a statement: two or three parameters each, far below either database's limit. */
const VIEWS_PER_STATEMENT = 500;

/** Every query about photo views. */
export class PhotoViewsRepository {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * Records views in one transaction: INSERT … ON CONFLICT DO NOTHING RETURNING, a few hundred
   * rows a statement, answers only the rows really inserted (SQLite and PostgreSQL alike), and
   * each photo's counter moves by those, so two servers recording the same visit count it once.
   * One statement per view held the database for the whole batch: on SQLite, where the page's
   * queries wait for the one connection, a batch of 2,000 views stalled pages for about 80 ms.
   * Views of photos deleted since the visit are left out: one of them failed the whole batch's
   * foreign key, and every other photo's views were lost with it.
   */
  async recordMany(views: Array<{ photoId: number; viewerKey: string; day: number }>): Promise<void> {
    // In one order on every server, so two PostgreSQL servers writing the same photos' rows wait
    // for each other instead of deadlocking.
    const ordered = [...views].sort((a, b) => a.photoId - b.photoId || (a.viewerKey < b.viewerKey ? -1 : a.viewerKey > b.viewerKey ? 1 : a.day - b.day));
    await this.db.transaction().execute(async (trx) => {
      const added = new Map<number, number>();
      for (let start = 0; start < ordered.length; start += VIEWS_PER_STATEMENT) {
        const slice = ordered.slice(start, start + VIEWS_PER_STATEMENT);
        const existing = await this.existingPhotos(trx, [...new Set(slice.map((view) => view.photoId))]);
        const rows = slice.filter((view) => existing.has(view.photoId)).map((view) => ({ photo_id: view.photoId, viewer_key: view.viewerKey, day: view.day }));
        if (rows.length === 0) continue;
        const inserted = await trx
          .insertInto("photo_views")
          .values(rows)
          .onConflict((oc) => oc.columns(["photo_id", "viewer_key", "day"]).doNothing())
          .returning("photo_id")
          .execute();
        for (const row of inserted) added.set(Number(row.photo_id), (added.get(Number(row.photo_id)) ?? 0) + 1);
      }
      // Each photo's counter, a few hundred photos a statement: one UPDATE per photo held
      // SQLite's connection for tens of milliseconds when a batch held thousands. The counts come
      // as one VALUES list: PostgreSQL took 155-185 ms to plan and run 500 `select … union all`
      // arms, 34 ms for the same rows as VALUES. The ids again as `in (…)`, or SQLite scans every
      // photo for the join (96 ms for 500 of 100,000 photos; 1.4 ms with it).
      const counts = [...added].sort((a, b) => a[0] - b[0]);
      for (let start = 0; start < counts.length; start += VIEWS_PER_STATEMENT) {
        const chunk = counts.slice(start, start + VIEWS_PER_STATEMENT);
        const rows = chunk.map(([photoId, count]) => sql`(cast(${photoId} as bigint), cast(${count} as integer))`);
        await sql`update photos set view_count = view_count + counted.added
          from (select column1 as photo_id, column2 as added from (values ${sql.join(rows)}) as listed) as counted
          where photos.id = counted.photo_id and photos.id in (${sql.join(chunk.map(([photoId]) => photoId))})`.execute(trx);
      }
    });
  }

  /**
   * Which of these photos still exist. On PostgreSQL they are held with the lock the foreign
   * key would take (FOR KEY SHARE), so none is deleted before the views are in; SQLite's one
   * connection writes one transaction at a time.
   */
  private async existingPhotos(trx: Kysely<Database>, ids: number[]): Promise<Set<number>> {
    let query = trx.selectFrom("photos").select("id").where("id", "in", ids).orderBy("id");
    if (this.postgres) query = query.forKeyShare();
    return new Set((await query.execute()).map((row) => Number(row.id)));
  }

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("view_count").where("id", "=", photoId).executeTakeFirst();
    return row?.view_count ?? 0;
  }
}
