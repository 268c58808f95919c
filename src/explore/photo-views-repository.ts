import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** Every query about photo views. */
export class PhotoViewsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a visitor's view of a photo for a day and answers whether it was the first that
   * day. The row and the counter change in one transaction, and the counter moves only when
   * INSERT … ON CONFLICT DO NOTHING inserted a row (SQLite and PostgreSQL both report 0 rows
   * for a conflict), so two visits racing count once.
   */
  async record(photoId: number, viewerKey: string, day: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto("photo_views")
        .values({ photo_id: photoId, viewer_key: viewerKey, day })
        .onConflict((oc) => oc.columns(["photo_id", "viewer_key", "day"]).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .updateTable("photos")
        .set((eb) => ({ view_count: eb("view_count", "+", 1) }))
        .where("id", "=", photoId)
        .execute();
      return true;
    });
  }

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("view_count").where("id", "=", photoId).executeTakeFirst();
    return row?.view_count ?? 0;
  }
}
