import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** The shared counters of rate limits: one row per event, for the window's length only. */
export class RateLimitsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Forgets this key's events before `since`, then counts the rest; when fewer than `limit`,
   * records one more at `now`. Answers the count before this event and the oldest event kept.
   */
  async take(key: string, since: number, now: number, limit: number): Promise<{ allowed: boolean; oldest: number | null }> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("rate_events").where("key", "=", key).where("at", "<", since).execute();
      const row = await trx
        .selectFrom("rate_events")
        .select((eb) => [eb.fn.countAll<number | string>().as("n"), eb.fn.min<number | string | null>("at").as("oldest")])
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      const oldest = row.oldest === null ? null : Number(row.oldest);
      if (Number(row.n) >= limit) return { allowed: false, oldest };
      await trx.insertInto("rate_events").values({ key, at: now }).execute();
      return { allowed: true, oldest: oldest ?? now };
    });
  }
}
