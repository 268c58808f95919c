import { PostgresAdapter, sql, type Kysely } from "kysely";
import type { Database, JobRow } from "../db/schema.ts";

export interface NewJob {
  kind: string;
  payload: unknown;
  runAfter: number;
}

/** Every query about background jobs. */
export class JobsRepository {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async enqueue(job: NewJob, now: number): Promise<number> {
    const row = await this.db
      .insertInto("jobs")
      .values({ kind: job.kind, payload: JSON.stringify(job.payload), state: "pending", run_after: job.runAfter, created_at: now, updated_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Takes up to `limit` due jobs for this worker: pending ones whose time has come, and running
   * ones whose lease ran out (their worker died). SKIP LOCKED lets many servers claim at once
   * on PostgreSQL without taking the same job; SQLite has one writer at a time anyway.
   */
  async claimDue(kinds: string[], workerId: string, now: number, leaseMs: number, limit: number): Promise<JobRow[]> {
    if (kinds.length === 0) return [];
    const lock = this.postgres ? sql`for update skip locked` : sql``;
    const { rows } = await sql<JobRow>`
      update jobs set state = 'running', locked_by = ${workerId}, locked_until = ${now + leaseMs},
        attempts = attempts + 1, updated_at = ${now}
      where id in (
        select id from jobs
        where kind in (${sql.join(kinds)})
          and ((state = 'pending' and run_after <= ${now}) or (state = 'running' and locked_until < ${now}))
        order by run_after, id
        limit ${limit}
        ${lock})
      returning *`.execute(this.db);
    return rows;
  }

  /** Claims one job by id whatever its time, when the code that made it wants it run now. */
  async claimById(id: number, workerId: string, now: number, leaseMs: number): Promise<JobRow | undefined> {
    return this.db
      .updateTable("jobs")
      .set((eb) => ({ state: "running", locked_by: workerId, locked_until: now + leaseMs, attempts: eb("attempts", "+", 1), updated_at: now }))
      .where("id", "=", id)
      .where((eb) => eb.or([eb("state", "=", "pending"), eb.and([eb("state", "=", "running"), eb("locked_until", "<", now)])]))
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends a lease while its holder still runs the job; answers false when the lease was lost (taken over). */
  async extendLease(id: number, workerId: string, until: number): Promise<boolean> {
    const result = await this.db.updateTable("jobs").set({ locked_until: until }).where("id", "=", id).where("state", "=", "running").where("locked_by", "=", workerId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Only the holder of the lease may finish a job; a worker whose lease was taken over changes nothing. */
  async complete(id: number, workerId: string): Promise<void> {
    await this.db.deleteFrom("jobs").where("id", "=", id).where("locked_by", "=", workerId).execute();
  }

  /** Drops a job that never ran, when what it would do is known to be unnecessary. */
  async discardPending(id: number): Promise<void> {
    await this.db.deleteFrom("jobs").where("id", "=", id).where("state", "=", "pending").execute();
  }

  /**
   * Hands a job back for later. A postponement (`failed` false: the handler said "not yet", say
   * while a backup holds deletions) does not use up one of the job's attempts.
   */
  async reschedule(id: number, workerId: string, runAfter: number, now: number, error: string | null, failed = true): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set((eb) => ({
        state: "pending",
        run_after: runAfter,
        locked_by: null,
        locked_until: null,
        last_error: error,
        updated_at: now,
        ...(failed ? {} : { attempts: eb("attempts", "-", 1) }),
      }))
      .where("id", "=", id)
      .where("locked_by", "=", workerId)
      .execute();
  }

  async markFailed(id: number, workerId: string, error: string, now: number): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({ state: "failed", locked_by: null, locked_until: null, last_error: error, updated_at: now })
      .where("id", "=", id)
      .where("locked_by", "=", workerId)
      .execute();
  }

  /** Makes pending jobs of a kind due now: after a restart, work left unfinished is resumed at once. */
  async makeDue(kind: string, now: number): Promise<number> {
    const result = await this.db.updateTable("jobs").set({ run_after: now, updated_at: now }).where("kind", "=", kind).where("state", "=", "pending").where("run_after", ">", now).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Extends the leases of jobs this worker still holds (a job taken over is left alone). */
  async renewLeases(ids: number[], workerId: string, until: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable("jobs").set({ locked_until: until }).where("id", "in", ids).where("locked_by", "=", workerId).where("state", "=", "running").execute();
  }

  /** Makes one pending job due now, for a worker to take at its next poll. */
  async makeDueNow(id: number, now: number): Promise<void> {
    await this.db.updateTable("jobs").set({ run_after: now, updated_at: now }).where("id", "=", id).where("state", "=", "pending").where("run_after", ">", now).execute();
  }

  async leaseHolders(): Promise<string[]> {
    const rows = await this.db.selectFrom("jobs").select("locked_by").distinct().where("state", "=", "running").where("locked_by", "is not", null).execute();
    return rows.map((r) => r.locked_by as string);
  }

  /** Hands the jobs of dead workers back at once instead of after their lease. */
  async releaseLeases(holders: string[], now: number): Promise<number> {
    if (holders.length === 0) return 0;
    const result = await this.db
      .updateTable("jobs")
      .set({ state: "pending", run_after: now, locked_by: null, locked_until: null, updated_at: now })
      .where("state", "=", "running")
      .where("locked_by", "in", holders)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async backlog(): Promise<{ pending: number; running: number; failed: number }> {
    const rows = await this.db.selectFrom("jobs").select(["state", (eb) => eb.fn.countAll<number>().as("count")]).groupBy("state").execute();
    const count = (state: string) => Number(rows.find((r) => r.state === state)?.count ?? 0);
    return { pending: count("pending"), running: count("running"), failed: count("failed") };
  }

  async list(limit: number): Promise<JobRow[]> {
    return this.db.selectFrom("jobs").selectAll().orderBy("id", "desc").limit(limit).execute();
  }
}
