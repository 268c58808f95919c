import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export interface QuotaRow {
  photo_count: number;
  bytes_stored: number;
  is_pro: number;
  quota_photos: number | null;
  quota_bytes: number | null;
}

/** What an upload is checked against: the member's counters (kept by PhotosRepository) and allowances. */
export class QuotaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(userId: number): Promise<QuotaRow | undefined> {
    const row = await this.db
      .selectFrom("users")
      .select(["photo_count", "bytes_stored", "is_pro", "quota_photos", "quota_bytes"])
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!row) return undefined;
    // BIGINT columns: numbers on both databases, but never trust a driver's string.
    const num = (value: number | null) => (value === null ? null : Number(value));
    return { photo_count: Number(row.photo_count), bytes_stored: Number(row.bytes_stored), is_pro: Number(row.is_pro), quota_photos: num(row.quota_photos), quota_bytes: num(row.quota_bytes) };
  }
}
