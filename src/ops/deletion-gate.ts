import type { Clock } from "../clock.ts";
import type { SettingsRepository } from "./settings-repository.ts";

const KEY = "file_deletions_held";

/** The setting's value: when the hold ends (the latest of its holders), and each holder's own end. */
interface HoldState {
  until: number;
  holders: Record<string, number>;
}

/**
 * While a backup copies files, no photo file may be deleted, so that every row in the backup
 * has its file. The hold is a row in the shared settings with an expiry the backup renews,
 * so a backup process that dies does not hold deletions back for ever. Several backups may
 * hold at once (a scheduled one and one run by hand): each renews and releases only its own
 * share, and the hold lasts until the last of them lets go. Changes are compare-and-set, so
 * two holders writing at once never lose each other's share.
 */
export class DeletionGate {
  constructor(private readonly settings: SettingsRepository, private readonly clock: Clock) {}

  async heldUntil(): Promise<number | null> {
    const raw = await this.settings.get(KEY);
    if (raw === null) return null;
    const until = Number(parse(raw).until);
    return Number.isFinite(until) && until > this.clock.now() ? until : null;
  }

  /** Holds (or renews the hold on) file deletions for `forMs` from now; answers when it ends. */
  async hold(holder: string, forMs: number): Promise<number> {
    return this.change((holders, now) => {
      holders[holder] = now + forMs;
      return now + forMs;
    });
  }

  /** Lets go of this holder's share; deletions resume when no other holder remains. */
  async release(holder: string): Promise<void> {
    await this.change((holders) => {
      delete holders[holder];
      return 0;
    });
  }

  private async change(apply: (holders: Record<string, number>, now: number) => number): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.settings.get(KEY);
      const now = this.clock.now();
      const holders = raw === null ? {} : liveHolders(parse(raw), now);
      const result = apply(holders, now);
      const ends = Object.values(holders);
      const next = ends.length === 0 ? null : JSON.stringify({ until: Math.max(...ends), holders } satisfies HoldState);
      if (await this.settings.compareAndSet(KEY, raw, next, now)) return result;
    }
    throw new Error("could not change the hold on file deletions: the setting kept changing under us");
  }
}

function parse(raw: string): Partial<HoldState> & { holder?: string } {
  try {
    return JSON.parse(raw) as Partial<HoldState> & { holder?: string };
  } catch {
    return {};
  }
}

/** The holders whose share has not run out; the first format (one holder, one until) is read too. */
function liveHolders(state: Partial<HoldState> & { holder?: string }, now: number): Record<string, number> {
  const all: Record<string, number> = { ...(state.holders ?? {}) };
  if (state.holder && typeof state.until === "number" && !state.holders) all[state.holder] = state.until;
  return Object.fromEntries(Object.entries(all).filter(([, until]) => Number.isFinite(until) && until > now));
}
