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

/** Views kept in memory between writes; beyond this many, a write happens at once. */
const MAX_PENDING = 5000;
const FLUSH_MS = 2000;
/**
 * Views this process has written for the current day, not sent again: a visitor who comes back
 * to a photo the same day costs no write. About 100 bytes each; when full, it starts again
 * (the table still refuses a second count).
 */
const MAX_REMEMBERED = 20_000;

/**
 * Counts photo page visits: anyone but the owner, once per visitor per UTC day. Visits are
 * written in batches, one transaction every 2 s, not one per page view: the photo page is the
 * site's hottest page and a write (an fsync on SQLite) per view would cost more than the page.
 * A crash loses at most those 2 s of counts, which are statistics, not members' data. The
 * owner's view of the count writes what is pending first, so the owner always sees it whole.
 */
export class PhotoViews {
  private pending = new Map<string, { photoId: number; viewerKey: string; day: number }>();
  private written = { day: -1, keys: new Set<string>() };
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { views: PhotoViewsRepository; clock: Clock; onError?: (error: unknown) => void }) {}

  /** Answers whether this visit was taken for counting (the table decides if it is the day's first). */
  async visit(photoId: number, ownerVisiting: boolean, visitor: Visitor): Promise<boolean> {
    if (ownerVisiting) return false;
    const view = { photoId, viewerKey: visitorKey(visitor), day: utcDay(this.deps.clock.now()) };
    const key = `${view.photoId}|${view.viewerKey}|${view.day}`;
    if (this.written.keys.has(key)) return false;
    this.pending.set(key, view);
    if (this.pending.size >= MAX_PENDING) await this.flush();
    else this.timer ??= setTimeout(() => void this.flush().catch((error: unknown) => this.deps.onError?.(error)), FLUSH_MS).unref();
    return true;
  }

  /** Writes the pending views; one batch at a time. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = new Map();
    const batch = [...pending.values()];
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(async () => {
        if (batch.length === 0) return;
        await this.deps.views.recordMany(batch);
        this.remember(pending.keys(), batch[0]!.day);
      });
    return this.flushing;
  }

  private remember(keys: Iterable<string>, day: number): void {
    if (this.written.day !== day) this.written = { day, keys: new Set() };
    for (const key of keys) {
      if (this.written.keys.size >= MAX_REMEMBERED) this.written.keys.clear();
      this.written.keys.add(key);
    }
  }

  async count(photoId: number): Promise<number> {
    await this.flush();
    return this.deps.views.count(photoId);
  }
}
