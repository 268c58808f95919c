import { CHECK_TIMEOUT_MS, checkReadiness, type ReadinessDeps, type ReadinessReport } from "../ops/readiness.ts";

export type ComponentState = "operational" | "degraded" | "down" | "unknown";
export type ComponentKey = "web" | "uploads" | "database" | "storage" | "backlog";

/**
 * What a component's line says, for visitors: what it means for them, never a server path or
 * an error text. A case and its numbers, not words: status/views.ts says it in the page's language.
 */
export type ComponentDetail =
  | { says: "webAnswering" | "uploadsAccepted" | "uploadsNeedDatabase" | "storageUnwritable" | "diskFull" | "databaseDown" | "storageOk" | "backlogUnknown" | "backlogEmpty" }
  | { says: "databaseAnswered"; ms: number }
  | { says: "backlogWaiting" | "backlogSlow"; count: number };

export interface ComponentView {
  key: ComponentKey;
  state: ComponentState;
  detail: ComponentDetail;
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
  const uploadProblem: ComponentDetail | null = !databaseUp
    ? { says: "uploadsNeedDatabase" }
    : !storageUp
      ? { says: "storageUnwritable" }
      : !diskOk
        ? { says: "diskFull" }
        : null;
  return [
    { key: "web", state: "operational", detail: { says: "webAnswering" } },
    { key: "uploads", state: uploadProblem ? "down" : "operational", detail: uploadProblem ?? { says: "uploadsAccepted" } },
    { key: "database", state: databaseUp ? "operational" : "down", detail: databaseUp ? { says: "databaseAnswered", ms: database.ms } : { says: "databaseDown" } },
    { key: "storage", state: storageUp ? "operational" : "down", detail: storageUp ? { says: "storageOk" } : { says: "storageUnwritable" } },
    {
      key: "backlog",
      state: waiting === null ? "unknown" : waiting >= BACKLOG_DEGRADED_AT ? "degraded" : "operational",
      detail:
        waiting === null
          ? { says: "backlogUnknown" }
          : waiting === 0
            ? { says: "backlogEmpty" }
            : { says: waiting >= BACKLOG_DEGRADED_AT ? "backlogSlow" : "backlogWaiting", count: waiting },
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
