import cluster, { type Worker } from "node:cluster";
import type { ImageCache } from "../images/image-cache.ts";

interface InvalidateMessage {
  type: "image-cache-invalidate";
  prefix: string;
}

function isInvalidate(message: unknown): message is InvalidateMessage {
  return typeof message === "object" && message !== null && (message as InvalidateMessage).type === "image-cache-invalidate";
}

/**
 * `pinhole serve --workers N`: the primary forks N workers that share the port, replaces a
 * worker that dies, relays image-cache invalidations between workers (a photo made private in
 * one worker must stop being served from another's memory), and on SIGTERM/SIGINT lets each
 * worker finish what it is doing.
 */
export function runPrimary(workers: number, log: (message: string) => void): void {
  let stopping = false;
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on("message", (message: unknown) => {
      if (!isInvalidate(message)) return;
      for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker) other.send(message);
    });
    return worker;
  };
  for (let i = 0; i < workers; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 500).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    log(`${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGTERM"));
}

/** In a worker: publish this process's invalidations and apply its siblings'. */
export function joinImageCacheInvalidation(cache: ImageCache): void {
  if (!cluster.isWorker || !process.send) return;
  cache.onInvalidate = (prefix) => process.send?.({ type: "image-cache-invalidate", prefix } satisfies InvalidateMessage);
  process.on("message", (message: unknown) => {
    if (isInvalidate(message)) cache.dropPrefix(message.prefix);
  });
}
