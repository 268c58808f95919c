import type { Clock } from "../clock.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, TooManyRequestsError, wording } from "../errors.ts";
import type { PhotoService } from "../photos/service.ts";
import { usernameKey, type UserService, type Viewer } from "../users/service.ts";
import type { ModerationRepository, ReportRow, TargetKind } from "./repository.ts";

/** Reports one member may make in 24 hours; more is a 429. */
export const REPORTS_PER_DAY = 20;
export const MAX_REASON_LENGTH = 1000;
/** Open reports the queue shows at once. */
export const QUEUE_SIZE = 100;
const DAY = 24 * 60 * 60_000;

export const TARGET_KINDS = ["photo", "comment", "member"] as const;
/** hide: the photo or comment; suspend: the member, or the photo's owner, or the comment's author; dismiss: nothing. */
export const ACTIONS = ["hide", "suspend", "dismiss"] as const;
export type ModerationAction = (typeof ACTIONS)[number];

const RESOLUTIONS: Record<ModerationAction, string> = { hide: "hidden", suspend: "suspended", dismiss: "dismissed" };

export interface NewReport {
  targetKind: TargetKind;
  /** A photo's or a comment's id. */
  targetId?: string;
  /** A member's name. */
  username?: string;
  reason: string;
}

/** A report as the queue and the API show it. */
export interface ReportView {
  id: string;
  targetKind: TargetKind;
  targetId: string;
  /** What was reported, in words for the queue: a photo's title, a comment's text, a member's name. */
  target: { label: string; url: string | null; owner: string | null; hidden: boolean; suspended: boolean };
  reason: string;
  reporter: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
}

export interface ModerationServiceDeps {
  moderation: ModerationRepository;
  photos: PhotoService;
  users: UserService;
  clock: Clock;
}

type Target = ReportView["target"] & { memberId: number | null; memberIsAdmin: boolean };

const iso = (ms: number) => new Date(ms).toISOString();

/** Reports from members and what admins decide about them. */
export class ModerationService {
  constructor(private readonly deps: ModerationServiceDeps) {}

  /** A member reports what they can see; what they cannot see is "not found", so a report reveals nothing. */
  async report(viewer: Viewer, input: NewReport): Promise<ReportView> {
    const reason = [...input.reason.normalize("NFC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").trim()];
    if (reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
      throw new InvalidError(wording("errors.report.reason", { max: MAX_REASON_LENGTH }), { field: "reason" });
    }
    const targetId = await this.reportableTarget(viewer, input);
    const now = this.deps.clock.now();
    const recent = await this.deps.moderation.countReportsSince(viewer.id, now - DAY);
    if (recent >= REPORTS_PER_DAY) {
      throw new TooManyRequestsError(wording("errors.report.tooMany", { count: recent }), DAY / 1000);
    }
    const id = await this.deps.moderation.insertReport({ reporterId: viewer.id, targetKind: input.targetKind, targetId, reason: reason.join(""), now });
    return this.get(id);
  }

  private async reportableTarget(viewer: Viewer, input: NewReport): Promise<number> {
    if (input.targetKind === "member") {
      const member = input.username ? await this.deps.moderation.findMemberByKey(usernameKey(input.username.trim())) : undefined;
      if (!member || member.suspended_at !== null) throw new NotFoundError(wording("errors.memberNotFound"));
      if (member.id === viewer.id) throw new InvalidError(wording("errors.report.self"));
      return member.id;
    }
    const id = Number(input.targetId);
    if (!input.targetId || !/^[1-9][0-9]{0,17}$/.test(input.targetId) || !Number.isSafeInteger(id)) {
      throw new InvalidError(wording("moderation.errors.targetId", { kind: input.targetKind }), { field: "targetId" });
    }
    if (input.targetKind === "photo") {
      if (!(await this.deps.photos.isVisible(id, viewer))) throw new NotFoundError(wording("errors.photoNotFound"));
      const [photo] = await this.deps.moderation.photos([id]);
      if (photo?.owner_id === viewer.id) throw new InvalidError(wording("errors.report.ownPhoto"));
      return id;
    }
    const [comment] = await this.deps.moderation.comments([id]);
    const seen = comment !== undefined && (comment.hidden_at === null || comment.author_id === viewer.id) && (await this.deps.photos.isVisible(comment.photo_id, viewer));
    if (!comment || !seen) throw new NotFoundError(wording("errors.commentNotFound"));
    if (comment.author_id === viewer.id) throw new InvalidError(wording("errors.report.ownComment"));
    return id;
  }

  /** Open reports, newest first. */
  async queue(): Promise<ReportView[]> {
    return this.present(await this.deps.moderation.listOpen(QUEUE_SIZE));
  }

  async get(id: number): Promise<ReportView> {
    const row = await this.deps.moderation.findReport(id);
    if (!row) throw new NotFoundError(wording("moderation.errors.reportNotFound"));
    const [view] = await this.present([row]);
    return view as ReportView;
  }

  /**
   * An admin acts on a report: hide the photo or comment, suspend the member (or the photo's
   * owner, the comment's author), or dismiss it. The action resolves the report and every
   * other open report on the same target.
   */
  async resolve(admin: Viewer, reportId: number, action: ModerationAction): Promise<ReportView> {
    const row = await this.deps.moderation.findReport(reportId);
    if (!row) throw new NotFoundError(wording("moderation.errors.reportNotFound"));
    if (row.resolved_at !== null) throw new ConflictError(wording("moderation.errors.alreadyResolved", { resolution: row.resolution ?? "done" }));
    const target = (await this.targets([row])).get(row.id);
    switch (action) {
      case "hide":
        await this.hide(row);
        break;
      case "suspend": {
        if (!target || target.memberId === null) throw new NotFoundError(wording("moderation.errors.memberGone"));
        if (target.memberId === admin.id) throw new ForbiddenError(wording("moderation.errors.suspendSelf"));
        if (target.memberIsAdmin) throw new ForbiddenError(wording("moderation.errors.suspendAdmin"));
        await this.deps.users.setSuspended(target.memberId, true);
        break;
      }
      case "dismiss":
        break;
    }
    const resolved = await this.deps.moderation.resolve({ id: row.id, targetKind: row.target_kind, targetId: row.target_id }, admin.id, RESOLUTIONS[action], this.deps.clock.now());
    // Another admin resolved it at the same moment; the action (idempotent) stands either way.
    if (!resolved) throw new ConflictError(wording("moderation.errors.raced"));
    return this.get(row.id);
  }

  private async hide(row: ReportRow): Promise<void> {
    if (row.target_kind === "photo") {
      if (!(await this.deps.photos.hideByModerator(row.target_id))) throw new NotFoundError(wording("moderation.errors.photoGone"));
    } else if (row.target_kind === "comment") {
      if (!(await this.deps.moderation.hideComment(row.target_id, this.deps.clock.now()))) throw new NotFoundError(wording("moderation.errors.commentGone"));
    } else {
      throw new InvalidError(wording("moderation.errors.hideMember"), { field: "action" });
    }
  }

  private async targets(rows: ReportRow[]): Promise<Map<number, Target>> {
    const ids = (kind: TargetKind) => [...new Set(rows.filter((r) => r.target_kind === kind).map((r) => r.target_id))];
    const [photos, comments, members] = await Promise.all([
      this.deps.moderation.photos(ids("photo")),
      this.deps.moderation.comments(ids("comment")),
      this.deps.moderation.members(ids("member")),
    ]);
    const owners = await this.deps.moderation.members([...new Set([...photos.map((p) => p.owner_id), ...comments.map((c) => c.author_id)])]);
    const memberById = new Map([...members, ...owners].map((m) => [m.id, m]));
    const out = new Map<number, Target>();
    for (const row of rows) {
      if (row.target_kind === "photo") {
        const photo = photos.find((p) => p.id === row.target_id);
        const owner = photo ? memberById.get(photo.owner_id) : undefined;
        out.set(row.id, photo
          ? { label: photo.title || "Untitled", url: `/photos/${photo.owner_username}/${photo.id}`, owner: photo.owner_username, hidden: photo.hidden_at !== null, suspended: owner?.suspended_at != null, memberId: photo.owner_id, memberIsAdmin: owner?.is_admin === 1 }
          : gone("photo"));
      } else if (row.target_kind === "comment") {
        const comment = comments.find((c) => c.id === row.target_id);
        const author = comment ? memberById.get(comment.author_id) : undefined;
        out.set(row.id, comment
          ? { label: [...comment.body].slice(0, 200).join(""), url: `/photos/${comment.photo_owner_username}/${comment.photo_id}#comment-${comment.id}`, owner: comment.author_username, hidden: comment.hidden_at !== null, suspended: author?.suspended_at != null, memberId: comment.author_id, memberIsAdmin: author?.is_admin === 1 }
          : gone("comment"));
      } else {
        const member = memberById.get(row.target_id);
        out.set(row.id, member
          ? { label: member.username, url: `/photos/${member.username}`, owner: member.username, hidden: false, suspended: member.suspended_at !== null, memberId: member.id, memberIsAdmin: member.is_admin === 1 }
          : gone("member"));
      }
    }
    return out;
  }

  private async present(rows: ReportRow[]): Promise<ReportView[]> {
    const targets = await this.targets(rows);
    return rows.map((row) => {
      const { memberId: _id, memberIsAdmin: _admin, ...target } = targets.get(row.id) ?? gone(row.target_kind);
      return {
        id: String(row.id),
        targetKind: row.target_kind,
        targetId: String(row.target_id),
        target,
        reason: row.reason,
        reporter: row.reporter_username,
        createdAt: iso(row.created_at),
        resolvedAt: row.resolved_at === null ? null : iso(row.resolved_at),
        resolvedBy: row.resolver_username,
        resolution: row.resolution,
      };
    });
  }
}

function gone(kind: TargetKind): Target {
  return { label: `(this ${kind} no longer exists)`, url: null, owner: null, hidden: false, suspended: false, memberId: null, memberIsAdmin: false };
}

export function isModerationAction(value: string): value is ModerationAction {
  return (ACTIONS as readonly string[]).includes(value);
}
