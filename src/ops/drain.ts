import type http from "node:http";
import net from "node:net";
import type { FastifyInstance } from "fastify";

export interface DrainOptions {
  /** After this long, connections still open are cut. */
  graceMs: number;
  /**
   * Connections that sit idle (kept alive, between requests) are closed this long after the
   * drain starts, and again at this interval. Not at once: a client may be sending its next
   * request on such a connection at that very moment, and would see a reset instead of an
   * answer; given a moment, an active client sends it, gets `Connection: close` and moves on.
   */
  idleCloseMs?: number;
}

export interface DrainResult {
  /** Requests still running at the deadline, cut then (with their connections). */
  cut: number;
  ms: number;
}

/**
 * Graceful stop of one HTTP server, for SIGTERM and for each worker retired by a rolling
 * reload. It stops accepting connections (in a cluster worker, the primary then hands new
 * connections to the other workers), lets requests in flight finish, answers requests that
 * arrive on kept-alive connections meanwhile with `Connection: close`, closes idle
 * connections, and resolves once no connection is left or the grace period has run out. It
 * works below Fastify, so image URLs (answered before Fastify) drain like every other
 * request; the database is closed by the caller only after this resolves.
 */
export class HttpDrain {
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly inFlight = new Set<http.ServerResponse>();
  private started: Promise<DrainResult> | null = null;
  private announced = false;

  /** From the notice on (see `announce`): /readyz answers 503 so load balancers take the server out. */
  get draining(): boolean {
    return this.announced || this.started !== null;
  }

  /**
   * The notice before a drain, for a load balancer's health checks: /readyz answers 503 and
   * every answer closes its connection, while the server still accepts and serves every
   * request. Once the balancer has taken the server out, nothing new arrives and no kept-alive
   * connection of the balancer's is left for the drain to close under a request being sent.
   */
  announce(): void {
    this.announced = true;
  }

  /** The server's request listener, counting requests in flight and closing connections once draining. */
  wrap(listener: http.RequestListener): http.RequestListener {
    return (request, response) => {
      if (this.draining) response.setHeader("connection", "close");
      this.inFlight.add(response);
      response.once("close", () => this.inFlight.delete(response));
      listener(request, response);
    };
  }

  attach(server: http.Server): void {
    this.server = server;
    server.on("connection", (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /** Starts the drain (once; later calls return the same result). */
  drain(options: DrainOptions): Promise<DrainResult> {
    this.started ??= this.run(options);
    return this.started;
  }

  private async run({ graceMs, idleCloseMs = 1000 }: DrainOptions): Promise<DrainResult> {
    const server = this.server;
    if (!server) throw new Error("HttpDrain.attach was not called");
    const start = performance.now();
    // Answers not yet begun say Connection: close, so their connection ends after them.
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader("connection", "close");
    // net's close, not http's: http.Server.close also closes idle connections at once (see idleCloseMs).
    const allClosed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    const idleCloser = setInterval(() => server.closeIdleConnections(), Math.min(idleCloseMs, graceMs));
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      allClosed.then(() => "drained" as const),
      new Promise<"deadline">((resolve) => (deadline = setTimeout(() => resolve("deadline"), graceMs))),
    ]);
    clearInterval(idleCloser);
    clearTimeout(deadline);
    let cut = 0;
    if (outcome === "deadline") {
      cut = this.inFlight.size;
      for (const socket of this.sockets) socket.destroy();
      await allClosed;
    }
    return { cut, ms: Math.round(performance.now() - start) };
  }
}

/**
 * SIGTERM in one server process: give load balancers notice (`noticeMs`, see
 * HttpDrain.announce), drain the HTTP server, then close the app, whose onClose hooks close
 * the database. In that order, so no request still running finds the database gone ("driver
 * has already been destroyed").
 */
export async function shutDown(app: FastifyInstance, drain: HttpDrain, options: DrainOptions & { signal: string; noticeMs?: number }): Promise<DrainResult> {
  if (options.noticeMs) {
    drain.announce();
    app.log.info({ signal: options.signal, noticeSeconds: options.noticeMs / 1000 }, "draining soon: /readyz answers 503 so load balancers stop sending; still serving");
    await new Promise((resolve) => setTimeout(resolve, options.noticeMs));
  }
  const drained = drain.drain(options);
  app.log.info(
    { signal: options.signal, graceSeconds: options.graceMs / 1000, connections: drain.connections, inFlight: drain.requestsInFlight },
    "draining: no new connections; finishing requests in flight",
  );
  const result = await drained;
  if (result.cut > 0) app.log.warn({ cut: result.cut }, "grace period over: requests still running were cut");
  await app.close();
  app.log.info({ ms: result.ms }, "drained; database closed");
  return result;
}
