import type { ExploreCandidate } from "./repository.ts";

const HOUR_MS = 60 * 60_000;

/** How far back Explore looks. */
export const EXPLORE_WINDOW_MS = 7 * 24 * HOUR_MS;
/** How many photos a day's ranking keeps. */
export const EXPLORE_SIZE = 500;

/**
 * How interesting a recent photo is:
 *
 *   score = (3·faves + 2·comments + log2(1 + views)) / (hours_since_upload + 2)^1.5
 *
 * A fave weighs most (a deliberate choice), a comment a little less; views count
 * logarithmically, since they are cheap and easy to inflate. Dividing by age^1.5 (the +2
 * keeps a brand-new photo from dividing by ~0) lets fresh photos with some attention pass
 * old ones with a lot, as on Hacker News.
 */
export function exploreScore(photo: Pick<ExploreCandidate, "faves" | "comments" | "views" | "uploadedAt">, now: number): number {
  const hours = Math.max(0, now - photo.uploadedAt) / HOUR_MS;
  return (3 * photo.faves + 2 * photo.comments + Math.log2(1 + photo.views)) / Math.pow(hours + 2, 1.5);
}

/** The candidates by score, best first; equal scores newest first. Photos nobody noticed are left out. */
export function rank(candidates: ExploreCandidate[], now: number, size = EXPLORE_SIZE): Array<{ photoId: number; score: number }> {
  return candidates
    .map((c) => ({ photoId: c.id, score: exploreScore(c, now) }))
    .filter((e) => e.score > 0)
    .sort((a, b) => b.score - a.score || b.photoId - a.photoId)
    .slice(0, size);
}

/** The UTC day a ranking is for, YYYY-MM-DD. */
export function exploreDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
