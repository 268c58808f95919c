import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./server-process.ts";

export const HAPROXY = "/usr/sbin/haproxy";
const SHIPPED = path.join(import.meta.dirname, "..", "..", "deploy", "haproxy.cfg");

export interface Haproxy {
  url: string;
  /** Each app server's state as HAProxy sees it (app1, app2, …: UP, DOWN, …). */
  states(): Promise<Record<string, string>>;
  /** A command on the admin socket, as an operator types it into socat ("set server pinhole_web/app1 state drain"); answers its output. */
  command(line: string): Promise<string>;
  /** Resolves once the server is in that state (bounded; the last states are in the error). */
  waitFor(server: string, state: "UP" | "DOWN", timeoutMs?: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** Debian's haproxy running deploy/haproxy.cfg exactly as shipped, configured through its environment variables. */
export async function startHaproxy(options: { port: number; apps: string[] }): Promise<Haproxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-haproxy-"));
  const socket = path.join(dir, "admin.sock");
  const env: Record<string, string> = { ...process.env, PINHOLE_LB_BIND: `127.0.0.1:${options.port}`, PINHOLE_LB_SOCKET: socket, PINHOLE_LB_LOG: "stdout" } as Record<string, string>;
  options.apps.forEach((address, i) => (env[`PINHOLE_APP_${i + 1}`] = address));
  const child = spawn(HAPROXY, ["-db", "-f", SHIPPED], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const connection = net.createConnection(socket);
      let answer = "";
      connection.on("data", (chunk) => (answer += chunk.toString()));
      connection.on("end", () => resolve(answer));
      connection.on("error", reject);
      connection.end(`${line}\n`);
    });
  const states = async () => {
    const [header, ...rows] = (await command("show stat")).trim().split("\n");
    const columns = header!.replace(/^# /, "").split(",");
    const at = (name: string) => columns.indexOf(name);
    const result: Record<string, string> = {};
    for (const row of rows.map((line) => line.split(","))) {
      if (row[at("pxname")] === "pinhole_web" && /^app\d+$/.test(row[at("svname")] ?? "")) result[row[at("svname")]!] = row[at("status")]!.split(" ")[0]!;
    }
    return result;
  };

  const url = `http://127.0.0.1:${options.port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
    if (fs.existsSync(socket) && (await states().then(() => true, () => false))) break;
    if (i > 100) throw new Error(`haproxy did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    command,
    states,
    waitFor: async (server, state, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, string> = {};
      while (Date.now() < deadline) {
        last = await states();
        if (last[server] === state) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`haproxy did not see ${server} ${state} within ${timeoutMs / 1000} s: ${JSON.stringify(last)}`);
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { freePort };
