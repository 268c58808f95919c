import type { Logger } from "pino";
import type { Clock } from "../clock.ts";

const KEY = "maintenance";
export const DEFAULT_MAINTENANCE_MESSAGE = "Pinhole is read-only for maintenance: you can look around, but uploads and changes are paused for a little while.";
export const MAX_MAINTENANCE_MESSAGE = 500;
/** How often each server re-reads the switch: every server follows a change within about this long. */
export const MAINTENANCE_POLL_MS = 1000;

export interface MaintenanceState {
  enabled: boolean;
  message: string;
  since: number | null;
}

const OFF: MaintenanceState = { enabled: false, message: DEFAULT_MAINTENANCE_MESSAGE, since: null };

/** The part of the settings the switch needs (ops/settings-repository.ts). */
export interface SettingsStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, now: number): Promise<void>;
  delete(key: string): Promise<void>;
}

function parse(raw: string | null): MaintenanceState {
  if (raw === null) return OFF;
  try {
    const value = JSON.parse(raw) as { message?: unknown; since?: unknown };
    return {
      enabled: true,
      message: typeof value.message === "string" && value.message ? value.message : DEFAULT_MAINTENANCE_MESSAGE,
      since: typeof value.since === "number" ? value.since : null,
    };
  } catch {
    // A row someone wrote by hand still means "on": a read-only switch fails closed.
    return { enabled: true, message: DEFAULT_MAINTENANCE_MESSAGE, since: null };
  }
}

/**
 * Read-only maintenance: a row in the shared settings, so that one switch (an admin page, the
 * API or `pinhole maintenance on|off`) reaches every server. Each server keeps the value in
 * memory and re-reads it every second; requests never wait for it, so a page served while
 * the database is down is not slowed by the switch either (the last known value holds).
 */
export class MaintenanceMode {
  private state: MaintenanceState = OFF;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failing = false;

  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
    private readonly log?: Logger,
    private readonly pollMs = MAINTENANCE_POLL_MS,
  ) {}

  /** The state as this server last read it (at most about a second old while started). */
  current(): MaintenanceState {
    return this.state;
  }

  async read(): Promise<MaintenanceState> {
    this.state = parse(await this.settings.get(KEY));
    return this.state;
  }

  /** Switches maintenance on (with a message; empty means the standard one) or off, for every server. */
  async set(enabled: boolean, message?: string | null): Promise<MaintenanceState> {
    const now = this.clock.now();
    if (enabled) {
      const text = (message ?? "").trim().slice(0, MAX_MAINTENANCE_MESSAGE) || DEFAULT_MAINTENANCE_MESSAGE;
      await this.settings.set(KEY, JSON.stringify({ message: text, since: now }), now);
    } else {
      await this.settings.delete(KEY);
    }
    return this.read();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.poll();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    try {
      await this.read();
      if (this.failing) this.log?.info("maintenance switch readable again");
      this.failing = false;
    } catch (error) {
      // The database may be down; the last known state holds until it answers again.
      if (!this.failing) this.log?.warn({ err: (error as Error).message }, "could not read the maintenance switch; keeping the last known state");
      this.failing = true;
    }
    if (!this.running) return;
    this.timer = setTimeout(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }
}
