import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatDuration, TerminalProgress } from "./progress.ts";

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (chunk: string) => (writes.push(chunk), true) } };
}

test("on a terminal one line is rewritten in place with counts, bytes and the time left", () => {
  const { writes, stream } = recorder(true);
  let now = 0;
  const progress = new TerminalProgress(stream, () => now);
  progress.start("backup files", { items: 4, bytes: 4 * 1024 * 1024 });
  now = 1000;
  progress.advance(1, 1024 * 1024);
  now = 2000;
  progress.advance(1, 1024 * 1024);
  progress.finish();
  const drawn = writes.filter((w) => w.startsWith("\r"));
  assert.ok(drawn.length >= 3, "the line is redrawn as work advances");
  assert.ok(writes.every((w) => w === "\n" || w.startsWith("\r")), "nothing but redraws and the final newline");
  const half = drawn.find((w) => w.includes(" 50%"));
  assert.ok(half, writes.join("|"));
  assert.match(half, /2\/4 files/);
  assert.match(half, /2\.0 MB\/4\.0 MB/);
  assert.match(half, /1\.0 MB\/s/);
  assert.match(half, /ETA 2s/, "half the bytes in 2 s: 2 s to go");
  assert.equal(writes.at(-1), "\n");
});

test("a note on a terminal clears the bar, prints its own line and redraws the bar", () => {
  const { writes, stream } = recorder(true);
  const progress = new TerminalProgress(stream, () => 0);
  progress.start("restore files", { items: 2, bytes: 0 });
  progress.note("a file was damaged");
  assert.ok(writes.includes("\r\x1b[2Ka file was damaged\n"));
  assert.match(writes.at(-1)!, /^\r\x1b\[2Krestore files \[/);
});

test("without a terminal plain lines come at every tenth and at least every 5 s, never a carriage return", () => {
  const { writes, stream } = recorder(false);
  let now = 0;
  const progress = new TerminalProgress(stream, () => now);
  progress.start("verify", { items: 1000, bytes: 0 }, "photos");
  // 1000 photos, one every 10 ms: 10 s of work.
  for (let i = 0; i < 1000; i++) {
    now += 10;
    progress.advance(1, 0);
  }
  progress.finish();
  assert.ok(writes.every((w) => !w.includes("\r") && w.endsWith("\n")));
  const percents = writes.map((w) => /verify: (\d+)%/.exec(w)?.[1]).filter(Boolean).map(Number);
  assert.deepEqual(percents, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], "one line per tenth");
  assert.match(writes[0]!, /^verify: 1,000 photos/);
  assert.match(writes.at(-1)!, /^verify: done, 1,000 photos in 10s/);

  const slow = recorder(false);
  now = 0;
  const trickle = new TerminalProgress(slow.stream, () => now);
  trickle.start("backup files", { items: 1000, bytes: 0 });
  // 1% in 30 s: no tenth is reached, but a line comes every 5 s.
  for (let i = 0; i < 10; i++) {
    now += 3000;
    trickle.advance(1, 0);
  }
  assert.equal(slow.writes.length - 1, 5, slow.writes.join(""));
});

test("bytes and durations are written for people", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GB");
  assert.equal(formatDuration(59), "59s");
  assert.equal(formatDuration(65), "1m05s");
  assert.equal(formatDuration(7260), "2h01m");
});
