import type { QuotaDefaults } from "../config.ts";
import { QuotaExceededError, wording } from "../errors.ts";
import type { QuotaRepository } from "./quota-repository.ts";

const MB = 1024 * 1024;

/** A member's allowances as stored: their own overrides (null: the site's default) and Pro. */
export interface Allowance {
  isPro: boolean;
  quotaPhotos: number | null;
  quotaBytes: number | null;
}

/** Limits in force; null means no limit. */
export interface Limits {
  photos: number | null;
  bytes: number | null;
}

export interface QuotaUsage {
  isPro: boolean;
  photos: number;
  bytes: number;
  limits: Limits;
}

/** A member's own limit beats the default for their kind (Pro or not). */
export function effectiveLimits(allowance: Allowance, defaults: QuotaDefaults): Limits {
  return {
    photos: allowance.quotaPhotos ?? (allowance.isPro ? defaults.proPhotos : defaults.photos),
    bytes: allowance.quotaBytes ?? (allowance.isPro ? defaults.proBytes : defaults.bytes),
  };
}

/**
 * Megabytes as shown: one decimal below 100 MB; rounded up when a total must not look smaller
 * than it is. A number, for messages that write it the locale's way.
 */
export function megabytes(bytes: number, rounding: "nearest" | "up" = "nearest"): number {
  const mb = bytes / MB;
  const factor = mb < 100 ? 10 : 1;
  return (rounding === "up" ? Math.ceil(mb * factor) : Math.round(mb * factor)) / factor;
}

/** "12.3", "1,010": `megabytes` written in English. */
export function formatMegabytes(bytes: number, rounding: "nearest" | "up" = "nearest"): string {
  return megabytes(bytes, rounding).toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/**
 * What the photo's insert checks once more, in its own transaction, against the counters every
 * server shares: the place a process holds for an upload is that process's alone, so two servers
 * at a member's very limit could otherwise both store one.
 */
export interface InsertQuota {
  limits: Limits;
  /** The refusal to give when the insert finds the limit reached (usage read afresh). */
  refusal(): Promise<QuotaExceededError>;
}

/** A place held for one upload in flight, from before its body is read until it is stored or refused. */
export interface QuotaHold {
  /** Checks again with the received file's real size; throws QuotaExceededError when it does not fit. */
  confirm(bytes: number): Promise<InsertQuota>;
  release(): void;
}

interface Reservation {
  bytes: number;
}

/**
 * Photo and storage quotas for uploads. An upload is checked twice: before its body is read,
 * with the request's Content-Length as an upper bound of the file's size, so an upload over
 * quota is refused before any byte of it is stored; and with the received file's real size,
 * before anything goes to storage. Uploads in flight in this process hold their place, so the
 * uploader's parallel uploads cannot together pass a limit; across processes of a cluster two
 * simultaneous uploads at the very edge can both pass these checks, and the photo's insert, which
 * counts against the member's shared counters in its own transaction (`InsertQuota`), refuses the
 * one that would go over.
 */
export class UploadQuotas {
  private readonly inFlight = new Map<number, Set<Reservation>>();

  constructor(
    private readonly repository: QuotaRepository,
    private readonly defaults: QuotaDefaults,
  ) {}

  async usage(userId: number): Promise<QuotaUsage> {
    const row = await this.repository.find(userId);
    const allowance: Allowance = { isPro: row?.is_pro === 1, quotaPhotos: row?.quota_photos ?? null, quotaBytes: row?.quota_bytes ?? null };
    return { isPro: allowance.isPro, photos: row?.photo_count ?? 0, bytes: row?.bytes_stored ?? 0, limits: effectiveLimits(allowance, this.defaults) };
  }

  /** `declaredBytes` is the request's Content-Length (null when the body is chunked). */
  async admit(userId: number, declaredBytes: number | null): Promise<QuotaHold> {
    const usage = await this.usage(userId);
    const others = this.reservations(userId);
    checkPhotos(usage, others.size);
    checkBytes(usage, sumBytes(others), declaredBytes);
    const own: Reservation = { bytes: declaredBytes ?? 0 };
    others.add(own);
    this.inFlight.set(userId, others);
    let released = false;
    return {
      confirm: async (bytes: number) => {
        const fresh = await this.usage(userId);
        const rest = [...this.reservations(userId)].filter((r) => r !== own);
        checkPhotos(fresh, rest.length);
        checkBytes(fresh, sumBytes(rest), bytes);
        own.bytes = bytes;
        return { limits: fresh.limits, refusal: () => this.refusal(userId, bytes) };
      },
      release: () => {
        if (released) return;
        released = true;
        const set = this.reservations(userId);
        set.delete(own);
        if (set.size === 0) this.inFlight.delete(userId);
      },
    };
  }

  private async refusal(userId: number, bytes: number): Promise<QuotaExceededError> {
    const usage = await this.usage(userId);
    try {
      checkPhotos(usage, 0);
      checkBytes(usage, 0, bytes);
    } catch (error) {
      if (error instanceof QuotaExceededError) return error;
      throw error;
    }
    // The counters moved back (a photo was deleted meanwhile): the limit was still reached when the insert ran.
    const photos = usage.limits.photos !== null && usage.photos + 1 > usage.limits.photos;
    return new QuotaExceededError(wording("errors.quota.raced"), photos ? { quota: "photos", limit: usage.limits.photos ?? 0, used: usage.photos } : { quota: "bytes", limit: usage.limits.bytes ?? 0, used: usage.bytes });
  }

  /** A replaced file adds no photo: only the bytes it adds to what is stored count. */
  async checkReplacement(userId: number, bytesDelta: number): Promise<Limits> {
    const usage = await this.usage(userId);
    if (bytesDelta > 0) checkBytes(usage, sumBytes(this.reservations(userId)), bytesDelta);
    return usage.limits;
  }

  private reservations(userId: number): Set<Reservation> {
    return this.inFlight.get(userId) ?? new Set();
  }
}

function sumBytes(reservations: Iterable<Reservation>): number {
  let total = 0;
  for (const r of reservations) total += r.bytes;
  return total;
}

/** Who gives more room: a member without Pro asks for it, one with Pro asks the operator. */
function pro(usage: QuotaUsage): "yes" | "no" {
  return usage.isPro ? "yes" : "no";
}

function checkPhotos(usage: QuotaUsage, uploadsInFlight: number): void {
  const limit = usage.limits.photos;
  if (limit === null) return;
  const have = usage.photos + uploadsInFlight;
  if (have + 1 <= limit) return;
  throw new QuotaExceededError(wording("errors.quota.photos", { used: have, limit, pro: pro(usage) }), {
    quota: "photos",
    limit,
    used: have,
  });
}

/** `incoming` null: the size is unknown yet, so only a member already at the limit is refused. */
function checkBytes(usage: QuotaUsage, bytesInFlight: number, incoming: number | null): void {
  const limit = usage.limits.bytes;
  if (limit === null) return;
  const used = usage.bytes + bytesInFlight;
  if (incoming === null) {
    if (used < limit) return;
    throw new QuotaExceededError(wording("errors.quota.bytesUsed", { used: megabytes(used, "up"), limit: megabytes(limit), pro: pro(usage) }), {
      quota: "bytes",
      limit,
      used,
    });
  }
  if (used + incoming <= limit) return;
  throw new QuotaExceededError(
    wording("errors.quota.bytesUpload", { size: megabytes(incoming, "up"), total: megabytes(used + incoming, "up"), limit: megabytes(limit), pro: pro(usage) }),
    { quota: "bytes", limit, used },
  );
}
