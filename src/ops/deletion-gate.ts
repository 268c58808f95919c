import type { Clock } from "../clock.ts";
import type { SettingsRepository } from "./settings-repository.ts";

const KEY = "file_deletions_held";

/**
 * While a backup copies files, no photo file may be deleted, so that every row in the backup
 * has its file. The hold is a row in the shared settings with an expiry the backup renews,
 * so a backup process that dies does not hold deletions back for ever.
 */
export class DeletionGate {
  constructor(private readonly settings: SettingsRepository, private readonly clock: Clock) {}

  async heldUntil(): Promise<number | null> {
    const raw = await this.settings.get(KEY);
    if (raw === null) return null;
    const until = Number(JSON.parse(raw).until);
    return Number.isFinite(until) && until > this.clock.now() ? until : null;
  }

  async hold(holder: string, forMs: number): Promise<void> {
    await this.settings.set(KEY, JSON.stringify({ holder, until: this.clock.now() + forMs }), this.clock.now());
  }

  async release(): Promise<void> {
    await this.settings.delete(KEY);
  }
}
