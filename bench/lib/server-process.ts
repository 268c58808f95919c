import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Peak resident memory so far, from the kernel (VmHWM), in MB. */
  peakRssMb(): number;
  rssMb(): number;
  /** CPU seconds the server has used so far, all threads. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const ROOT = path.join(import.meta.dirname, "..", "..");

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function statusField(pid: number, field: string): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The real `pinhole serve`, as an operator starts it, in its own process. */
export async function startServerProcess(env: Record<string, string>, serveArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS: options for the server's node, such as `--cpu-prof --cpu-prof-dir=DIR`
  // (node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "bin", "pinhole.js"), "serve", ...serveArgs], {
    // MALLOC_ARENA_MAX as bin/pinhole.js sets it, so the launcher runs the server in-process and
    // the pid measured is the server's own.
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PINHOLE_LOG_LEVEL: "error", MALLOC_ARENA_MAX: "2", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error("the server did not start within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    child,
    peakRssMb: () => statusField(pid, "VmHWM"),
    rssMb: () => statusField(pid, "VmRSS"),
    cpuSeconds: () => {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
