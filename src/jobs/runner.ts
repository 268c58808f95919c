import crypto from "node:crypto";
import os from "node:os";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { JobRow } from "../db/schema.ts";
import type { JobsRepository } from "./repository.ts";
import { processAlive } from "../processes.ts";

/** What a handler says about a job it ran: finished, or to be tried again at a given time. */
export type JobResult = { status: "done" } | { status: "later"; at: number; reason: string };

export interface JobHandler {
  run(payload: unknown, job: JobRow): Promise<JobResult>;
}

/** What code that records work needs of the runner. */
export interface JobQueue {
  enqueue(kind: string, payload: unknown, delayMs?: number): Promise<number>;
  runSoon(id: number): void;
  /** Runs one job and waits for it; a failure stays recorded for retry and is not thrown. */
  runNow(id: number): Promise<void>;
  discard(id: number): Promise<void>;
}

export interface JobRunnerOptions {
  jobs: JobsRepository;
  clock: Clock;
  log: Logger;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  concurrency?: number;
  /**
   * A job's lease: renewed while its runner lives (every third of it), so a job is taken over
   * by another runner this long after its runner died, however long the job itself runs.
   */
  leaseMs?: number;
  /** How often leases are renewed; a third of the lease unless a test says otherwise. */
  renewEveryMs?: number;
  maxAttempts?: number;
  /**
   * This process runs no jobs (a web-only server): work its requests ask to have run now is
   * made due at once instead, for a worker's next poll to take.
   */
  handOff?: boolean;
}

const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * Runs the jobs stored in the database: polls for due ones, runs a few at a time, retries
 * failures with exponential backoff and gives up after `maxAttempts`, leaving the job marked
 * failed for the operator. Any number of runners, in any number of processes, may share the
 * table: a claim is an atomic update, and only the claimant's lease can finish a job.
 */
export class JobRunner implements JobQueue {
  readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly running = new Set<Promise<void>>();
  /** Ids of the jobs this runner is executing, whose leases it renews. */
  private readonly held = new Set<number>();
  private renewal: NodeJS.Timeout | null = null;
  /**
   * What could not be written after a job ran (its completion, its retry time) because the
   * database was away: written at the next polls once it is back, rather than leaving the job
   * held until its lease runs out.
   */
  private readonly unsettled = new Map<number, () => Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private polling: Promise<void> | null = null;

  constructor(private readonly options: JobRunnerOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.concurrency = options.concurrency ?? 2;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 10;
  }

  /** Adds the handler of a kind of job, for domains built after the runner (webmentions). */
  register(kind: string, handler: JobHandler): void {
    if (this.options.handlers[kind]) throw new Error(`job kind ${kind} has a handler already`);
    this.options.handlers = { ...this.options.handlers, [kind]: handler };
  }

  async enqueue(kind: string, payload: unknown, delayMs = 0): Promise<number> {
    if (!this.options.handlers[kind]) throw new Error(`no handler for job kind ${kind}`);
    const now = this.options.clock.now();
    return this.options.jobs.enqueue({ kind, payload, runAfter: now + delayMs }, now);
  }

  /** Runs one job now, in the background, if nobody else holds it; the poller is its safety net. */
  runSoon(id: number): void {
    void this.runNow(id);
  }

  runNow(id: number): Promise<void> {
    if (this.options.handOff) return this.track(this.options.jobs.makeDueNow(id, this.options.clock.now()));
    return this.track(
      (async () => {
        const job = await this.options.jobs.claimById(id, this.workerId, this.options.clock.now(), this.leaseMs);
        if (job) await this.execute(job);
      })(),
    );
  }

  async discard(id: number): Promise<void> {
    await this.options.jobs.discardPending(id);
  }

  /**
   * Jobs claimed by a process of this machine that is no longer running (a crash, a kill -9)
   * are handed back at start-up rather than after their lease; other machines' leases run out
   * by themselves. A lease with our own pid but another id is an earlier life of a process
   * that got the same pid (a container's pid 1).
   */
  async releaseDeadLeases(): Promise<number> {
    const host = `${os.hostname()}:`;
    const dead = (await this.options.jobs.leaseHolders()).filter((holder) => {
      if (!holder.startsWith(host) || holder === this.workerId) return false;
      const pid = Number(holder.slice(host.length).split(":")[0]);
      return !Number.isInteger(pid) || pid === process.pid || !processAlive(pid);
    });
    return this.options.jobs.releaseLeases(dead, this.options.clock.now());
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops claiming and waits for the jobs in hand; an unfinished one is taken over after its lease. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A claim in flight finishes first, so no job is claimed after the database closes.
    await this.polling;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    // A last try; what still cannot be written is taken over by another worker after its lease.
    await this.settle().catch(() => undefined);
  }

  /** Runs every due job until none is left; for start-up recovery, the CLI and tests. */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.claim(this.concurrency);
      if (claimed.length === 0 && this.running.size === 0) return;
      for (const job of claimed) void this.track(this.execute(job));
      await Promise.allSettled([...this.running]);
    }
  }

  private schedule(delay: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => void this.poll(), delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = (async () => {
      try {
        await this.settle();
        const free = this.concurrency - this.running.size;
        if (free > 0) for (const job of await this.claim(free)) void this.track(this.execute(job));
      } catch (error) {
        // The database may be down; the jobs wait in it, and the next poll tries again.
        this.options.log.warn({ err: error }, "could not claim jobs");
      }
    })();
    await this.polling;
    this.polling = null;
    this.schedule(this.pollMs);
  }

  private claim(limit: number): Promise<JobRow[]> {
    return this.options.jobs.claimDue(Object.keys(this.options.handlers), this.workerId, this.options.clock.now(), this.leaseMs, limit);
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error: unknown) => this.options.log.error({ err: error }, "job bookkeeping failed"));
    this.running.add(tracked);
    return tracked.finally(() => this.running.delete(tracked));
  }

  private hold(id: number): void {
    this.held.add(id);
    if (this.renewal) return;
    this.renewal = setInterval(() => void this.renew(), this.options.renewEveryMs ?? Math.max(50, Math.floor(this.leaseMs / 3)));
    this.renewal.unref();
  }

  private release(id: number): void {
    this.held.delete(id);
    if (this.held.size > 0 || !this.renewal) return;
    clearInterval(this.renewal);
    this.renewal = null;
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.options.jobs.renewLeases([...this.held], this.workerId, this.options.clock.now() + this.leaseMs);
    } catch (error) {
      // The database may be down; if it stays down past the lease, another runner may take the job over.
      this.options.log.warn({ err: error }, "could not renew job leases");
    }
  }

  private async execute(job: JobRow): Promise<void> {
    this.hold(job.id);
    try {
      await this.executeHeld(job);
    } finally {
      this.release(job.id);
    }
  }

  private async executeHeld(job: JobRow): Promise<void> {
    const { jobs, clock, log, handlers } = this.options;
    const handler = handlers[job.kind];
    let outcome: () => Promise<void>;
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const result = await handler.run(JSON.parse(job.payload), job);
      outcome = result.status === "done" ? () => jobs.complete(job.id, this.workerId) : () => jobs.reschedule(job.id, this.workerId, result.at, clock.now(), result.reason, false);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (job.attempts >= this.maxAttempts) {
        log.error({ err: error, job: job.id, kind: job.kind }, "job failed for good");
        outcome = () => jobs.markFailed(job.id, this.workerId, message, clock.now());
      } else {
        const backoff = Math.min(MAX_BACKOFF_MS, 5000 * 2 ** (job.attempts - 1));
        log.warn({ err: error, job: job.id, kind: job.kind, attempt: job.attempts }, "job failed; will retry");
        const at = clock.now() + backoff;
        outcome = () => jobs.reschedule(job.id, this.workerId, at, clock.now(), message);
      }
    }
    try {
      await outcome();
    } catch (error) {
      // Each of these writes changes the job only while this worker still holds it, so writing
      // it late is safe: if the lease ran out and another worker took the job, it does nothing.
      this.unsettled.set(job.id, outcome);
      log.warn({ err: error, job: job.id, kind: job.kind }, "could not record a job's outcome; will record it when the database answers");
    }
  }

  /** Writes the outcomes the database could not take when their jobs ended; stops at the first failure. */
  private async settle(): Promise<void> {
    for (const [id, outcome] of [...this.unsettled]) {
      await outcome();
      this.unsettled.delete(id);
    }
  }
}
