import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

/**
 * wrk against one URL, or a list of paths picked at random per request (a Lua script), on
 * this machine: the load generator shares the two cores with the server, as the targets say.
 */
export async function wrk(options: {
  url: string;
  paths?: string[];
  seconds: number;
  connections: number;
  threads?: number;
  headers?: Record<string, string>;
  /** Where the random walk through `paths` starts; the same seed asks for the same paths in the same order. */
  seed?: number;
}): Promise<WrkResult> {
  const args = ["-t", String(options.threads ?? 1), "-c", String(options.connections), "-d", `${options.seconds}s`, "--latency"];
  // Sent with every request (wrk.format uses wrk.headers, which -H fills): a session cookie, say.
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  let script: string | null = null;
  if (options.paths) {
    script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wrk-")), "paths.lua");
    const list = options.paths.map((p) => JSON.stringify(p)).join(",\n");
    fs.writeFileSync(
      script,
      `local paths = {\n${list}\n}\nmath.randomseed(${options.seed ?? 42})\nrequest = function()\n  return wrk.format("GET", paths[math.random(#paths)])\nend\n` +
        `done = function(summary, latency, requests)\n  io.write(string.format("NON2XX %d\\n", summary.errors.status))\nend\n`,
    );
    args.push("-s", script);
  }
  args.push(options.url);
  const { stdout } = await run("wrk", args, { maxBuffer: 10 * 1024 * 1024 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const latency = (pct: string) => {
    const match = new RegExp(`\\s${pct}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    return match ? toMs(match[1]!, match[2]!) : NaN;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  if (script) fs.rmSync(path.dirname(script), { recursive: true, force: true });
  return { requestsPerSecond: rps, p50Ms: latency("50"), p99Ms: latency("99"), errors, non2xx };
}
