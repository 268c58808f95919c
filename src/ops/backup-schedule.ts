import { spawn } from "node:child_process";
import path from "node:path";
import type { Clock } from "../clock.ts";
import type { SettingsRepository } from "./settings-repository.ts";

/** The shared setting that says when the next scheduled backup is due, and who took the last one. */
export const SCHEDULE_KEY = "backup_schedule";

interface ScheduleState {
  nextDueAt: number;
  startedAt?: number;
  startedBy?: string;
  lastError?: string;
}

export type TickOutcome = "not-due" | "taken" | "ran" | "failed" | "busy" | "stopped";

export interface BackupScheduleOptions {
  settings: SettingsRepository;
  clock: Clock;
  intervalMs: number;
  /** Who this process is, recorded with the backup it takes. */
  holder: string;
  /** Makes one backup; throws when it failed. The signal asks it to stop (server shutting down). */
  run: (signal: AbortSignal) => Promise<string>;
  say: (level: "info" | "warn", message: string) => void;
  /** After a failure the next try comes this soon (at most the interval). Default 1 hour. */
  retryMs?: number;
  /** How often each process looks whether a backup is due. Default 1 minute. */
  pollMs?: number;
  /** The first look after start. Default 2 seconds. */
  firstPollMs?: number;
}

/**
 * Scheduled backups from inside the server, once across all its processes and machines: every
 * process looks every minute whether the backup is due (a time kept in the shared `settings`
 * table), and moves that time on by one interval with a compare-and-set. Exactly one process
 * wins that write, and only it runs the backup. A failed backup is tried again after
 * `retryMs`; a process dying in the middle costs that one backup, never a double.
 */
export class BackupSchedule {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickOutcome> | null = null;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly options: BackupScheduleOptions) {}

  start(): void {
    this.plan(this.options.firstPollMs ?? 2000);
  }

  /** Stops looking, asks a backup in progress to stop, and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** One look: takes the due backup if this process wins it, and runs it. */
  tick(): Promise<TickOutcome> {
    if (this.stopped) return Promise.resolve("stopped");
    if (this.running) return Promise.resolve("busy");
    this.running = this.lookAndRun().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private plan(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.options.say("warn", `could not look whether a backup is due: ${(error as Error).message}`))
        .finally(() => this.plan(this.options.pollMs ?? 60_000));
    }, delay);
    this.timer.unref();
  }

  private async lookAndRun(): Promise<TickOutcome> {
    const { settings, clock, intervalMs, holder } = this.options;
    const now = clock.now();
    let raw = await settings.get(SCHEDULE_KEY);
    if (raw === null) {
      // Backups just switched on: the first one is due now.
      await settings.setIfAbsent(SCHEDULE_KEY, JSON.stringify({ nextDueAt: now } satisfies ScheduleState), now);
      raw = await settings.get(SCHEDULE_KEY);
      if (raw === null) return "not-due";
    }
    const state = parseState(raw);
    // A due time further away than one interval was set under a longer interval: due now.
    const due = state.nextDueAt <= now || state.nextDueAt > now + intervalMs;
    if (!due) return "not-due";
    const claimed = JSON.stringify({ nextDueAt: now + intervalMs, startedAt: now, startedBy: holder } satisfies ScheduleState);
    if (!(await settings.compareAndSet(SCHEDULE_KEY, raw, claimed, now))) return "taken";
    try {
      const where = await this.options.run(this.abort.signal);
      this.options.say("info", `scheduled backup complete: ${where}`);
      return "ran";
    } catch (error) {
      const message = (error as Error).message;
      const later = clock.now();
      const retry = JSON.stringify({ ...parseState(claimed), nextDueAt: later + Math.min(this.options.retryMs ?? 60 * 60_000, intervalMs), lastError: message } satisfies ScheduleState);
      await settings.compareAndSet(SCHEDULE_KEY, claimed, retry, later).catch(() => false);
      this.options.say("warn", `scheduled backup failed: ${message}`);
      return "failed";
    }
  }
}

function parseState(raw: string): ScheduleState {
  try {
    const state = JSON.parse(raw) as Partial<ScheduleState>;
    return { ...state, nextDueAt: Number.isFinite(state.nextDueAt) ? (state.nextDueAt as number) : 0 };
  } catch {
    return { nextDueAt: 0 };
  }
}

/**
 * Runs `pinhole backup DIR --scheduled --keep N` as a child process with the server's data dir
 * and database: a backup's copying and hashing then never blocks the server's event loop, and
 * a failing backup cannot take the server down. Answers the backup's folder.
 */
export function spawnScheduledBackup(options: { dir: string; keep: number; dataDir: string; databaseUrl: string | null }, signal: AbortSignal): Promise<string> {
  const bin = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");
  const env: NodeJS.ProcessEnv = { ...process.env, PINHOLE_DATA_DIR: options.dataDir };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "backup", options.dir, "--scheduled", "--keep", String(options.keep)], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout = (stdout + chunk.toString("utf8")).slice(-4000)));
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
    // The backup stops between files on SIGTERM; a database copy in progress (pg_dump, the
    // SQLite copy) may not, and a server shutting down cannot wait for it: SIGKILL after 5 s.
    // The hold on deletions it took runs out by itself, and its temporary folder is not a backup.
    const onAbort = () => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", reject);
    child.on("close", (code, killed) => {
      signal.removeEventListener("abort", onAbort);
      if (code === 0) {
        resolve(/backup complete: (.+)/.exec(stdout)?.[1]?.trim() ?? options.dir);
        return;
      }
      const last = stderr.trim().split("\n").filter((line) => line.startsWith("pinhole:")).at(-1) ?? stderr.trim().split("\n").at(-1) ?? "";
      reject(new Error(`pinhole backup ${killed ? `was stopped (${killed})` : `exited with ${code}`}${last ? `: ${last}` : ""}`));
    });
  });
}
