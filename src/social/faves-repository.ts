import { sql, type Kysely } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database, PhotoRow } from "../db/schema.ts";
import { ownerActive, visibleTo, withTags, type PhotoRecord } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export interface FaverRow {
  username: string;
  favedAt: number;
}

/** For the photo page: has anyone faved the photo? */
export const photoHasFaves: PhotoProbe = sql<boolean>`exists (select 1 from faves where faves.photo_id = photos.id)`;

/** Every query about favourites; photos.fave_count moves in the same transaction as the row. */
export class FavesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async photoOwner(photoId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom("photos").select("owner_id").where("id", "=", photoId).executeTakeFirst();
    return row?.owner_id;
  }

  /** Adds the fave unless it is there; answers whether it is new. */
  async add(photoId: number, userId: number, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto("faves")
        .values((eb) => ({ photo_id: photoId, photo_owner_id: eb.selectFrom("photos").select("owner_id").where("id", "=", photoId), user_id: userId, created_at: now }))
        .onConflict((oc) => oc.columns(["photo_id", "user_id"]).doNothing())
        .executeTakeFirst();
      const created = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
      if (created) await trx.updateTable("photos").set((eb) => ({ fave_count: eb("fave_count", "+", 1) })).where("id", "=", photoId).execute();
      return created;
    });
  }

  /** Removes the fave if it is there; answers whether it was. */
  async remove(photoId: number, userId: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom("faves").where("photo_id", "=", photoId).where("user_id", "=", userId).executeTakeFirst();
      const removed = Number(result.numDeletedRows) > 0;
      if (removed) await trx.updateTable("photos").set((eb) => ({ fave_count: eb("fave_count", "-", 1) })).where("id", "=", photoId).execute();
      return removed;
    });
  }

  async count(photoId: number): Promise<number> {
    const row = await this.db.selectFrom("photos").select("fave_count").where("id", "=", photoId).executeTakeFirst();
    return row?.fave_count ?? 0;
  }

  async has(photoId: number, userId: number): Promise<boolean> {
    const row = await this.db.selectFrom("faves").select("user_id").where("photo_id", "=", photoId).where("user_id", "=", userId).executeTakeFirst();
    return row !== undefined;
  }

  /** Who faved the photo, newest first; suspended members are left out. */
  async favers(photoId: number, limit: number, offset: number): Promise<FaverRow[]> {
    const rows = await this.db
      .selectFrom("faves")
      .innerJoin("users", "users.id", "faves.user_id")
      .select(["users.username", "faves.created_at"])
      .where("faves.photo_id", "=", photoId)
      .where("users.suspended_at", "is", null)
      .orderBy("faves.created_at", "desc")
      .orderBy("faves.user_id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({ username: r.username, favedAt: r.created_at }));
  }

  /** The photos a member faved that the audience may see, newest fave first. */
  async favedPhotos(userId: number, audience: Audience, limit: number, offset: number): Promise<PhotoRecord[]> {
    const rows = await this.db
      .selectFrom("faves")
      .innerJoin("photos", "photos.id", "faves.photo_id")
      .innerJoin("users", "users.id", "photos.owner_id")
      .selectAll("photos")
      .select("users.username as owner_username")
      .where("faves.user_id", "=", userId)
      .where("users.suspended_at", "is", null)
      .where(visibleTo(audience))
      .where(ownerActive())
      .orderBy("faves.created_at", "desc")
      .orderBy("faves.photo_id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((row: PhotoRow & { owner_username: string }) => withTags(row));
  }
}
