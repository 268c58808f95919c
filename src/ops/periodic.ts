import type { Clock } from "../clock.ts";

/** Where the runs of periodic tasks are claimed: shared by every server of a site (the database). */
export interface PeriodicRuns {
  /** Claims one period of a task for `holder`; answers whether this call got it. */
  claim(task: string, slot: number, holder: string, now: number): Promise<boolean>;
  finish(task: string, slot: number, now: number, error: string | null): Promise<void>;
  prune(task: string, beforeSlot: number): Promise<void>;
}

export type PeriodicOutcome = "ran" | "taken" | "failed" | "busy" | "stopped";

export interface PeriodicTaskOptions {
  /** The task's name, its key in `periodic_runs`. */
  task: string;
  intervalMs: number;
  runs: PeriodicRuns;
  clock: Clock;
  /** Who this process is, recorded with the runs it makes. */
  holder: string;
  /** The work of one period (its number); what it answers is logged. Throws when it failed. */
  work: (slot: number) => Promise<string | undefined>;
  say: (level: "info" | "warn", message: string) => void;
  /** After the database could not be asked (it is down), the next look comes this soon. Default 30 s. */
  retryMs?: number;
  /** How many past periods' rows are kept. Default 100. */
  keep?: number;
}

/**
 * A task that runs once per period across every process and machine of a site (Explore's
 * ranking, clean-ups). Periods are numbered from the epoch (`floor(now / interval)`); the
 * process that inserts the row (task, period) into `periodic_runs` runs it, every other finds
 * the row and does nothing. On SQLite the same code runs in the one process.
 *
 * Why a row and not a PostgreSQL advisory lock: a lock only keeps two runs from overlapping;
 * a server that looks a moment after the first one finished would run the period again, so a
 * "last run" time has to be kept in a table anyway. A session lock also vanishes silently with
 * its connection (a database restart or failover, a pooler in transaction mode), while the
 * row survives both and works on SQLite too. A process that dies during its run costs that
 * period's run, never a double: the next period runs as usual.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PeriodicOutcome> | null = null;
  private stopped = false;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** Looks soon after start (running the current period if nobody did), then at each period's start. */
  start(firstDelayMs = 1000): void {
    this.plan(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Runs the current period's work if no process has claimed it yet. Throws when the database cannot be asked. */
  runIfDue(): Promise<PeriodicOutcome> {
    if (this.stopped) return Promise.resolve("stopped");
    if (this.running) return Promise.resolve("busy");
    this.running = this.claimAndRun().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async claimAndRun(): Promise<PeriodicOutcome> {
    const { task, intervalMs, runs, clock, holder, say } = this.options;
    const now = clock.now();
    const slot = Math.floor(now / intervalMs);
    if (!(await runs.claim(task, slot, holder, now))) return "taken";
    let error: string | null = null;
    try {
      const said = await this.options.work(slot);
      if (said) say("info", said);
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
      say("warn", `${task} failed: ${error}`);
    }
    // The run is done either way; the record of it is for the operator, so failing to write it
    // (the database went away meanwhile) changes nothing but the history.
    await runs.finish(task, slot, clock.now(), error).catch(() => undefined);
    await runs.prune(task, slot - (this.options.keep ?? 100)).catch(() => undefined);
    return error === null ? "ran" : "failed";
  }

  private plan(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      let retry = false;
      this.runIfDue()
        .catch((error: unknown) => {
          // The database is down: look again soon rather than lose the whole period.
          retry = true;
          this.options.say("warn", `could not look whether ${this.options.task} is due: ${(error as Error).message}`);
        })
        .finally(() => this.plan(retry ? Math.min(this.options.retryMs ?? 30_000, this.options.intervalMs) : this.untilNextPeriod()));
    }, delay);
    this.timer.unref();
  }

  /** Until a moment after the next period starts; the spread keeps servers from all asking in the same millisecond. */
  private untilNextPeriod(): number {
    const { intervalMs, clock } = this.options;
    const now = clock.now();
    const next = (Math.floor(now / intervalMs) + 1) * intervalMs;
    return next - now + Math.floor(Math.random() * Math.min(2000, intervalMs / 10));
  }
}
