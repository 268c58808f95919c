import { CHECK_TIMEOUT_MS, checkReadiness, type ReadinessDeps, type ReadinessReport } from "../ops/readiness.ts";

export type ComponentState = "operational" | "degraded" | "down" | "unknown";
export type ComponentKey = "web" | "uploads" | "database" | "storage" | "backlog";

export interface ComponentView {
  key: ComponentKey;
  name: string;
  state: ComponentState;
  /** For visitors: says what it means for them, never a server path or an error text. */
  detail: string;
}

export interface Backlog {
  pending: number;
  running: number;
  failed: number;
}

export interface BacklogSource {
  backlog(): Promise<Backlog>;
}

export interface Measurements {
  readiness: ReadinessReport;
  /** Null when the jobs table could not be read. */
  backlog: Backlog | null;
  checkedAt: number;
}

/** A backlog at least this long makes new photos noticeably slower to get all their sizes. */
export const BACKLOG_DEGRADED_AT = 50;

/** From what was measured to what the status page says about each component. */
export function describeComponents(m: Measurements): ComponentView[] {
  const { database, storage, disk } = m.readiness.checks;
  const databaseUp = database.status === "ok";
  const storageUp = storage.status === "ok";
  const diskOk = disk.status === "ok";
  const waiting = m.backlog ? m.backlog.pending + m.backlog.running : null;
  const uploadProblem = !databaseUp
    ? "Uploads need the database, which is not answering."
    : !storageUp
      ? "Photo files cannot be written right now."
      : !diskOk
        ? "The server's disk is nearly full."
        : null;
  return [
    { key: "web", name: "Website and API", state: "operational", detail: "This server is answering." },
    {
      key: "uploads",
      name: "Uploads",
      state: uploadProblem ? "down" : "operational",
      detail: uploadProblem ?? "New photos are accepted.",
    },
    {
      key: "database",
      name: "Database",
      state: databaseUp ? "operational" : "down",
      detail: databaseUp ? `Answered in ${database.ms} ms.` : "Not answering: pages that need it show a notice, photos keep loading.",
    },
    {
      key: "storage",
      name: "Photo storage",
      state: storageUp ? "operational" : "down",
      detail: storageUp ? "Photo files can be read and written." : "Photo files cannot be written right now.",
    },
    {
      key: "backlog",
      name: "Image processing",
      state: waiting === null ? "unknown" : waiting >= BACKLOG_DEGRADED_AT ? "degraded" : "operational",
      detail:
        waiting === null
          ? "Unknown while the database is not answering."
          : waiting === 0
            ? "Nothing waiting."
            : `${waiting} ${waiting === 1 ? "task" : "tasks"} waiting${waiting >= BACKLOG_DEGRADED_AT ? ": new photos take longer than usual to get every size" : ""}.`,
    },
  ];
}

class Deadline extends Error {}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Deadline(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Measures the components live, each check with its 2 s deadline. A flood of visitors during
 * an outage shares one measurement per `reuseMs` instead of each one probing the database and
 * writing a probe file.
 */
export class ComponentProbe {
  private last: Measurements | null = null;
  private inFlight: Promise<Measurements> | null = null;

  constructor(
    private readonly deps: ReadinessDeps & { backlog: BacklogSource; now: () => number },
    private readonly reuseMs = 1000,
  ) {}

  async measure(): Promise<Measurements> {
    if (this.last && this.deps.now() - this.last.checkedAt < this.reuseMs) return this.last;
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async run(): Promise<Measurements> {
    const [readiness, backlog] = await Promise.all([
      checkReadiness(this.deps),
      withDeadline(this.deps.backlog.backlog(), CHECK_TIMEOUT_MS).catch(() => null),
    ]);
    this.last = { readiness, backlog, checkedAt: this.deps.now() };
    return this.last;
  }
}
