import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** Locks on resumable uploads, one row per upload held (migration 0025). Times are epoch ms. */
export class UploadLocksRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes the lock when nobody holds it or its holder's lease ran out (a dead server); answers
   * whether `holder` has it now. Either statement is atomic on both databases: of several
   * servers trying at once, one inserts the row or one moves an expired row to itself.
   */
  async take(uploadId: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto("upload_locks")
      .values({ upload_id: uploadId, holder, expires_at: expiresAt, release_requested: 0 })
      .onConflict((oc) => oc.column("upload_id").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
    const taken = await this.db
      .updateTable("upload_locks")
      .set({ holder, expires_at: expiresAt, release_requested: 0 })
      .where("upload_id", "=", uploadId)
      .where("expires_at", "<=", now)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) > 0;
  }

  /** Asks whoever holds the lock to let go as soon as it can. */
  async askRelease(uploadId: string): Promise<void> {
    await this.db.updateTable("upload_locks").set({ release_requested: 1 }).where("upload_id", "=", uploadId).where("release_requested", "=", 0).execute();
  }

  /**
   * Extends the holder's lease; answers whether another request asked for the lock, or null
   * when the holder no longer has it (its lease ran out and another server took it over).
   */
  async renew(uploadId: string, holder: string, expiresAt: number): Promise<{ releaseRequested: boolean } | null> {
    const row = await this.db
      .updateTable("upload_locks")
      .set({ expires_at: expiresAt })
      .where("upload_id", "=", uploadId)
      .where("holder", "=", holder)
      .returning("release_requested")
      .executeTakeFirst();
    return row ? { releaseRequested: Number(row.release_requested) === 1 } : null;
  }

  async release(uploadId: string, holder: string): Promise<void> {
    await this.db.deleteFrom("upload_locks").where("upload_id", "=", uploadId).where("holder", "=", holder).execute();
  }

  /** Forgets locks whose lease ran out before `before` (their holders died); answers how many. */
  async pruneExpired(before: number): Promise<number> {
    const result = await this.db.deleteFrom("upload_locks").where("expires_at", "<", before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async holderOf(uploadId: string): Promise<{ holder: string; expiresAt: number; releaseRequested: boolean } | null> {
    const row = await this.db.selectFrom("upload_locks").select(["holder", "expires_at", "release_requested"]).where("upload_id", "=", uploadId).executeTakeFirst();
    return row ? { holder: row.holder, expiresAt: Number(row.expires_at), releaseRequested: Number(row.release_requested) === 1 } : null;
  }
}
