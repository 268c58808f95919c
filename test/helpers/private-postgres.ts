import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./server-process.ts";

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15's server programs; PINHOLE_TEST_PG_BIN names another. */
export const PG_BIN = process.env.PINHOLE_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * Why a private PostgreSQL cannot be started here (a reason to skip with), or null when it can:
 * the server programs, and a `postgres` account to run them as when the tests run as root.
 */
export function privatePostgresUnavailable(): string | null {
  for (const program of ["initdb", "pg_ctl", "postgres", "pg_basebackup"]) {
    if (!fs.existsSync(path.join(PG_BIN, program))) return `PostgreSQL's ${program} is not in ${PG_BIN} (set PINHOLE_TEST_PG_BIN)`;
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    } catch {
      return "the tests run as root and there is no postgres account to run PostgreSQL as";
    }
  }
  return null;
}

/**
 * A PostgreSQL server of the test's own, in a temporary folder, on a free loopback port with
 * trust authentication: a test may stop, kill and promote it without touching the machine's
 * shared server, which other tests use at the same time. PostgreSQL refuses to run as root,
 * so under root it runs as `postgres`.
 */
export class PrivatePostgres {
  private constructor(
    readonly root: string,
    readonly dataDir: string,
    public port: number,
  ) {}

  /** A new cluster (initdb), started. */
  static async create(): Promise<PrivatePostgres> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-pg-"));
    const server = new PrivatePostgres(root, path.join(root, "data"), await freePort());
    server.own(root);
    // No fsync: a test's data need not survive the machine; it must only survive PostgreSQL.
    await server.as("initdb", ["-D", server.dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    await server.start();
    return server;
  }

  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Runs one statement on a connection of its own (never the application's). */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, database = "postgres"): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  }

  /** Starts the server (on `port` if given: a promoted replica taking the primary's address) and waits until it accepts connections. */
  async start(port = this.port): Promise<void> {
    this.port = port;
    const options = `-p ${port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    await this.as("pg_ctl", ["-D", this.dataDir, "-o", options, "-l", path.join(this.root, `log-${path.basename(this.dataDir)}`), "-w", "-t", "30", "start"]);
  }

  /** `fast`: clients are disconnected and the server shuts down cleanly; `immediate`: it quits at once, as in a crash, and recovers at the next start. */
  async stop(mode: "fast" | "immediate"): Promise<void> {
    await this.as("pg_ctl", ["-D", this.dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
  }

  /** A streaming replica of this server (pg_basebackup -R) in a data folder of its own, started on a port of its own. */
  async replica(): Promise<PrivatePostgres> {
    const replica = new PrivatePostgres(this.root, path.join(this.root, "replica"), await freePort());
    await this.as("pg_basebackup", ["-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres", "-D", replica.dataDir, "-R", "-X", "stream", "--no-sync"]);
    await replica.start();
    return replica;
  }

  /** Makes a standby the primary. */
  async promote(): Promise<void> {
    await this.as("pg_ctl", ["-D", this.dataDir, "-w", "-t", "30", "promote"]);
  }

  /** Stops whatever still runs and removes every data folder. */
  async remove(): Promise<void> {
    for (const dir of ["data", "replica"]) {
      const dataDir = path.join(this.root, dir);
      if (fs.existsSync(path.join(dataDir, "postmaster.pid"))) await this.as("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** The server's log, for a failure message. */
  log(): string {
    const file = path.join(this.root, `log-${path.basename(this.dataDir)}`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-30).join("\n") : "";
  }

  private own(dir: string): void {
    if (process.getuid?.() !== 0) return;
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(dir, uid, gid);
  }

  private async as(program: string, args: string[]): Promise<void> {
    const file = path.join(PG_BIN, program);
    const [command, commandArgs] = process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args];
    try {
      await run(command, commandArgs, { cwd: this.root, timeout: 60_000 });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${program} ${args.join(" ")} failed: ${stderr || stdout || (error as Error).message}\n${this.log()}`, { cause: error });
    }
  }
}
