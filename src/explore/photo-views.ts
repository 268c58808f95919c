import crypto from "node:crypto";
import type { Clock } from "../clock.ts";
import type { PhotoViewsRepository } from "./photo-views-repository.ts";

const DAY_MS = 24 * 60 * 60_000;

/** Who is looking, for counting: a member, or a visitor known only by address and browser. */
export type Visitor = { memberId: number } | { ip: string; userAgent: string };

/**
 * The key a view is counted under: the member's id, or for visitors a hash of IP address and
 * user agent (so the table holds no addresses).
 */
export function visitorKey(visitor: Visitor): string {
  if ("memberId" in visitor) return `m:${visitor.memberId}`;
  return `v:${crypto.createHash("sha256").update(`${visitor.ip}\n${visitor.userAgent}`).digest("base64url").slice(0, 22)}`;
}

/** Days since the epoch, UTC: a view counts once per visitor per such day. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Counts photo page visits: anyone but the owner, once per visitor per UTC day. */
export class PhotoViews {
  constructor(private readonly deps: { views: PhotoViewsRepository; clock: Clock }) {}

  /** Answers whether this visit was counted. */
  async visit(photoId: number, ownerVisiting: boolean, visitor: Visitor): Promise<boolean> {
    if (ownerVisiting) return false;
    return this.deps.views.record(photoId, visitorKey(visitor), utcDay(this.deps.clock.now()));
  }

  count(photoId: number): Promise<number> {
    return this.deps.views.count(photoId);
  }
}
