import type { Clock } from "../clock.ts";
import { PeriodicTask, type PeriodicRuns } from "../ops/periodic.ts";
import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import type { ExploreRepository } from "./repository.ts";
import { EXPLORE_WINDOW_MS, exploreDay, rank } from "./ranking.ts";

/** The task's name in `periodic_runs`. */
export const EXPLORE_TASK = "explore.rank";
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
/** How long a page of the ranking, once presented, is shown again without reading it anew. */
const REMEMBER_PAGE_MS = 60_000;
const PAGES_REMEMBERED = 20;

interface RememberedPage {
  page: ExplorePage;
  ids: number[];
  until: number;
}

export class ExploreService {
  private readonly remembered = new Map<string, RememberedPage>();
  private readonly schedule: PeriodicTask;

  constructor(private readonly deps: { explore: ExploreRepository; runs: PeriodicRuns; holder: string; clock: Clock; baseUrl: string; say: (level: "info" | "warn", message: string) => void }) {
    this.schedule = new PeriodicTask({
      task: EXPLORE_TASK,
      intervalMs: EXPLORE_INTERVAL_MS,
      runs: deps.runs,
      clock: deps.clock,
      holder: deps.holder,
      say: deps.say,
      work: async () => `ranked Explore: ${await this.refresh()} photos`,
    });
  }

  /** Ranks now, unconditionally; answers how many photos made it. */
  async refresh(): Promise<number> {
    const now = this.deps.clock.now();
    const entries = rank(await this.deps.explore.candidates(now - EXPLORE_WINDOW_MS), now);
    await this.deps.explore.replaceDay(exploreDay(now), entries, exploreDay(now - EXPLORE_WINDOW_MS));
    return entries.length;
  }

  /**
   * Ranks if no server ranked in the current 15-minute period: of several servers looking at
   * once, exactly one claims the period in `periodic_runs` and ranks (ops/periodic.ts).
   */
  async refreshIfDue(): Promise<boolean> {
    return (await this.schedule.runIfDue()) === "ran";
  }

  /** Ranks at start (if nobody did this period) and every 15 minutes, on whichever server claims the period. */
  start(firstDelayMs = 1000): void {
    this.schedule.start(firstDelayMs);
  }

  async stop(): Promise<void> {
    await this.schedule.stop();
  }

  /**
   * A page of the latest ranking, as stored. Everyone sees the same Explore, and it changes only
   * at a ranking, so each server keeps the pages it presented for a minute — reading and
   * presenting 60 whole photos was most of the page's cost. A kept page is shown again only if
   * the same query, reading ids alone, still answers the same photos in the same order: a new
   * ranking (by any server) or a photo made private, restricted, hidden or deleted, or its owner
   * suspended, changes the page at once, as without the cache. What may lag by up to a minute
   * is a new title or description.
   */
  async page(after: number, limit: number): Promise<ExplorePage> {
    const day = await this.deps.explore.latestDay();
    if (day === null) return { day: null, photos: [], nextCursor: null };
    const key = `${day}/${after}/${limit}`;
    const now = this.deps.clock.now();
    const kept = this.remembered.get(key);
    if (kept && kept.until > now && sameIds(await this.deps.explore.pageIds(day, after, limit + 1), kept.ids)) return kept.page;

    const rows = await this.deps.explore.page(day, after, limit + 1);
    const shown = rows.slice(0, limit);
    const photos = shown.map((row) => presentPhoto(row, null, this.deps.baseUrl));
    const last = shown[shown.length - 1];
    const page = { day, photos, nextCursor: rows.length > limit && last ? String(last.rank) : null };
    this.remembered.delete(key);
    if (this.remembered.size >= PAGES_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
    this.remembered.set(key, { page, ids: rows.map((row) => Number(row.id)), until: now + REMEMBER_PAGE_MS });
    return page;
  }
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
