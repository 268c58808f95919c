import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export interface MemberRow {
  id: number;
  username: string;
  created_at: number;
  is_admin: number;
  is_pro: number;
  suspended_at: number | null;
  quota_photos: number | null;
  quota_bytes: number | null;
  photo_count: number;
  bytes_stored: number;
}

export interface FailedJobRow {
  id: number;
  kind: string;
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

export interface AllowanceChange {
  is_pro?: number;
  quota_photos?: number | null;
  quota_bytes?: number | null;
}

const MEMBER_COLUMNS = [
  "id",
  "username",
  "created_at",
  "is_admin",
  "is_pro",
  "suspended_at",
  "quota_photos",
  "quota_bytes",
  "photo_count",
  "bytes_stored",
] as const;

/** BIGINT columns arrive as numbers on both databases; a sum may not, so every number is made one. */
function memberRow(row: MemberRow): MemberRow {
  const orNull = (value: number | null) => (value === null ? null : Number(value));
  return {
    ...row,
    id: Number(row.id),
    created_at: Number(row.created_at),
    suspended_at: orNull(row.suspended_at),
    quota_photos: orNull(row.quota_photos),
    quota_bytes: orNull(row.quota_bytes),
    photo_count: Number(row.photo_count),
    bytes_stored: Number(row.bytes_stored),
  };
}

/** The queries behind the admin page: members with their use and allowances, site totals, failed jobs. */
export class AdminRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Members whose name contains `search` (case-insensitive, taken literally), by name. */
  async listMembers(scope: { search: string; limit: number; offset: number }): Promise<MemberRow[]> {
    let query = this.db.selectFrom("users").select(MEMBER_COLUMNS);
    if (scope.search) query = query.where(sql<boolean>`username_key like ${likePattern(scope.search)} escape '\\'`);
    const rows = await query.orderBy("username_key").limit(scope.limit).offset(scope.offset).execute();
    return rows.map(memberRow);
  }

  async countMembers(search: string): Promise<number> {
    let query = this.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n"));
    if (search) query = query.where(sql<boolean>`username_key like ${likePattern(search)} escape '\\'`);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  async findMember(usernameKey: string): Promise<MemberRow | undefined> {
    const row = await this.db.selectFrom("users").select(MEMBER_COLUMNS).where("username_key", "=", usernameKey).executeTakeFirst();
    return row ? memberRow(row) : undefined;
  }

  async updateAllowance(userId: number, change: AllowanceChange): Promise<void> {
    if (Object.keys(change).length === 0) return;
    await this.db.updateTable("users").set(change).where("id", "=", userId).execute();
  }

  /** Totals over the per-member counters, so no scan of the photos. */
  async storageTotals(): Promise<{ photos: number; bytes: number }> {
    const row = await this.db
      .selectFrom("users")
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>("photo_count"), sql<number>`0`).as("photos"), eb.fn.coalesce(eb.fn.sum<number>("bytes_stored"), sql<number>`0`).as("bytes")])
      .executeTakeFirstOrThrow();
    return { photos: Number(row.photos), bytes: Number(row.bytes) };
  }

  async failedJobs(limit: number): Promise<FailedJobRow[]> {
    const rows = await this.db
      .selectFrom("jobs")
      .select(["id", "kind", "attempts", "last_error", "updated_at"])
      .where("state", "=", "failed")
      .orderBy("updated_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, id: Number(row.id), attempts: Number(row.attempts), updated_at: Number(row.updated_at) }));
  }
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards in it taken literally. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
