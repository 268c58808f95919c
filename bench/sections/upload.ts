import { execFileSync, fork } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMember } from "../lib/client.ts";
import type { Row } from "../lib/report.ts";
import { freePort, startServerProcess } from "../lib/server-process.ts";

const UPLOADS = 4;
const MB = 10;

/**
 * Upload streaming: four 10 MB bodies at once, streamed to temporary files, hashed and fsynced
 * by the server. The bytes are not an image, so the server refuses them (415) right after the
 * fsync, from the file head: the time measured is the streaming, not image processing.
 */
export async function benchUpload(): Promise<Row[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-upload-"));
  const dataDir = path.join(work, "data");
  const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir });
  try {
    const token = await createMember(server.url, "streamer");
    const bodies = Array.from({ length: UPLOADS }, () => new Uint8Array(crypto.randomBytes(MB * 1024 * 1024)) as Uint8Array<ArrayBuffer>);
    const send = async (url: string, bytes: Uint8Array<ArrayBuffer>, expected: number) => {
      const form = new FormData();
      form.append("file", new Blob([bytes]), "big.bin");
      const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
      await response.arrayBuffer();
      if (response.status !== expected) throw new Error(`expected ${expected} after streaming, got ${response.status}`);
    };
    const megabytesPerSecond = async (url: string, expected: number) => {
      await send(url, bodies[0]!, expected); // warm-up
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await Promise.all(bodies.map((body) => send(url, body, expected)));
        runs.push((UPLOADS * MB) / ((performance.now() - start) / 1000));
      }
      return runs.sort((a, b) => a - b)[1]!;
    };
    const rssBefore = server.rssMb();
    const ours = await megabytesPerSecond(`${server.url}/api/v1/photos`, 415);
    const peak = server.peakRssMb();
    const barePort = await freePort();
    const bare = fork(path.join(import.meta.dirname, "../lib/bare-upload-server.mjs"), [work, String(barePort)]);
    await new Promise((resolve) => bare.once("message", resolve));
    const bareSpeed = await megabytesPerSecond(`http://127.0.0.1:${barePort}/`, 200);
    bare.kill();
    const ddRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const target = path.join(dataDir, "dd.bin");
      const start = performance.now();
      execFileSync("dd", ["if=/dev/zero", `of=${target}`, "bs=1M", `count=${UPLOADS * MB}`, "conv=fsync"], { stdio: "ignore" });
      ddRuns.push((UPLOADS * MB) / ((performance.now() - start) / 1000));
      fs.rmSync(target);
    }
    const dd = ddRuns.sort((a, b) => a - b)[1]!;
    return [
      { section: "upload", measure: `${UPLOADS} concurrent ${MB} MB uploads streamed to disk and fsynced`, value: ours, unit: "MB/s", reference: { name: "dd conv=fsync, same disk", value: dd }, ratio: ours / dd, target: ">= 0.7× dd", met: ours / dd >= 0.7 },
      { section: "upload", measure: `${UPLOADS} concurrent ${MB} MB uploads streamed to disk and fsynced`, value: ours, unit: "MB/s", reference: { name: "bare Node server, body to disk + fsync", value: bareSpeed }, ratio: ours / bareSpeed },
      { section: "upload", measure: "server RSS growth while streaming (peak minus before)", value: peak - rssBefore, unit: "MB", target: `bounded (< ${UPLOADS * MB} MB, the bodies' size)`, met: peak - rssBefore < UPLOADS * MB },
    ];
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
