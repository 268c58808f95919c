import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export interface RecentErrorRow {
  id: number;
  occurred_at: number;
  request_id: string | null;
  route: string | null;
  message: string;
}

/** Every query about the recent server errors shown to admins. */
export class RecentErrorsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Adds one error and drops those more than `keep` ids older: a range delete on the primary
   * key, usually of one row, so the table stays small without a scan or a separate cleanup.
   */
  async insert(entry: Omit<RecentErrorRow, "id">, keep: number): Promise<void> {
    const { id } = await this.db.insertInto("recent_errors").values(entry).returning("id").executeTakeFirstOrThrow();
    await this.db.deleteFrom("recent_errors").where("id", "<=", Number(id) - keep).execute();
  }

  async newest(limit: number): Promise<RecentErrorRow[]> {
    return this.db.selectFrom("recent_errors").selectAll().orderBy("id", "desc").limit(limit).execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom("recent_errors").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
