import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "./database.ts";
import { freePort } from "./server-process.ts";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  dataDir: string;
  /** The PostgreSQL database it uses, or null for SQLite in its data dir. */
  databaseUrl: string | null;
  stdoutLines: string[];
  stderrLines: string[];
  /** Resolves with the matching line once `count` lines of that stream have matched. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, count?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** SIGTERM if still running, then the data dir and database are removed (unless they were shared with it). */
  cleanUp(): Promise<void>;
}

export interface ServeSite {
  dataDir?: string;
  /** A postgres:// URL, or null for SQLite in the data dir; unset: a fresh database as the suite runs. */
  databaseUrl?: string | null;
  port?: number;
}

/**
 * The real `pinhole serve` as an operator starts it (bin/pinhole.js, its own process), on a
 * free loopback port with a fresh data dir, and a fresh PostgreSQL database when
 * PINHOLE_TEST_DATABASE_URL is set. Resolves once /healthz answers. A data dir or database
 * given in `site` (another server's: a site of several servers) is used instead, and left
 * to its owner's clean-up; `port` picks the port (a server started again where it was).
 */
export async function startServeProcess(args: string[] = [], env: Record<string, string> = {}, site: ServeSite = {}): Promise<ServeProcess> {
  const dataDir = site.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-serve-"));
  const postgres = site.databaseUrl !== undefined ? null : TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  const databaseUrl = site.databaseUrl !== undefined ? site.databaseUrl : (postgres?.url ?? null);
  const port = site.port ?? (await freePort());
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      PINHOLE_DATA_DIR: dataDir,
      PINHOLE_LOG_LEVEL: "info",
      // As bin/pinhole.js would set it: no relaunch, so the child's pid is the server's.
      MALLOC_ARENA_MAX: "2",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{ stream: "stdout" | "stderr"; pattern: RegExp; count: number; resolve: (line: string) => void }> = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      const matching = lines[waiter.stream].filter((line) => waiter.pattern.test(line));
      if (matching.length >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve(matching[waiter.count - 1]!);
      }
    }
  };
  for (const stream of ["stdout", "stderr"] as const) {
    let partial = "";
    child[stream]!.setEncoding("utf8");
    child[stream]!.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines[stream].push(...parts);
      check();
    });
  }
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const url = `http://127.0.0.1:${port}`;
  const server: ServeProcess = {
    url,
    port,
    child,
    dataDir,
    databaseUrl,
    stdoutLines: lines.stdout,
    stderrLines: lines.stderr,
    waitFor: (stream, pattern, count = 1) =>
      new Promise((resolve, reject) => {
        waiters.push({ stream, pattern, count, resolve });
        check();
        void exited.then((code) => reject(new Error(`pinhole serve exited (${code}) before printing ${pattern} ×${count}:\n${lines.stderr.slice(-20).join("\n")}`)));
      }),
    exited,
    cleanUp: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      await postgres?.drop();
      if (!site.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  // Bounded: start-up (tsx compiling, migrations) takes a few seconds, never a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pinhole serve exited with ${child.exitCode}:\n${lines.stderr.join("\n")}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await server.cleanUp();
      throw new Error("pinhole serve did not answer /healthz within 60 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return server;
}
