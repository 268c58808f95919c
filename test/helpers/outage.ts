import fs from "node:fs";
import path from "node:path";
import { sqliteFilePath } from "../../src/db/database.ts";
import type { TestServer } from "./server.ts";

export interface DatabaseOutage {
  /** Takes the database away from the server, for real. */
  begin(): Promise<void>;
  /** Gives it back; the server must notice by itself. */
  end(): Promise<void>;
}

/**
 * A real database outage for one test server:
 *  - PostgreSQL ("down"): the proxy between server and database stops listening and drops its
 *    connections; new connections are refused. ("stalled"): it accepts but answers nothing.
 *  - SQLite: the database file and its -wal and -shm are moved away and garbage is put in the
 *    file's place, then the server's connection is dropped (as when its file handle goes bad):
 *    every reopen finds a file that is not a database.
 * Starts the server with `startServer(env, { databaseProxy: true })`.
 */
export function databaseOutage(server: TestServer, mode: "down" | "stalled" = "down"): DatabaseOutage {
  if (server.databaseKind === "postgres") {
    const proxy = server.databaseProxy;
    if (!proxy) throw new Error("start the server with { databaseProxy: true } to take its PostgreSQL away");
    return {
      begin: async () => (mode === "stalled" ? proxy.stall() : proxy.cut()),
      end: () => proxy.restore(),
    };
  }
  if (mode === "stalled") throw new Error("a stalled database is a PostgreSQL test; SQLite has no link to stall");
  const file = sqliteFilePath(server.dataDir);
  const aside = path.join(server.dataDir, "moved-away");
  const names = [file, `${file}-wal`, `${file}-shm`];
  return {
    async begin() {
      fs.mkdirSync(aside, { recursive: true });
      for (const name of names) if (fs.existsSync(name)) fs.renameSync(name, path.join(aside, path.basename(name)));
      fs.writeFileSync(file, Buffer.alloc(64 * 1024, "this is not a database "));
      await server.context.database.reconnect();
    },
    async end() {
      fs.rmSync(file, { force: true });
      for (const name of names) {
        const moved = path.join(aside, path.basename(name));
        if (fs.existsSync(moved)) fs.renameSync(moved, name);
      }
    },
  };
}
