import http from "node:http";

/** A request other than a GET of a path: an upload, say. */
export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Keep the answer (status and body) in `answers`, for the test to check what was acknowledged. */
  keepAnswer?: boolean;
}

/** One failed request and when it ran (performance.now() milliseconds). */
export interface FailedRequest {
  what: string;
  startedAt: number;
  endedAt: number;
}

export interface LoadResult {
  /** Requests that got an answer or an error (each counted once). */
  sent: number;
  failed: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
  /** Every failure with its start and end, to tell which ones were in flight at a given moment. */
  failedRequests: FailedRequest[];
  /** Answers of the requests made with keepAnswer. */
  answers: Array<{ request: LoadRequest; status: number; body: string }>;
  byStatus: Record<number, number>;
  /** Responses that carried Connection: close (a draining worker's answers). */
  closing: number;
  seconds: number;
}

export interface Load {
  completed(): number;
  /** Resolves once `n` requests have completed in total (or the load has stopped). */
  reached(n: number): Promise<void>;
  stop(): Promise<LoadResult>;
}

export interface LoadOptions {
  baseUrl: string;
  /** Requested in turn by each loop: paths to GET, or a function making the i-th request. */
  paths: Array<string | ((i: number) => LoadRequest)>;
  /** Concurrent request loops, sharing one keep-alive agent with as many sockets. */
  concurrency: number;
  headers?: Record<string, string>;
  /** Bounds: the load stops by itself after this many requests or this long, whichever first. */
  maxRequests?: number;
  maxMs?: number;
  /**
   * A client's pause between its requests. Tests that only need traffic flowing through an event
   * (a reload, a kill, a failover) pace it, so the load does not take the CPU that the servers
   * under test, and the other test files running beside them, need to start and drain.
   */
  pauseMs?: number;
}

/**
 * A load generator like a busy site's clients: keep-alive connections reused request after
 * request, several loops at once. A failure is a connection error (refused, reset, hung up)
 * or a 5xx answer; anything else counts as served.
 */
export function startLoad(options: LoadOptions): Load {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const maxRequests = options.maxRequests ?? 500_000;
  const maxMs = options.maxMs ?? 180_000;
  const started = performance.now();
  const result: LoadResult = { sent: 0, failed: 0, failures: [], failedRequests: [], answers: [], byStatus: {}, closing: 0, seconds: 0 };
  let stopped = false;
  let issued = 0;
  const watchers: Array<{ n: number; resolve: () => void }> = [];

  const settle = () => {
    for (let i = watchers.length - 1; i >= 0; i--) {
      const watcher = watchers[i]!;
      if (result.sent >= watcher.n || stopped) {
        watchers.splice(i, 1);
        watcher.resolve();
      }
    }
  };
  const once = (spec: LoadRequest) =>
    new Promise<void>((resolve) => {
      const { path } = spec;
      const startedAt = performance.now();
      const fail = (what: string) => {
        result.failed++;
        if (result.failures.length < 20) result.failures.push(what);
        result.failedRequests.push({ what, startedAt, endedAt: performance.now() });
      };
      const request = http.request(`${options.baseUrl}${path}`, { method: spec.method, agent, headers: { ...options.headers, ...spec.headers } }, (response) => {
        const status = response.statusCode ?? 0;
        result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
        if (/close/i.test(response.headers.connection ?? "")) result.closing++;
        const chunks: Buffer[] = [];
        if (spec.keepAnswer) response.on("data", (chunk: Buffer) => chunks.push(chunk));
        else response.resume();
        response.on("end", () => {
          if (status >= 500) fail(`${status} for ${spec.method} ${path}`);
          if (spec.keepAnswer) result.answers.push({ request: spec, status, body: Buffer.concat(chunks).toString("utf8") });
          resolve();
        });
        response.on("error", (error) => {
          fail(`${error.message} reading ${path}`);
          resolve();
        });
      });
      request.setTimeout(30_000, () => request.destroy(new Error("no answer within 30 s")));
      request.on("error", (error: NodeJS.ErrnoException) => {
        fail(`${error.code ?? error.message} for ${spec.method} ${path}${request.reusedSocket ? " (on a reused connection)" : ""}`);
        resolve();
      });
      request.end(spec.body);
    });

  const loop = async (offset: number) => {
    for (let i = offset; !stopped; i++) {
      if (issued >= maxRequests || performance.now() - started > maxMs) break;
      const n = issued++;
      const entry = options.paths[i % options.paths.length]!;
      await once(typeof entry === "string" ? { method: "GET", path: entry } : entry(n));
      result.sent++;
      settle();
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const loops = Array.from({ length: options.concurrency }, (_, i) => loop(i));
  const finished = Promise.all(loops).then(() => {
    stopped = true;
    settle();
  });

  return {
    completed: () => result.sent,
    reached: (n) =>
      new Promise((resolve) => {
        watchers.push({ n, resolve });
        settle();
      }),
    stop: async () => {
      stopped = true;
      await finished;
      agent.destroy();
      result.seconds = (performance.now() - started) / 1000;
      return result;
    },
  };
}
