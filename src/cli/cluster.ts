import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { ImageCache } from "../images/image-cache.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { HttpDrain } from "../ops/drain.ts";

interface InvalidateMessage {
  type: "image-cache-invalidate";
  prefix: string;
}

/** The primary's notice to every worker before a stop (PINHOLE_SHUTDOWN_NOTICE_SECONDS): fail /readyz, keep serving. */
interface NoticeMessage {
  type: "drain-notice";
}

/** A worker asks the primary for the whole cluster's metrics; the primary asks every worker for its own. */
interface ScrapeMessage {
  type: "metrics-scrape";
  id: number;
}
interface ScrapeResultMessage {
  type: "metrics-scrape-result";
  id: number;
  text: string;
}
interface CollectMessage {
  type: "metrics-collect";
  id: number;
}
interface CollectResultMessage {
  type: "metrics-collect-result";
  id: number;
  /** The worker's registry as getMetricsAsJSON gives it; null when collecting failed. */
  metrics: object[] | null;
}

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

export interface PrimaryOptions {
  /** The workers' drain deadline (PINHOLE_SHUTDOWN_GRACE_SECONDS); a worker still alive well after it is killed. */
  graceMs: number;
  /** How long every worker gives load balancers notice before a stop (not a reload, where the others keep the port). */
  noticeMs?: number;
  log: (message: string) => void;
}

/** How long past a worker's own deadline the primary waits before SIGKILL. */
const KILL_MARGIN_MS = 10_000;
/** How long a scrape waits for the workers' figures; a worker that does not answer in time is left out. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * `pinhole serve --workers N`: the primary forks N workers that share the port and
 *  - replaces a worker that dies;
 *  - on SIGHUP, replaces the workers one at a time without refusing a request: a new worker is
 *    forked, and once it listens, one old worker is told to drain (SIGTERM, see
 *    src/ops/drain.ts) and awaited; a SIGHUP during a reload is queued (one at most);
 *  - on SIGTERM/SIGINT, drains every worker and exits 0 once all have exited;
 *  - relays image-cache invalidations between workers (a photo made private in one worker
 *    must stop being served from another's memory);
 *  - answers a worker's request for the cluster's metrics by aggregating every worker's
 *    registry (prom-client's AggregatorRegistry), so /metrics on any worker covers them all.
 */
export function runPrimary(workers: number, options: PrimaryOptions): void {
  const { log, graceMs, noticeMs = 0 } = options;
  let stopping = false;
  let reloading = false;
  let reloadQueued = false;
  /** Workers told to drain by a reload: their exit is expected, not a crash to repair. */
  const retiring = new Set<Worker>();
  const pendingCollects = new Map<number, { answers: object[][]; waiting: number; finish: () => void }>();
  let nextCollectId = 0;

  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  const collect = async (): Promise<string> => {
    const id = nextCollectId++;
    const targets = live().filter((w) => w.isConnected() && !retiring.has(w));
    const answers: object[][] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        pendingCollects.delete(id);
        resolve();
      }
      pendingCollects.set(id, { answers, waiting: targets.length, finish });
      for (const worker of targets) worker.send({ type: "metrics-collect", id } satisfies CollectMessage);
      if (targets.length === 0) finish();
    });
    return AggregatorRegistry.aggregate(answers).metrics();
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    // A send to a worker whose channel just closed (it is exiting) is emitted here as an error;
    // left unheard it would end the primary, and every worker with it.
    worker.on("error", (error: Error) => log(`worker ${worker.process.pid}: ${error.message}`));
    worker.on("message", (message: unknown) => {
      if (isMessage<InvalidateMessage>(message, "image-cache-invalidate")) {
        for (const other of live()) if (other !== worker && other.isConnected()) other.send(message);
      } else if (isMessage<ScrapeMessage>(message, "metrics-scrape")) {
        collect().then(
          (text) => worker.isConnected() && worker.send({ type: "metrics-scrape-result", id: message.id, text } satisfies ScrapeResultMessage),
          (error: Error) => log(`aggregating metrics failed: ${error.message}`),
        );
      } else if (isMessage<CollectResultMessage>(message, "metrics-collect-result")) {
        const pending = pendingCollects.get(message.id);
        if (!pending) return;
        if (message.metrics) pending.answers.push(message.metrics);
        if (--pending.waiting === 0) pending.finish();
      }
    });
    return worker;
  };

  const listening = (worker: Worker): Promise<boolean> =>
    new Promise((resolve) => {
      const onListening = () => {
        worker.off("exit", onExit);
        resolve(true);
      };
      const onExit = () => {
        worker.off("listening", onListening);
        resolve(false);
      };
      worker.once("listening", onListening);
      worker.once("exit", onExit);
    });

  /** SIGTERM (the worker drains and exits), SIGKILL if it is still there well past its deadline. */
  const retire = (worker: Worker): Promise<void> =>
    new Promise((resolve) => {
      if (worker.isDead()) return resolve();
      retiring.add(worker);
      const kill = setTimeout(() => {
        log(`worker ${worker.process.pid} still running ${(graceMs + KILL_MARGIN_MS) / 1000} s after SIGTERM; killing it`);
        worker.process.kill("SIGKILL");
      }, graceMs + KILL_MARGIN_MS);
      worker.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      worker.process.kill("SIGTERM");
    });

  const reload = async (): Promise<void> => {
    if (stopping) return;
    if (reloading) {
      reloadQueued = true;
      log("SIGHUP during a reload: another reload will follow this one");
      return;
    }
    reloading = true;
    const started = performance.now();
    const old = live().filter((w) => !retiring.has(w));
    log(`SIGHUP: replacing ${old.length} workers one at a time`);
    let replaced = 0;
    for (const worker of old) {
      if (stopping) break;
      if (worker.isDead()) continue;
      const forkedAt = performance.now();
      const fresh = fork();
      const up = await listening(fresh);
      if (stopping) break;
      if (!up) {
        log(`reload failed: the new worker ${fresh.process.pid} exited before listening; keeping worker ${worker.process.pid} and the rest`);
        break;
      }
      const listeningAt = performance.now();
      log(`worker ${fresh.process.pid} listening ${Math.round(listeningAt - forkedAt)} ms after fork; draining worker ${worker.process.pid}`);
      await retire(worker);
      log(`worker ${worker.process.pid} drained and exited in ${Math.round(performance.now() - listeningAt)} ms`);
      replaced++;
    }
    reloading = false;
    if (!stopping) {
      const pids = live().map((w) => w.process.pid).join(" ");
      log(`reload complete in ${Math.round(performance.now() - started)} ms: ${replaced} of ${old.length} workers replaced; workers now ${pids}`);
    }
    if (reloadQueued && !stopping) {
      reloadQueued = false;
      await reload();
    }
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const all = live();
    if (all.length === 0) process.exit(0);
    if (noticeMs > 0) {
      log(`${signal}: /readyz answers 503 for ${noticeMs / 1000} s so load balancers stop sending; then draining ${all.length} workers`);
      for (const worker of all) if (worker.isConnected()) worker.send({ type: "drain-notice" } satisfies NoticeMessage);
    } else {
      log(`${signal}: draining ${all.length} workers`);
    }
    const notice = new Promise((resolve) => setTimeout(resolve, noticeMs));
    void notice.then(() => Promise.all(live().map(retire))).then(() => {
      log("all workers stopped");
      process.exit(0);
    });
  };

  cluster.on("listening", (worker) => log(`worker ${worker.process.pid} listening`));
  cluster.on("exit", (worker, code, signal) => {
    if (stopping || retiring.delete(worker)) return;
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => {
      if (!stopping) fork();
    }, 500).unref();
  });

  for (let i = 0; i < workers; i++) fork();
  process.on("SIGHUP", () => void reload());
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** In a worker: the primary's notice of a stop makes /readyz answer 503 (see HttpDrain.announce). */
export function joinDrainNotice(drain: HttpDrain): void {
  if (!cluster.isWorker) return;
  process.on("message", (message: unknown) => {
    if (isMessage<NoticeMessage>(message, "drain-notice")) drain.announce();
  });
}

/** In a worker: publish this process's invalidations and apply its siblings'. */
export function joinImageCacheInvalidation(cache: ImageCache): void {
  if (!cluster.isWorker || !process.send) return;
  cache.onInvalidate = (prefix) => process.send?.({ type: "image-cache-invalidate", prefix } satisfies InvalidateMessage);
  process.on("message", (message: unknown) => {
    if (isMessage<InvalidateMessage>(message, "image-cache-invalidate")) cache.dropPrefix(message.prefix);
  });
}

/**
 * In a worker: /metrics answers for the whole cluster (the primary aggregates), and this
 * worker's registry answers the primary's collection requests.
 */
export function joinMetricsAggregation(metrics: Metrics): void {
  if (!cluster.isWorker || !process.send) return;
  const waiting = new Map<number, (text: string) => void>();
  let nextId = 0;
  process.on("message", (message: unknown) => {
    if (isMessage<CollectMessage>(message, "metrics-collect")) {
      const answer = (json: object[] | null) => process.send?.({ type: "metrics-collect-result", id: message.id, metrics: json } satisfies CollectResultMessage);
      metrics.registry.getMetricsAsJSON().then(answer, () => answer(null));
    } else if (isMessage<ScrapeResultMessage>(message, "metrics-scrape-result")) {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
  metrics.render = () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary did not answer with the cluster's metrics"));
      }, COLLECT_TIMEOUT_MS * 2);
      waiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send?.({ type: "metrics-scrape", id } satisfies ScrapeMessage);
    });
}
