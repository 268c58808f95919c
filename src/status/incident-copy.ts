import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import type { IncidentView } from "./presenter.ts";

interface CopyFile {
  format: 1;
  copiedAt: string;
  incidents: IncidentView[];
}

export interface IncidentSnapshot {
  incidents: IncidentView[];
  copiedAt: string;
}

/**
 * The incidents as JSON on this server's disk (`<dataDir>/status/incidents.json`), so the
 * status page and the outage page can still tell visitors what is going on when the database
 * does not answer. Written whole to a temporary file, flushed, then renamed over the old copy:
 * a reader (another worker, or this server after a crash) sees the old copy or the new one,
 * never half of one.
 */
export class IncidentCopy {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "status", "incidents.json");
  }

  async write(incidents: IncidentView[], now: number): Promise<void> {
    const body: CopyFile = { format: 1, copiedAt: new Date(now).toISOString(), incidents };
    const dir = path.dirname(this.file);
    await fsp.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.incidents.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`);
    try {
      const handle = await fsp.open(temp, "wx", 0o644);
      try {
        await handle.writeFile(JSON.stringify(body) + "\n");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, this.file);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw error;
    }
  }

  /** The copy, or null when there is none or it cannot be read. */
  async read(): Promise<IncidentSnapshot | null> {
    let raw: string;
    try {
      raw = await fsp.readFile(this.file, "utf8");
    } catch {
      return null;
    }
    try {
      const parsed = JSON.parse(raw) as Partial<CopyFile>;
      if (parsed.format !== 1 || !Array.isArray(parsed.incidents) || typeof parsed.copiedAt !== "string") return null;
      return { incidents: parsed.incidents, copiedAt: parsed.copiedAt };
    } catch {
      return null;
    }
  }
}
