import type { Clock } from "../clock.ts";
import type { SettingsRepository } from "../ops/settings-repository.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import type { Tag } from "../photos/tags.ts";
import type { ExploreRepository } from "./repository.ts";
import { EXPLORE_WINDOW_MS, exploreDay, rank } from "./ranking.ts";

/** The shared setting holding when Explore was last ranked (epoch ms), the lease between servers. */
export const EXPLORE_LEASE_KEY = "explore_ranked_at";
/** How often Explore is ranked again. */
export const EXPLORE_INTERVAL_MS = 15 * 60_000;

export interface ExplorePage {
  day: string | null;
  photos: PhotoView[];
  /** The rank to pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Explore: the day's most interesting recent public photos. The ranking is computed every
 * 15 minutes into explore_entries and pages read it as stored, never ranking per request.
 */
export class ExploreService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly deps: { explore: ExploreRepository; settings: SettingsRepository; clock: Clock; baseUrl: string; say: (level: "info" | "warn", message: string) => void }) {}

  /** Ranks now, unconditionally; answers how many photos made it. */
  async refresh(): Promise<number> {
    const now = this.deps.clock.now();
    const entries = rank(await this.deps.explore.candidates(now - EXPLORE_WINDOW_MS), now);
    await this.deps.explore.replaceDay(exploreDay(now), entries, exploreDay(now - EXPLORE_WINDOW_MS));
    return entries.length;
  }

  /**
   * Ranks if no server did in the last interval. The lease is a compare-and-set on the time of
   * the last ranking in `settings`: of several servers looking at once, exactly one moves it
   * on and ranks.
   */
  async refreshIfDue(): Promise<boolean> {
    const { settings, clock } = this.deps;
    const now = clock.now();
    const last = await settings.get(EXPLORE_LEASE_KEY);
    const lastAt = last === null ? NaN : Number(last);
    // A few seconds of slack, so timers firing a moment early on another server still take their turn.
    if (Number.isFinite(lastAt) && lastAt <= now && now - lastAt < EXPLORE_INTERVAL_MS - 10_000) return false;
    if (!(await settings.compareAndSet(EXPLORE_LEASE_KEY, last, String(now), now))) return false;
    await this.refresh();
    return true;
  }

  /** Ranks at start and every 15 minutes, on whichever server wins the lease. */
  start(firstDelayMs = 1000): void {
    this.plan(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private plan(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.refreshIfDue()
        .catch((error: unknown) => this.deps.say("warn", `could not rank Explore: ${(error as Error).message}`))
        .finally(() => {
          this.running = null;
          this.plan(EXPLORE_INTERVAL_MS);
        });
    }, delay);
    this.timer.unref();
  }

  /** A page of the latest ranking, as stored. */
  async page(after: number, limit: number): Promise<ExplorePage> {
    const day = await this.deps.explore.latestDay();
    if (day === null) return { day: null, photos: [], nextCursor: null };
    const rows = await this.deps.explore.page(day, after, limit + 1);
    const shown = rows.slice(0, limit);
    const photos = shown.map((row) => presentPhoto({ ...row, tags: JSON.parse(row.tags) as Tag[] }, null, this.deps.baseUrl));
    const last = shown[shown.length - 1];
    return { day, photos, nextCursor: rows.length > limit && last ? String(last.rank) : null };
  }
}
