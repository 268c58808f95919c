import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { WholeFileHasher, WorkerFileHasher } from "./file-hasher.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-hasher-"));
const hasher = new WorkerFileHasher();
after(async () => {
  await hasher.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const sha256 = (bytes: Buffer) => crypto.createHash("sha256").update(bytes).digest("hex");
const openDescriptors = () => fs.readdirSync("/proc/self/fd").length;

/** Writes `parts` one after another, telling the job after each, as writeHashed does. */
async function writeInSteps(file: string, parts: Buffer[], job: { written(upTo: number): void }): Promise<void> {
  const fd = fs.openSync(file, "wx");
  let end = 0;
  for (const part of parts) {
    fs.writeSync(fd, part);
    end += part.length;
    job.written(end);
    await new Promise((resolve) => setImmediate(resolve));
  }
  fs.closeSync(fd);
}

test("files written in steps, several at once, are hashed from what was written", async () => {
  const files = Array.from({ length: 4 }, (_, i) => ({ file: path.join(dir, `steps-${i}`), parts: Array.from({ length: 5 + i }, () => crypto.randomBytes(300_000 + i * 7)) }));
  const results = await Promise.all(
    files.map(async ({ file, parts }) => {
      const job = hasher.start(file);
      await writeInSteps(file, parts, job);
      return job.finish(parts.reduce((sum, part) => sum + part.length, 0));
    }),
  );
  assert.deepEqual(results, files.map(({ parts }) => sha256(Buffer.concat(parts))));
  assert.deepEqual(hasher.counts, { byWorker: 4, onEventLoop: 0 }, "every one by the worker");
});

test("an empty file, and one told of nothing before its end, are hashed whole", async () => {
  const empty = path.join(dir, "empty");
  const job = hasher.start(empty);
  fs.writeFileSync(empty, "");
  assert.equal(await job.finish(0), sha256(Buffer.alloc(0)));
  const silent = path.join(dir, "silent");
  const bytes = crypto.randomBytes(2_500_000);
  fs.writeFileSync(silent, bytes);
  assert.equal(await hasher.start(silent).finish(bytes.length), sha256(bytes));
});

test("what the worker cannot read, or a worker that dies mid-file, is hashed on the event loop, never wrongly", async () => {
  // The file does not exist yet when the worker would open it.
  const late = path.join(dir, "late");
  const lateJob = hasher.start(late);
  const lateBytes = crypto.randomBytes(1_200_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  fs.writeFileSync(late, lateBytes);
  lateJob.written(lateBytes.length);
  assert.equal(await lateJob.finish(lateBytes.length), sha256(lateBytes));

  const orphan = path.join(dir, "orphan");
  const job = hasher.start(orphan);
  const parts = [crypto.randomBytes(1_000_000), crypto.randomBytes(1_000_000)];
  await writeInSteps(orphan, parts, job);
  await hasher.close();
  assert.equal(await job.finish(2_000_000), sha256(Buffer.concat(parts)));
  // The next job starts a new worker.
  const next = path.join(dir, "next");
  const nextBytes = crypto.randomBytes(1_500_000);
  const nextJob = hasher.start(next);
  await writeInSteps(next, [nextBytes], nextJob);
  assert.equal(await nextJob.finish(nextBytes.length), sha256(nextBytes));
});

test("an aborted job closes the worker's descriptor, and a finished one too", async () => {
  const warm = path.join(dir, "warm");
  fs.writeFileSync(warm, "warm");
  await hasher.start(warm).finish(4);
  const before = openDescriptors();
  const aborted = path.join(dir, "aborted");
  const job = hasher.start(aborted);
  await writeInSteps(aborted, [crypto.randomBytes(1_100_000)], job);
  job.abort();
  job.abort();
  const finished = path.join(dir, "finished");
  const other = hasher.start(finished);
  await writeInSteps(finished, [Buffer.from("done")], other);
  await other.finish(4); // messages are handled in order: the abort's close came first
  assert.equal(openDescriptors(), before);
  await assert.rejects(other.finish(4), /ends once/);
});

test("the worker keeps a process alive while a job waits, and not once it is done", () => {
  const script = `
    import fs from "node:fs";
    import { fileHasher } from ${JSON.stringify(path.join(import.meta.dirname, "file-hasher.ts"))};
    const file = ${JSON.stringify(path.join(dir, "alive"))};
    const job = fileHasher.start(file);
    fs.writeFileSync(file, "x".repeat(3000000));
    job.written(3000000);
    job.finish(3000000).then((hex) => console.log(hex, JSON.stringify(fileHasher.counts)));
  `;
  const started = Date.now();
  const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  assert.equal(output.trim(), `${sha256(Buffer.from("x".repeat(3_000_000)))} {"byWorker":1,"onEventLoop":0}`, "the worker's hash arrived before the process ended");
  assert.ok(Date.now() - started < 20_000, "and the idle worker did not hold it open");
});

test("the whole-file hasher gives the same answers", async () => {
  const file = path.join(dir, "whole");
  const bytes = crypto.randomBytes(3_300_000);
  fs.writeFileSync(file, bytes);
  assert.equal(await new WholeFileHasher().start(file).finish(bytes.length), sha256(bytes));
  await assert.rejects(new WholeFileHasher().start(file).finish(bytes.length + 10), /holds 3300000 of the 3300010 bytes/, "a file shorter than written is never hashed as if whole");
});
