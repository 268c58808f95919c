import crypto from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ERRORS, type Lock, type Locker, type RequestRelease } from "@tus/server";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { UploadLocksRepository } from "./upload-locks-repository.ts";

export interface UploadLockTimings {
  /** How long a holder's lock lasts without renewal: a dead server's lock is free after this. */
  leaseMs: number;
  /** How often a holder renews its lease and looks whether another request asked for the lock. */
  renewMs: number;
  /** How often a request waiting for the lock tries again. */
  pollMs: number;
  /** How long a request waits for the lock before it is answered 423 (the client tries again). */
  waitMs: number;
}

export const UPLOAD_LOCK_TIMINGS: UploadLockTimings = { leaseMs: 15_000, renewMs: 1_000, pollMs: 200, waitMs: 20_000 };

/** tus's answer shape: a client (tus-js-client, the web uploader) tries a 423 again after a pause. */
const BUSY = {
  status_code: 423,
  body: JSON.stringify({ error: { code: "upload_busy", message: "Another request is writing this upload. Try again in a moment." } }),
};

/**
 * tus's Locker for every server of a site: the lock is a row in the database (`upload_locks`),
 * so a PATCH on one server and a PATCH or HEAD for the same upload on another never overlap.
 *
 * It keeps tus's own rule for locks: a request that wants a held lock asks the holder to let go
 * (a client that lost its connection comes back on a new one, and the server still reading the
 * old one must stop: it keeps the bytes it got and answers, and the newcomer then reads the
 * true offset). The ask is a flag on the row, seen by the holder at its next renewal.
 *
 * Why a row with a lease rather than a PostgreSQL advisory lock: a session lock ties up a pooled
 * connection for as long as a PATCH lasts (minutes over a slow link), and vanishes silently
 * with its connection (a failover, a pooler in transaction mode) while the holder goes on
 * writing; a row also carries the ask to let go, and works the same on SQLite, where several
 * processes of one machine (`--workers N`) share the database. A holder renews its lease every
 * second; a holder that cannot renew stops its request well before the lease runs out, so by
 * the time another server may take the lock over, the first has stopped writing. Servers'
 * clocks must agree to well within the lease (NTP), as for periodic tasks.
 */
export class UploadLocker implements Locker {
  private readonly process = `${os.hostname()}:${process.pid}`;

  constructor(
    private readonly deps: { locks: UploadLocksRepository; clock: Clock; log: Logger },
    private readonly timings: UploadLockTimings = UPLOAD_LOCK_TIMINGS,
  ) {}

  newLock(uploadId: string): Lock {
    return new UploadLock(uploadId, `${this.process}:${crypto.randomBytes(4).toString("hex")}`, this.deps, this.timings);
  }
}

class UploadLock implements Lock {
  private renewal: NodeJS.Timeout | null = null;
  private held = false;
  private releaseAsked = false;

  constructor(
    private readonly uploadId: string,
    private readonly holder: string,
    private readonly deps: { locks: UploadLocksRepository; clock: Clock; log: Logger },
    private readonly timings: UploadLockTimings,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { locks, clock } = this.deps;
    const giveUpAt = clock.now() + this.timings.waitMs;
    for (;;) {
      if (signal.aborted) throw ERRORS.ABORTED;
      const now = clock.now();
      if (await locks.take(this.uploadId, this.holder, now, now + this.timings.leaseMs)) break;
      if (now >= giveUpAt) throw BUSY;
      await locks.askRelease(this.uploadId);
      await sleep(this.timings.pollMs, undefined, { signal }).catch(() => undefined);
    }
    this.held = true;
    this.keepRenewing(requestRelease, clock.now());
  }

  /**
   * Renews the lease until unlock. The holder's request is asked to stop (tus ends it gracefully,
   * keeping what it received) when another request wants the lock, when the lock was taken over,
   * or when the database has not taken a renewal for a third of the lease.
   */
  private keepRenewing(requestRelease: RequestRelease, renewedAt: number): void {
    const { locks, clock, log } = this.deps;
    const stop = (why: string) => {
      if (this.releaseAsked) return;
      this.releaseAsked = true;
      log.info({ uploadId: this.uploadId, holder: this.holder }, `resumable upload lock: ${why}, the request holding it stops`);
      void Promise.resolve(requestRelease()).catch(() => undefined);
    };
    const renew = async () => {
      if (!this.held) return;
      try {
        const now = clock.now();
        const state = await locks.renew(this.uploadId, this.holder, now + this.timings.leaseMs);
        if (!this.held) return;
        if (state === null) stop("taken over after its lease ran out");
        else {
          renewedAt = now;
          if (state.releaseRequested) stop("another request asked for it");
        }
      } catch (error) {
        if (!this.held) return;
        if (clock.now() - renewedAt > this.timings.leaseMs / 3) stop(`its lease could not be renewed (${(error as Error).message})`);
      }
      if (this.held) this.renewal = setTimeout(() => void renew(), this.timings.renewMs).unref();
    };
    this.renewal = setTimeout(() => void renew(), this.timings.renewMs).unref();
  }

  async unlock(): Promise<void> {
    this.held = false;
    if (this.renewal) clearTimeout(this.renewal);
    this.renewal = null;
    // A lock that cannot be given back (the database went away) runs out with its lease.
    await this.deps.locks.release(this.uploadId, this.holder).catch((error: unknown) => {
      this.deps.log.warn({ err: error, uploadId: this.uploadId }, "could not release a resumable upload's lock; it runs out with its lease");
    });
  }
}
