import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Which backend it went to (its index in `backends`). */
  backend: number;
  /** The backend's answer, or null when the connection was cut before it came. */
  status: number | null;
  cut: boolean;
  /** When it came in and when its answer ended (ms since the proxy started). */
  startedAt: number;
  endedAt: number | null;
}

/**
 * An HTTP proxy that sends each request to the next backend in turn (the first to backends[0]),
 * with no stickiness at all: a load balancer at its least helpful for anything kept per server.
 * `cutNext(method, afterBytes)` cuts the next such request mid-body, once that many bytes of it
 * have been passed on: both its connections are destroyed, as when a mobile network drops.
 */
export class RoundRobinProxy {
  readonly log: ProxiedRequest[] = [];
  private turn = 0;
  private readonly startedAt = performance.now();
  private cut: { method: string; afterBytes: number } | null = null;

  private constructor(
    private readonly server: http.Server,
    private readonly backends: string[],
  ) {}

  static async start(backends: string[]): Promise<RoundRobinProxy> {
    const holder: { proxy?: RoundRobinProxy } = {};
    const server = http.createServer((request, response) => holder.proxy!.pass(request, response));
    holder.proxy = new RoundRobinProxy(server, backends);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return holder.proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  cutNext(method: string, afterBytes: number): void {
    this.cut = { method, afterBytes };
  }

  private pass(request: http.IncomingMessage, response: http.ServerResponse): void {
    const backend = this.turn++ % this.backends.length;
    const entry: ProxiedRequest = { method: request.method ?? "GET", path: request.url ?? "/", backend, status: null, cut: false, startedAt: Math.round(performance.now() - this.startedAt), endedAt: null };
    response.on("close", () => (entry.endedAt = Math.round(performance.now() - this.startedAt)));
    this.log.push(entry);
    const target = new URL(request.url ?? "/", this.backends[backend]);
    const upstream = http.request(target, { method: request.method, headers: { ...request.headers, host: target.host }, agent: false });
    const cut = this.cut && this.cut.method === entry.method ? this.cut : null;
    if (cut) this.cut = null;
    let passed = 0;
    request.on("data", (chunk: Buffer) => {
      if (entry.cut) return;
      if (cut && passed + chunk.length > cut.afterBytes) {
        upstream.write(chunk.subarray(0, Math.max(0, cut.afterBytes - passed)));
        entry.cut = true;
        // Give the bytes a moment to leave, then drop both sides without a word.
        setTimeout(() => {
          upstream.destroy();
          request.socket.destroy();
        }, 50);
        return;
      }
      passed += chunk.length;
      if (!upstream.write(chunk)) {
        request.pause();
        upstream.once("drain", () => request.resume());
      }
    });
    request.on("end", () => {
      if (!entry.cut) upstream.end();
    });
    request.on("error", () => upstream.destroy());
    upstream.on("response", (answer) => {
      entry.status = answer.statusCode ?? null;
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", () => {
      if (!response.headersSent && !entry.cut) response.writeHead(502).end();
      else response.destroy();
    });
  }

  /** How many requests of `method` each backend received. */
  countsOf(method: string): number[] {
    const counts = this.backends.map(() => 0);
    for (const entry of this.log) if (entry.method === method) counts[entry.backend]!++;
    return counts;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
