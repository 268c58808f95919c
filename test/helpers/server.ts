import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino, { type Logger } from "pino";
import type { FastifyInstance } from "fastify";
import { buildApp, type AppContext, type AppOverrides } from "../../src/app.ts";
import type { Clock } from "../../src/clock.ts";
import { loadConfig } from "../../src/config.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "./database.ts";
import { Mailbox } from "./mailbox.ts";
import { freePort } from "./server-process.ts";
import { TcpProxy } from "./tcp-proxy.ts";

export { CORPUS_DIR } from "./corpus.ts";

export interface TestServer {
  url: string;
  dataDir: string;
  app: FastifyInstance;
  context: AppContext;
  mailbox: Mailbox;
  databaseKind: "sqlite" | "postgres";
  /** On PostgreSQL with `databaseProxy`, the proxy between this server and the database. */
  databaseProxy: TcpProxy | null;
  close(): Promise<void>;
}

/**
 * A real Pinhole server on a loopback port with its own data dir, a real SMTP server for its
 * mail, and a fresh database: SQLite in the data dir, or a new PostgreSQL database when
 * PINHOLE_TEST_DATABASE_URL is set.
 */
export async function startServer(env: Record<string, string> = {}, options: { logger?: Logger; databaseProxy?: boolean; clock?: Clock; albums?: AppOverrides["albums"] } = {}): Promise<TestServer> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), "pinhole-test-"));
  const mailbox = await Mailbox.start();
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  let databaseUrl = postgres?.url ?? null;
  let databaseProxy: TcpProxy | null = null;
  if (postgres && options.databaseProxy) {
    // Only this server's connections go through the proxy: it can lose its database while
    // everyone else's tests keep theirs.
    const url = new URL(postgres.url);
    databaseProxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${databaseProxy.port}`;
    databaseUrl = url.toString();
  }
  const port = await freePort();
  const config = loadConfig({
    PINHOLE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    PINHOLE_SMTP_URL: mailbox.url,
    PINHOLE_LOG_LEVEL: process.env.PINHOLE_TEST_LOG_LEVEL ?? "silent",
    // No map tiles from the internet: tests never depend on a server outside this machine.
    PINHOLE_MAP_TILES_URL: "",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const { app, context } = await buildApp(config, { logger: options.logger ?? pino({ level: config.logLevel }), clock: options.clock, albums: options.albums });
  await app.listen({ port, host: "127.0.0.1" });
  return {
    url: config.baseUrl,
    dataDir,
    app,
    context,
    mailbox,
    databaseKind: postgres ? "postgres" : "sqlite",
    databaseProxy,
    async close() {
      try {
        await app.close();
      } finally {
        await databaseProxy?.close();
        await mailbox.close();
        await postgres?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
