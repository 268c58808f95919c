/**
 * What long operations (backup, restore, verify) report as they go. The CLI draws it
 * (src/cli/progress.ts); the server's scheduled backups and tests pass `silentProgress`.
 */
export interface ProgressTotals {
  items: number;
  bytes: number;
}

export interface ProgressReport {
  /** A new phase; `unit` names the items ("files", "photos"). */
  start(label: string, totals: ProgressTotals, unit?: string): void;
  advance(items: number, bytes: number): void;
  /** The phase is over. */
  finish(): void;
  /** A line of its own, between progress lines. */
  note(message: string): void;
}

export const silentProgress: ProgressReport = {
  start: () => {},
  advance: () => {},
  finish: () => {},
  note: () => {},
};
