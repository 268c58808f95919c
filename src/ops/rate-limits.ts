import type { Clock } from "../clock.ts";
import { TooManyRequestsError, type Wording } from "../errors.ts";
import type { RateLimitsRepository } from "./rate-limits-repository.ts";

export interface RateLimit {
  /** What is counted, for the key: "webmention-ip". */
  name: string;
  limit: number;
  windowMs: number;
  /** Said to whoever goes over it, in their language. */
  message: Wording;
}

/**
 * Limits counted in the database, so every server of a cluster shares them. Two servers at the
 * very edge of a limit may both let one more through; the count never drifts further than that.
 */
export class RateLimiter {
  constructor(private readonly deps: { repository: RateLimitsRepository; clock: Clock }) {}

  /** Counts one event of `subject` under the limit, or throws a 429 saying when to try again. */
  async take(rule: RateLimit, subject: string): Promise<void> {
    const now = this.deps.clock.now();
    const { allowed, oldest } = await this.deps.repository.take(`${rule.name}:${subject}`, now - rule.windowMs, now, rule.limit);
    if (allowed) return;
    const retryAfter = Math.max(1, Math.ceil(((oldest ?? now) + rule.windowMs - now) / 1000));
    throw new TooManyRequestsError(rule.message, retryAfter);
  }
}
