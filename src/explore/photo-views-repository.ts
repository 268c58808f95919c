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

  /** Records many views in one transaction; each photo's counter moves by the rows really inserted. */
  async recordMany(views: Array<{ photoId: number; viewerKey: string; day: number }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const added = new Map<number, number>();
      for (const view of views) {
        const result = await trx
          .insertInto("photo_views")
          .values({ photo_id: view.photoId, viewer_key: view.viewerKey, day: view.day })
          .onConflict((oc) => oc.columns(["photo_id", "viewer_key", "day"]).doNothing())
          .executeTakeFirst();
        if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) added.set(view.photoId, (added.get(view.photoId) ?? 0) + 1);
      }
      for (const [photoId, count] of added) {
        await trx
          .updateTable("photos")
          .set((eb) => ({ view_count: eb("view_count", "+", count) }))
          .where("id", "=", photoId)
          .execute();
      }
    });
  }

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("view_count").where("id", "=", photoId).executeTakeFirst();
    return row?.view_count ?? 0;
  }
}
