import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** `pinhole <args>` as a real child process on its own port; resolves once /healthz answers. */
export async function startServerProcess(env: Record<string, string>, args: string[] = ["serve"]): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, ...args], {
    // With MALLOC_ARENA_MAX set the launcher runs the server in its own process instead of
    // re-executing a child, so a signal sent here reaches the server itself.
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PINHOLE_LOG_LEVEL: "warn", MALLOC_ARENA_MAX: "2", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const url = `http://127.0.0.1:${port}`;
  let ended = false;
  void exited.then(() => (ended = true));
  for (let i = 0; i < 300; i++) {
    if (ended) throw new Error(`pinhole ${args.join(" ")} exited before answering:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { url, child, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`pinhole ${args.join(" ")} did not answer within 30 s:\n${output}`);
}
