import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

/** Site-wide settings shared by every server through the database. */
export class SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | null> {
    const row = await this.db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    await this.db
      .insertInto("settings")
      .values({ key, value, updated_at: now })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Sets the value only when the key is absent; answers whether this call set it. */
  async setIfAbsent(key: string, value: string, now: number): Promise<boolean> {
    const result = await this.db.insertInto("settings").values({ key, value, updated_at: now }).onConflict((oc) => oc.column("key").doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Replaces the value only if it is still `expected` (null: only if the key is absent), and
   * answers whether it did: one atomic statement, so of several processes racing with the same
   * `expected`, exactly one wins. A null `value` deletes the key.
   */
  async compareAndSet(key: string, expected: string | null, value: string | null, now: number): Promise<boolean> {
    if (expected === null) return value === null ? (await this.get(key)) === null : this.setIfAbsent(key, value, now);
    if (value === null) {
      const result = await this.db.deleteFrom("settings").where("key", "=", key).where("value", "=", expected).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    }
    const result = await this.db.updateTable("settings").set({ value, updated_at: now }).where("key", "=", key).where("value", "=", expected).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom("settings").where("key", "=", key).execute();
  }
}
