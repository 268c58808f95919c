import { execFileSync, fork } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createMember, encodeUpload, sendUpload, type EncodedUpload } from "../lib/client.ts";
import type { Row } from "../lib/report.ts";
import { freePort, startServerProcess } from "../lib/server-process.ts";

const UPLOADS = 4;
const MB = 10;
const RUNS = 9;
/**
 * Rounds sent before the measured ones, to the server and to the bare one alike: after a single
 * warm-up upload the first measured rounds ran at a third of the later ones (new connections
 * growing their windows, the parsing code not yet optimised), so a median of 7 measured a
 * server still starting.
 */
const WARM_UP_ROUNDS = 3;
/** The larger uploads that show the memory does not grow with the body (PINHOLE_MAX_UPLOAD_MB is 200). */
const LARGE_MB = 40;
const BOUND_SLACK_MB = 8;
async function send(agent: http.Agent, url: string, token: string, body: EncodedUpload, expected: number): Promise<void> {
  const { status } = await sendUpload(agent, url, token, body);
  if (status !== expected) throw new Error(`expected ${expected} after streaming, got ${status}`);
}

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
    const bodies = Array.from({ length: UPLOADS }, () => encodeUpload(crypto.randomBytes(MB * 1024 * 1024)));
    const agent = new http.Agent({ keepAlive: true });
    const megabytesPerSecond = async (url: string, expected: number) => {
      for (let i = 0; i < WARM_UP_ROUNDS; i++) await Promise.all(bodies.map((body) => send(agent, url, token, body, expected)));
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        await Promise.all(bodies.map((body) => send(agent, url, token, body, expected)));
        runs.push((UPLOADS * MB) / ((performance.now() - start) / 1000));
      }
      return runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
    };
    const rssBefore = server.rssMb();
    const ours = await megabytesPerSecond(`${server.url}/api/v1/photos`, 415);
    const growth = server.peakRssMb() - rssBefore;
    // Bounded means the memory does not follow the bodies: the same four uploads at four times
    // the size, from a reset peak (clear_refs 5 sets VmHWM to the current RSS).
    fs.writeFileSync(`/proc/${server.pid}/clear_refs`, "5");
    const largeBodies = Array.from({ length: UPLOADS }, () => encodeUpload(crypto.randomBytes(LARGE_MB * 1024 * 1024)));
    for (let i = 0; i < 2; i++) await Promise.all(largeBodies.map((body) => send(agent, `${server.url}/api/v1/photos`, token, body, 415)));
    const largeGrowth = server.peakRssMb() - rssBefore;
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
    agent.destroy();
    return [
      { section: "upload", measure: `${UPLOADS} concurrent ${MB} MB uploads streamed to disk and fsynced`, value: ours, unit: "MB/s", reference: { name: "dd conv=fsync, same disk", value: dd }, ratio: ours / dd, target: ">= 0.7× dd", met: ours / dd >= 0.7 },
      { section: "upload", measure: `${UPLOADS} concurrent ${MB} MB uploads streamed to disk and fsynced`, value: ours, unit: "MB/s", reference: { name: "bare Node server, body to disk + fsync", value: bareSpeed }, ratio: ours / bareSpeed },
      { section: "upload", measure: `server RSS growth, ${UPLOADS} concurrent ${MB} MB uploads (peak minus before the first)`, value: growth, unit: "MB" },
      {
        section: "upload",
        measure: `server RSS growth, ${UPLOADS} concurrent ${LARGE_MB} MB uploads`,
        value: largeGrowth,
        unit: "MB",
        reference: { name: `${UPLOADS} × ${MB} MB`, value: growth },
        target: `bounded: within ${BOUND_SLACK_MB} MB of the ${MB} MB uploads' with ${LARGE_MB / MB}× the bytes`,
        met: largeGrowth - growth < BOUND_SLACK_MB,
      },
    ];
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
