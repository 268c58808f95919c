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
        const listed = slice.map((view) => sql`(cast(${view.photoId} as bigint), cast(${view.viewerKey} as text), cast(${view.day} as integer))`);
        const ids = [...new Set(slice.map((view) => view.photoId))];
        // Only photos that still exist; on PostgreSQL held with the lock the foreign key takes
        // anyway (FOR KEY SHARE), so none is deleted before the views are in. The check is part of
        // the INSERT: a transaction that read first and wrote after could not wait for SQLite's
        // write lock, and another process's write in between failed the whole batch.
        const { rows: inserted } = await sql<{ photo_id: number | string }>`
          insert into photo_views (photo_id, viewer_key, day)
          select listed.column1, listed.column2, listed.column3 from (values ${sql.join(listed)}) as listed
          where listed.column1 in (select id from photos where id in (${sql.join(ids)}) order by id ${this.postgres ? sql`for key share` : sql``})
          on conflict (photo_id, viewer_key, day) do nothing
          returning photo_id`.execute(trx);
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

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("view_count").where("id", "=", photoId).executeTakeFirst();
    return row?.view_count ?? 0;
  }
}
