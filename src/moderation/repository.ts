import type { Kysely } from "kysely";
import type { Database, ReportsTable } from "../db/schema.ts";

export type TargetKind = ReportsTable["target_kind"];

export interface ReportRow {
  id: number;
  reporter_id: number | null;
  reporter_username: string | null;
  target_kind: TargetKind;
  target_id: number;
  reason: string;
  created_at: number;
  resolved_at: number | null;
  resolved_by: number | null;
  resolver_username: string | null;
  resolution: string | null;
}

export interface ReportedPhoto {
  id: number;
  title: string;
  owner_id: number;
  owner_username: string;
  hidden_at: number | null;
}

export interface ReportedComment {
  id: number;
  photo_id: number;
  body: string;
  hidden_at: number | null;
  author_id: number;
  author_username: string;
  photo_owner_username: string;
}

export interface ReportedMember {
  id: number;
  username: string;
  is_admin: number;
  suspended_at: number | null;
}

/** Every query about reports and what moderators do about them. */
export class ModerationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async countReportsSince(reporterId: number, since: number): Promise<number> {
    const row = await this.db
      .selectFrom("reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("reporter_id", "=", reporterId)
      .where("created_at", ">", since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertReport(report: { reporterId: number; targetKind: TargetKind; targetId: number; reason: string; now: number }): Promise<number> {
    const row = await this.db
      .insertInto("reports")
      .values({ reporter_id: report.reporterId, target_kind: report.targetKind, target_id: report.targetId, reason: report.reason, created_at: report.now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  private selectReports() {
    return this.db
      .selectFrom("reports")
      .leftJoin("users as reporter", "reporter.id", "reports.reporter_id")
      .leftJoin("users as resolver", "resolver.id", "reports.resolved_by")
      .selectAll("reports")
      .select(["reporter.username as reporter_username", "resolver.username as resolver_username"]);
  }

  /** Open reports, newest first. */
  async listOpen(limit: number): Promise<ReportRow[]> {
    return this.selectReports().where("reports.resolved_at", "is", null).orderBy("reports.id", "desc").limit(limit).execute();
  }

  async findReport(id: number): Promise<ReportRow | undefined> {
    return this.selectReports().where("reports.id", "=", id).executeTakeFirst();
  }

  /**
   * Resolves a report and every other open report on the same target with it: one decision
   * answers them all. Answers false when the report was already resolved.
   */
  async resolve(report: { id: number; targetKind: TargetKind; targetId: number }, resolverId: number, resolution: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const changes = { resolved_at: now, resolved_by: resolverId, resolution };
      const result = await trx.updateTable("reports").set(changes).where("id", "=", report.id).where("resolved_at", "is", null).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx
        .updateTable("reports")
        .set(changes)
        .where("target_kind", "=", report.targetKind)
        .where("target_id", "=", report.targetId)
        .where("resolved_at", "is", null)
        .execute();
      return true;
    });
  }

  async photos(ids: number[]): Promise<ReportedPhoto[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom("photos")
      .innerJoin("users", "users.id", "photos.owner_id")
      .select(["photos.id", "photos.title", "photos.owner_id", "users.username as owner_username", "photos.hidden_at"])
      .where("photos.id", "in", ids)
      .execute();
  }

  async comments(ids: number[]): Promise<ReportedComment[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom("comments")
      .innerJoin("users as author", "author.id", "comments.author_id")
      .innerJoin("photos", "photos.id", "comments.photo_id")
      .innerJoin("users as owner", "owner.id", "photos.owner_id")
      .select(["comments.id", "comments.photo_id", "comments.body", "comments.hidden_at", "comments.author_id", "author.username as author_username", "owner.username as photo_owner_username"])
      .where("comments.id", "in", ids)
      .execute();
  }

  async members(ids: number[]): Promise<ReportedMember[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("users").select(["id", "username", "is_admin", "suspended_at"]).where("id", "in", ids).execute();
  }

  async findMemberByKey(usernameKey: string): Promise<ReportedMember | undefined> {
    return this.db.selectFrom("users").select(["id", "username", "is_admin", "suspended_at"]).where("username_key", "=", usernameKey).executeTakeFirst();
  }

  /** Hides a comment from everyone; answers false when there is no such comment. */
  async hideComment(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable("comments").set({ hidden_at: now }).where("id", "=", id).where("hidden_at", "is", null).executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return true;
    const existing = await this.db.selectFrom("comments").select("id").where("id", "=", id).executeTakeFirst();
    return existing !== undefined;
  }
}
