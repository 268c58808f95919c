import type { ProgressReport, ProgressTotals } from "../ops/progress.ts";

/** Where progress goes: process.stderr, or anything with the same few members (tests). */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface TerminalProgressOptions {
  /** Without a terminal, a line at least this often (and at every tenth of the way). */
  plainEveryMs?: number;
  /** On a terminal, redraw the bar at most this often. */
  drawEveryMs?: number;
}

/**
 * Progress for the pinhole command. On a terminal, one line rewritten in place (\r): a bar,
 * counts, bytes, speed and time left. Otherwise (a log, a pipe, cron mail) plain lines, one at
 * every tenth of the way and at least every 5 s, so logs stay readable.
 */
export class TerminalProgress implements ProgressReport {
  private label = "";
  private unit = "files";
  private totals: ProgressTotals = { items: 0, bytes: 0 };
  private items = 0;
  private bytes = 0;
  private startedAt = 0;
  private lastDrawAt = 0;
  private lastLineAt = 0;
  private lastTenth = -1;
  private barShown = false;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private readonly drawEveryMs: number;

  constructor(private readonly out: ProgressStream = process.stderr, private readonly now: () => number = Date.now, options: TerminalProgressOptions = {}) {
    this.tty = out.isTTY === true;
    this.plainEveryMs = options.plainEveryMs ?? 5000;
    this.drawEveryMs = options.drawEveryMs ?? 100;
  }

  start(label: string, totals: ProgressTotals, unit = "files"): void {
    if (this.barShown) this.finish();
    this.label = label;
    this.unit = unit;
    this.totals = { ...totals };
    this.items = 0;
    this.bytes = 0;
    this.startedAt = this.now();
    this.lastTenth = 0;
    if (this.tty) {
      this.draw();
    } else {
      this.lastLineAt = this.startedAt;
      this.out.write(`${label}: ${count(totals.items)} ${unit}${totals.bytes > 0 ? `, ${formatBytes(totals.bytes)}` : ""}\n`);
    }
  }

  advance(items: number, bytes: number): void {
    this.items += items;
    this.bytes += bytes;
    const now = this.now();
    if (this.tty) {
      if (now - this.lastDrawAt >= this.drawEveryMs) this.draw();
      return;
    }
    const tenth = Math.floor(this.fraction() * 10);
    if (tenth > this.lastTenth || now - this.lastLineAt >= this.plainEveryMs) {
      this.lastTenth = Math.max(this.lastTenth, tenth);
      this.lastLineAt = now;
      this.out.write(`${this.plainLine()}\n`);
    }
  }

  finish(): void {
    if (this.tty) {
      this.draw();
      this.out.write("\n");
      this.barShown = false;
    } else {
      const seconds = (this.now() - this.startedAt) / 1000;
      this.out.write(`${this.label}: done, ${count(this.items)} ${this.unit}${this.bytes > 0 ? `, ${formatBytes(this.bytes)}` : ""} in ${formatDuration(seconds)}\n`);
    }
  }

  note(message: string): void {
    if (this.tty && this.barShown) {
      this.out.write(`\r\x1b[2K${message}\n`);
      this.draw();
    } else {
      this.out.write(`${message}\n`);
    }
  }

  /** How far along, 0 to 1: by bytes when the phase has any, else by items. */
  private fraction(): number {
    const f = this.totals.bytes > 0 ? this.bytes / this.totals.bytes : this.totals.items > 0 ? this.items / this.totals.items : 1;
    return Math.max(0, Math.min(1, f));
  }

  private rateAndEta(): { rate: string; eta: string } {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const f = this.fraction();
    const rate = elapsed > 0 ? (this.totals.bytes > 0 ? `${formatBytes(this.bytes / elapsed)}/s` : `${count(Math.round(this.items / elapsed))} ${this.unit}/s`) : "";
    const eta = f >= 1 ? "0s" : f > 0 && elapsed >= 0.5 ? formatDuration((elapsed * (1 - f)) / f) : "?";
    return { rate, eta };
  }

  private amounts(): string {
    const items = `${count(this.items)}/${count(this.totals.items)} ${this.unit}`;
    return this.totals.bytes > 0 ? `${items}  ${formatBytes(this.bytes)}/${formatBytes(this.totals.bytes)}` : items;
  }

  private draw(): void {
    this.lastDrawAt = this.now();
    const f = this.fraction();
    const width = 24;
    const filled = Math.round(f * width);
    const { rate, eta } = this.rateAndEta();
    let line = `${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%  ${this.amounts()}${rate ? `  ${rate}` : ""}  ETA ${eta}`;
    if (this.out.columns && line.length >= this.out.columns) line = line.slice(0, this.out.columns - 1);
    this.out.write(`\r\x1b[2K${line}`);
    this.barShown = true;
  }

  private plainLine(): string {
    const { rate, eta } = this.rateAndEta();
    return `${this.label}: ${Math.floor(this.fraction() * 100)}% (${this.amounts().replace("  ", ", ")})${rate ? `, ${rate}` : ""}, ETA ${eta}`;
  }
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
