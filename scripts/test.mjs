// Runs every *.test.ts under src/ and test/ with Node's test runner through tsx.
// Node 20's runner does not expand globs itself, so the files are listed here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

function find(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) find(full, out);
    else if (entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

// Two files at a time: every test has its own server, data dir and database, and most of a
// test's time is spent waiting on them, so two at once halve CI's time on a 2-core machine.
// PINHOLE_TEST_CONCURRENCY=1 runs one at a time (to rule out interference when chasing a flake).
const concurrency = Number(process.env.PINHOLE_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`PINHOLE_TEST_CONCURRENCY must be a whole number from 1, got "${process.env.PINHOLE_TEST_CONCURRENCY}"`);
  process.exit(2);
}
const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...find("src"), ...find("test")].sort();
// The servers that tests start as processes (bin/pinhole.js: well over a hundred a run) run the
// bundle the launcher builds (`pinhole build`, as npm's postinstall does), handed to them so that
// no start checks the sources again: a start took 2.7 s of CPU through tsx and 0.9 s bundled,
// and CI's two cores are busy. The tests themselves run through tsx.
// PINHOLE_TEST_PREBUILT=0 starts them through tsx instead.
const env = { ...process.env };
if (process.env.PINHOLE_TEST_PREBUILT === "0") {
  env.PINHOLE_BUILD = "0";
} else {
  spawnSync(process.execPath, ["bin/pinhole.js", "build"], { stdio: "inherit" });
  const bundle = path.resolve(".build", "pinhole", "main.mjs");
  if (fs.existsSync(bundle)) env.PINHOLE_PREBUILT = pathToFileURL(bundle).href;
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...files], { stdio: "inherit", env });
process.exit(result.status ?? 1);
