import fsp from "node:fs/promises";
import type { QuotaDefaults } from "../config.ts";
import { ForbiddenError, InvalidError, NotFoundError, wording, type Wording } from "../errors.ts";
import type { JobsRepository } from "../jobs/repository.ts";
import { effectiveLimits, type Limits } from "../photos/quotas.ts";
import { usernameKey, type UserService, type Viewer } from "../users/service.ts";
import type { RecentError, RecentErrors } from "./recent-errors.ts";
import type { AdminRepository, AllowanceChange, MemberRow } from "./repository.ts";

export const MEMBERS_PER_PAGE = 50;
const FAILED_JOBS_SHOWN = 5;
const RECENT_ERRORS_SHOWN = 20;
const MB = 1024 * 1024;
const MAX_QUOTA = 1_000_000_000;

/** A member as the admin page and the admin API show them. */
export interface MemberView {
  username: string;
  joinedAt: string;
  isAdmin: boolean;
  isPro: boolean;
  suspended: boolean;
  suspendedAt: string | null;
  photos: number;
  bytesStored: number;
  /** Limits in force (null: none). */
  quota: Limits;
  /** The member's own limits set by an admin; null where the site's default applies. */
  override: Limits;
}

export interface MemberPage {
  members: MemberView[];
  search: string;
  page: number;
  pages: number;
  total: number;
}

export interface FailedJob {
  id: number;
  kind: string;
  attempts: number;
  error: string | null;
  failedAt: string;
}

export interface Overview {
  members: MemberPage;
  storage: {
    photos: number;
    bytesStored: number;
    /** Free and total space on the data dir's disk, or why it could not be read. */
    disk: { freeBytes: number; totalBytes: number } | { error: string };
  };
  backlog: { pending: number; running: number; failed: number; failedJobs: FailedJob[] };
  errors: RecentError[];
}

/** What an admin may change about a member's allowance; quotaMb null means back to the default. */
export interface AllowancePatch {
  isPro?: boolean;
  quotaPhotos?: number | null;
  quotaMb?: number | null;
}

export type DiskSpace = (dir: string) => Promise<{ freeBytes: number; totalBytes: number }>;

export const statfsDiskSpace: DiskSpace = async (dir) => {
  const stats = await fsp.statfs(dir);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
};

export interface AdminServiceDeps {
  admin: AdminRepository;
  users: UserService;
  jobs: JobsRepository;
  recentErrors: RecentErrors;
  quotaDefaults: QuotaDefaults;
  dataDir: string;
  diskSpace?: DiskSpace;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The site's operator view: members and their allowances, storage, background work, errors. */
export class AdminService {
  constructor(private readonly deps: AdminServiceDeps) {}

  async overview(query: { search?: string; page?: number }): Promise<Overview> {
    const [members, totals, disk, backlog, failedJobs, errors] = await Promise.all([
      this.members(query),
      this.deps.admin.storageTotals(),
      (this.deps.diskSpace ?? statfsDiskSpace)(this.deps.dataDir).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })),
      this.deps.jobs.backlog(),
      this.deps.admin.failedJobs(FAILED_JOBS_SHOWN),
      this.deps.recentErrors.newest(RECENT_ERRORS_SHOWN),
    ]);
    return {
      members,
      storage: { photos: totals.photos, bytesStored: totals.bytes, disk },
      backlog: {
        ...backlog,
        failedJobs: failedJobs.map((job) => ({ id: job.id, kind: job.kind, attempts: job.attempts, error: job.last_error, failedAt: iso(job.updated_at) })),
      },
      errors,
    };
  }

  async members(query: { search?: string; page?: number }): Promise<MemberPage> {
    const search = (query.search ?? "").trim();
    const total = await this.deps.admin.countMembers(search);
    const pages = Math.max(1, Math.ceil(total / MEMBERS_PER_PAGE));
    const page = Math.min(Math.max(Math.trunc(query.page ?? 1), 1), pages);
    const rows = await this.deps.admin.listMembers({ search, limit: MEMBERS_PER_PAGE, offset: (page - 1) * MEMBERS_PER_PAGE });
    return { members: rows.map((row) => this.present(row)), search, page, pages, total };
  }

  /**
   * Suspending ends the member's sessions and tokens and hides their photos; lifting it brings
   * both back. Admins cannot be suspended (nor suspend themselves): take the role away first.
   */
  async setSuspended(actor: Viewer, username: string, suspended: boolean): Promise<MemberView> {
    const member = await this.find(username);
    if (member.id === actor.id) throw new ForbiddenError(wording("errors.admin.suspendSelf"));
    if (member.is_admin === 1) throw new ForbiddenError(wording("errors.admin.suspendAdmin"));
    if (suspended !== (member.suspended_at !== null)) await this.deps.users.setSuspended(member.id, suspended);
    return this.present(await this.find(username));
  }

  async updateAllowance(username: string, patch: AllowancePatch): Promise<MemberView> {
    const member = await this.find(username);
    const change: AllowanceChange = {};
    if (patch.isPro !== undefined) change.is_pro = patch.isPro ? 1 : 0;
    if (patch.quotaPhotos !== undefined) change.quota_photos = checkedQuota(patch.quotaPhotos, "quotaPhotos");
    if (patch.quotaMb !== undefined) {
      const mb = checkedQuota(patch.quotaMb, "quotaMb");
      change.quota_bytes = mb === null ? null : Math.round(mb * MB);
    }
    await this.deps.admin.updateAllowance(member.id, change);
    return this.present(await this.find(username));
  }

  private async find(username: string): Promise<MemberRow> {
    const member = await this.deps.admin.findMember(usernameKey(username.trim()));
    if (!member) throw new NotFoundError(wording("errors.memberNotFound"));
    return member;
  }

  private present(row: MemberRow): MemberView {
    const override = { photos: row.quota_photos, bytes: row.quota_bytes };
    return {
      username: row.username,
      joinedAt: iso(row.created_at),
      isAdmin: row.is_admin === 1,
      isPro: row.is_pro === 1,
      suspended: row.suspended_at !== null,
      suspendedAt: row.suspended_at === null ? null : iso(row.suspended_at),
      photos: row.photo_count,
      bytesStored: row.bytes_stored,
      quota: effectiveLimits({ isPro: row.is_pro === 1, quotaPhotos: row.quota_photos, quotaBytes: row.quota_bytes }, this.deps.quotaDefaults),
      override,
    };
  }
}

type QuotaField = "quotaPhotos" | "quotaMb";

/** What a refused quota field says, named as the admin page's form labels it. */
const QUOTA_REFUSALS: Record<QuotaField, { range: Wording; number: Wording }> = {
  quotaPhotos: { range: wording("errors.admin.photosRange", { max: MAX_QUOTA }), number: wording("errors.admin.photosNumber") },
  quotaMb: { range: wording("errors.admin.megabytesRange", { max: MAX_QUOTA }), number: wording("errors.admin.megabytesNumber") },
};

function checkedQuota(value: number | null, field: QuotaField): number | null {
  if (value === null) return null;
  const whole = field === "quotaPhotos";
  if (!Number.isFinite(value) || value < 0 || value > MAX_QUOTA || (whole && !Number.isInteger(value))) {
    throw new InvalidError(QUOTA_REFUSALS[field].range, { field });
  }
  return value;
}

/** The allowance form's fields: a ticked box means Pro; an empty quota field means the site's default. */
export function allowanceFromForm(form: { isPro?: string; quotaPhotos?: string; quotaMb?: string }): AllowancePatch {
  const number = (raw: string | undefined, field: QuotaField): number | null => {
    const text = (raw ?? "").trim().replace(/,/g, "");
    if (text === "") return null;
    if (!/^\d+(\.\d+)?$/.test(text)) throw new InvalidError(QUOTA_REFUSALS[field].number, { field });
    return Number(text);
  };
  return {
    isPro: form.isPro !== undefined && form.isPro !== "",
    quotaPhotos: number(form.quotaPhotos, "quotaPhotos"),
    quotaMb: number(form.quotaMb, "quotaMb"),
  };
}
