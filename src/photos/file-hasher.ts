import crypto from "node:crypto";
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";

/**
 * The sha256 of a file that is being written, computed beside the writing rather than on the
 * event loop: hashing 40 MB takes about 27 ms of one core here, and done between a socket's
 * reads it held four concurrent 10 MB uploads' reading back by that much (bench upload).
 */
export interface FileHashJob {
  /** The file's first `upTo` bytes are written (in the page cache): they may be hashed. */
  written(upTo: number): void;
  /** The file is whole at `total` bytes: its sha256, in hex. */
  finish(total: number): Promise<string>;
  /** The file will not be finished; whatever was read of it is dropped. */
  abort(): void;
}

export interface FileHasher {
  start(file: string): FileHashJob;
}

/** Hashes the whole file once it is finished, on the event loop: the fallback, and for tests. */
export class WholeFileHasher implements FileHasher {
  start(file: string): FileHashJob {
    return {
      written: () => undefined,
      finish: (total) => hashFile(file, total),
      abort: () => undefined,
    };
  }
}

async function hashFile(file: string, total: number): Promise<string> {
  const hash = crypto.createHash("sha256");
  if (total === 0) return hash.digest("hex");
  let read = 0;
  const counted = fs.createReadStream(file, { start: 0, end: total - 1, highWaterMark: 1024 * 1024 });
  counted.on("data", (chunk) => (read += chunk.length));
  await pipeline(counted, hash);
  if (read !== total) throw new Error(`the file holds ${read} of the ${total} bytes written to it`);
  return hash.digest("hex");
}

// The worker reads what the writer has written back from the page cache through a descriptor of
// its own: the bytes never cross threads, and the writer may close or remove its file whenever
// it likes. Plain CommonJS evaluated from a string, so it runs the same under tsx, in the
// test build and in production, with no file of its own to find.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const crypto = require("node:crypto");
const jobs = new Map();
const buffer = Buffer.allocUnsafe(1024 * 1024);
const drop = (id) => { const job = jobs.get(id); if (job) { jobs.delete(id); try { fs.closeSync(job.fd); } catch {} } };
parentPort.on("message", (message) => {
  const { id, kind } = message;
  try {
    if (kind === "start") { jobs.set(id, { fd: fs.openSync(message.file, "r"), hash: crypto.createHash("sha256"), done: 0 }); return; }
    if (kind === "abort") { drop(id); return; }
    const job = jobs.get(id);
    if (!job) {
      if (kind === "finish") parentPort.postMessage({ id, error: "the file could not be read" });
      return;
    }
    while (job.done < message.upTo) {
      const read = fs.readSync(job.fd, buffer, 0, Math.min(buffer.length, message.upTo - job.done), job.done);
      if (read === 0) throw new Error("the file is shorter than what was written to it");
      job.hash.update(buffer.subarray(0, read));
      job.done += read;
    }
    if (kind === "finish") { drop(id); parentPort.postMessage({ id, sha256: job.hash.digest("hex") }); }
  } catch (error) {
    drop(id);
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Reply {
  id: number;
  sha256?: string;
  error?: string;
}

interface Waiting {
  resolve(sha256: string): void;
  reject(error: Error): void;
}

/**
 * One worker thread per process hashes every file being written (it keeps up with several
 * uploads at the disk's speed). A worker that cannot start or dies leaves its files to be hashed
 * whole on the event loop: slower, never wrong.
 */
export class WorkerFileHasher implements FileHasher {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly fallback = new WholeFileHasher();
  /** Files hashed by the worker, and on the event loop instead (tests, and to tell in a profile). */
  readonly counts = { byWorker: 0, onEventLoop: 0 };

  start(file: string): FileHashJob {
    const worker = this.running();
    if (!worker) {
      this.counts.onEventLoop++;
      return this.fallback.start(file);
    }
    const id = this.nextId++;
    worker.postMessage({ id, kind: "start", file });
    this.busy(worker, +1);
    let ended = false;
    return {
      written: (upTo) => {
        if (!ended && this.worker === worker) worker.postMessage({ id, kind: "written", upTo });
      },
      finish: async (total) => {
        if (ended) throw new Error("a hash job ends once");
        ended = true;
        try {
          const onEventLoop = () => {
            this.counts.onEventLoop++;
            return hashFile(file, total);
          };
          if (this.worker !== worker) return await onEventLoop();
          const reply = new Promise<string>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
          worker.postMessage({ id, kind: "finish", upTo: total });
          // The worker could not read the file, or died under it: hash the file here.
          const sha256 = await reply.catch(() => null);
          if (sha256 === null) return await onEventLoop();
          this.counts.byWorker++;
          return sha256;
        } finally {
          this.busy(worker, -1);
        }
      },
      abort: () => {
        if (ended) return;
        ended = true;
        if (this.worker === worker) worker.postMessage({ id, kind: "abort" });
        this.busy(worker, -1);
      },
    };
  }

  private running(): Worker | null {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      // No options of the parent's node (a loader, --input-type=module): the source is CommonJS.
      worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    } catch {
      return null;
    }
    worker.on("message", (reply: Reply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (reply.sha256) waiting.resolve(reply.sha256);
      else waiting.reject(new Error(reply.error ?? "hashing failed"));
    });
    const gone = () => {
      if (this.worker !== worker) return;
      this.worker = null;
      const orphans = [...this.waiting.values()];
      this.waiting.clear();
      for (const waiting of orphans) waiting.reject(new Error("the hashing worker stopped"));
    };
    worker.on("error", gone);
    worker.on("exit", gone);
    // The worker keeps the process alive only while it has work (`busy`).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private readonly jobsOf = new Map<Worker, number>();

  private busy(worker: Worker, change: 1 | -1): void {
    const jobs = (this.jobsOf.get(worker) ?? 0) + change;
    if (jobs > 0) {
      this.jobsOf.set(worker, jobs);
      worker.ref();
    } else {
      this.jobsOf.delete(worker);
      worker.unref();
    }
  }

  /** Stops the worker (tests, and a process that wants no thread left behind). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) await worker.terminate();
  }
}

/** The process's hasher. */
export const fileHasher = new WorkerFileHasher();
