import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PoolStats } from "../db/database.ts";

export type UploadOutcome = "created" | "duplicate" | "rejected" | "failed";
/** How a photo page was shown: kept from an earlier visit, rendered and kept, or rendered for this viewer alone. */
export type PageCacheOutcome = "hit" | "miss" | "bypass";

export interface MetricsSources {
  /** Null where there is no pool (SQLite). */
  poolStats(): PoolStats | null;
  /** Bytes of stored files; may take long (it walks the files), so it is only ever run in the background. */
  storageBytes(): Promise<number>;
}

/** The one route label for every image URL, whatever its id, secret and size. */
export const IMAGE_ROUTE = "/img/:id/:secret/:size";
/** Requests that matched no route: one label, never the raw URL, so a scan cannot grow the series without bound. */
export const UNMATCHED_ROUTE = "(unmatched)";
export const STORAGE_REFRESH_MS = 5 * 60 * 1000;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface RouteSeries {
  requests: Counter.Internal;
  duration: Histogram.Internal<string>;
}

/**
 * The process's Prometheus metrics, in a registry of its own (not prom-client's global one,
 * so several apps can live in one test process):
 *  - pinhole_http_requests_total and pinhole_http_request_duration_seconds by method, route
 *    pattern and status (image URLs under IMAGE_ROUTE);
 *  - pinhole_uploads_total by outcome;
 *  - pinhole_photo_page_cache_total: photo pages kept (hit), rendered and kept (miss) or rendered (bypass);
 *  - pinhole_db_pool_connections by state (PostgreSQL only);
 *  - pinhole_storage_bytes: the size of the stored files, from a walk of the files folder run
 *    in the background at most every STORAGE_REFRESH_MS (a scrape reports the last result and,
 *    when it is older than that, starts the next walk without waiting for it). A walk, not a
 *    SQL sum of original sizes, because derivatives take space too;
 *  - pinhole_processing_backlog, from whatever source `setBacklogSource` is given;
 *  - prom-client's default process metrics, event-loop lag among them.
 * Every gauge says how workers of a cluster combine (`aggregator`), see src/cli/cluster.ts.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly duration: Histogram<"method" | "route" | "status">;
  private readonly uploads: Counter<"outcome">;
  private readonly photoPages: Record<PageCacheOutcome, Counter.Internal>;
  /** Labelled children, found by one string key instead of prom-client hashing the labels on every request. */
  private readonly series = new Map<string, RouteSeries>();
  private backlogSource: (() => Promise<number>) | null = null;
  private storage: { bytes: number | null; at: number; walking: boolean } = { bytes: null, at: 0, walking: false };
  private stopped = false;

  /**
   * How /metrics is rendered: this registry by default; in a cluster worker, replaced by a
   * question to the primary, which aggregates every worker's registry.
   */
  render: () => Promise<string> = () => this.registry.metrics();

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: "pinhole_http_requests_total", help: "HTTP requests answered, by route pattern", labelNames: ["method", "route", "status"], registers });
    this.duration = new Histogram({
      name: "pinhole_http_request_duration_seconds",
      help: "Time from a request's arrival until its answer was sent, by route pattern",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.uploads = new Counter({ name: "pinhole_uploads_total", help: "Photo uploads, by outcome: created, duplicate (same bytes again), rejected (4xx), failed (5xx)", labelNames: ["outcome"], registers });
    for (const outcome of ["created", "duplicate", "rejected", "failed"] as const) this.uploads.labels(outcome).inc(0);
    const pages = new Counter({
      name: "pinhole_photo_page_cache_total",
      help: "Photo pages shown, by how: hit (kept from an earlier visit, the query answering the same), miss (rendered, then kept), bypass (rendered for a member, or with something only a fresh render shows)",
      labelNames: ["outcome"],
      registers,
    });
    this.photoPages = { hit: pages.labels("hit"), miss: pages.labels("miss"), bypass: pages.labels("bypass") };
    for (const series of Object.values(this.photoPages)) series.inc(0);
    // Gauges read their values on each scrape; `this` inside collect() is the gauge.
    const poolStats = () => this.sources.poolStats();
    const storageBytes = () => {
      if (Date.now() - this.storage.at >= STORAGE_REFRESH_MS) this.refreshStorage();
      return this.storage.bytes;
    };
    const backlog = () => this.backlogSource?.();
    new Gauge({
      name: "pinhole_db_pool_connections",
      help: "Database pool connections by state (PostgreSQL; absent on SQLite)",
      labelNames: ["state"],
      registers,
      collect() {
        const stats = poolStats();
        if (!stats) return;
        this.set({ state: "total" }, stats.total);
        this.set({ state: "idle" }, stats.idle);
        this.set({ state: "waiting" }, stats.waiting);
      },
    });
    new Gauge({
      name: "pinhole_storage_bytes",
      help: `Bytes of stored photo files (originals and derivatives), measured in the background at most every ${STORAGE_REFRESH_MS / 60_000} minutes`,
      aggregator: "max",
      registers,
      collect() {
        const bytes = storageBytes();
        if (bytes !== null) this.set(bytes);
      },
    });
    new Gauge({
      name: "pinhole_processing_backlog",
      help: "Background jobs waiting or running: uploads to finish, files to delete (absent until a backlog source is registered)",
      aggregator: "max",
      registers,
      async collect() {
        // The backlog lives in the database; while it is down the other metrics still answer
        // (a rejected collect would fail the whole scrape), and this one is left out.
        const waiting = await Promise.resolve(backlog()).catch(() => undefined);
        if (waiting !== undefined) this.set(waiting);
        else this.reset();
      },
    });
  }

  /** One answered request. `route` is a pattern (a route's URL template), never a raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  countUpload(outcome: UploadOutcome): void {
    this.uploads.labels(outcome).inc();
  }

  countPhotoPage(outcome: PageCacheOutcome): void {
    this.photoPages[outcome].inc();
  }

  /** For the processing queue, when there is one: how many photos wait. Called on each scrape. */
  setBacklogSource(source: () => Promise<number>): void {
    this.backlogSource = source;
  }

  /** Starts the first storage walk in the background, so the first scrape has a figure. */
  start(): void {
    this.refreshStorage();
  }

  stop(): void {
    this.stopped = true;
  }

  private refreshStorage(): void {
    if (this.storage.walking || this.stopped) return;
    this.storage.walking = true;
    this.storage.at = Date.now();
    this.sources.storageBytes().then(
      (bytes) => {
        this.storage.bytes = bytes;
        this.storage.walking = false;
      },
      () => {
        // Keep the last figure; the next scrape after STORAGE_REFRESH_MS tries again.
        this.storage.walking = false;
      },
    );
  }
}
