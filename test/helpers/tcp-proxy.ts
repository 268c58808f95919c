import net from "node:net";

/**
 * A TCP proxy on a loopback port in front of a real server (PostgreSQL in the outage tests),
 * so a test can take the server away from one app without touching the shared server:
 *  - cut(): stop listening and drop every connection (connections are refused, as when the
 *    database host is down);
 *  - stall(): accept connections but pass nothing on, and freeze the open ones (as when the
 *    network drops packets: nothing is refused, nothing answers);
 *  - restore(): listen and forward again. Connections cut or frozen stay dead, as after a
 *    real outage; clients must make new ones.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;

  private constructor(
    private readonly target: { host: string; port: number },
    public port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0);
    await proxy.listen();
    return proxy;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  private accept(client: net.Socket): void {
    this.track(client);
    if (this.stalled) return;
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    const pass = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk: Buffer) => {
        if (!this.stalled) to.write(chunk);
      });
    pass(client, upstream);
    pass(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  private async listen(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stall(): void {
    this.stalled = true;
  }

  async restore(): Promise<void> {
    if (this.stalled) {
      this.stalled = false;
      this.dropConnections();
    }
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    this.stalled = false;
    await this.cut();
  }
}
