import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { ErrorRecorder, FailedRequest } from "../web/error-handler.ts";
import type { RecentErrorsRepository } from "./recent-errors-repository.ts";

export interface RecentError {
  occurredAt: string;
  requestId: string | null;
  route: string | null;
  message: string;
}

export const RECENT_ERRORS_KEPT = 200;
const MAX_MESSAGE_LENGTH = 2000;
/** Recordings still waiting for the database; beyond this, errors are only logged. */
const MAX_IN_FLIGHT = 8;
/** After a recording fails (the database is likely down), the next ones are skipped this long. */
const PAUSE_AFTER_FAILURE_MS = 30_000;

/**
 * The newest server errors (5xx), for the admin page. Recording never throws and never delays
 * the error response: it runs after the response is on its way, is skipped while the database
 * is failing or slow, and a failure to record is only logged.
 */
export class RecentErrors implements ErrorRecorder {
  private inFlight = 0;
  private pausedUntil = 0;

  constructor(
    private readonly repository: RecentErrorsRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly keep = RECENT_ERRORS_KEPT,
  ) {}

  record(failure: FailedRequest): void {
    const occurredAt = this.clock.now();
    if (this.inFlight >= MAX_IN_FLIGHT || occurredAt < this.pausedUntil) return;
    this.inFlight++;
    const entry = {
      occurred_at: occurredAt,
      request_id: failure.requestId,
      route: failure.route,
      message: [...failure.message].slice(0, MAX_MESSAGE_LENGTH).join(""),
    };
    setImmediate(() => void this.write(entry));
  }

  private async write(entry: Parameters<RecentErrorsRepository["insert"]>[0]): Promise<void> {
    try {
      await this.repository.insert(entry, this.keep);
    } catch (error) {
      this.pausedUntil = this.clock.now() + PAUSE_AFTER_FAILURE_MS;
      this.log.warn({ err: error }, "could not record a server error in recent_errors; not recording for 30 s");
    } finally {
      this.inFlight--;
    }
  }

  async newest(limit: number): Promise<RecentError[]> {
    const rows = await this.repository.newest(limit);
    return rows.map((row) => ({ occurredAt: new Date(Number(row.occurred_at)).toISOString(), requestId: row.request_id, route: row.route, message: row.message }));
  }
}
