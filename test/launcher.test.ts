import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

const ROOT = path.join(import.meta.dirname, "..");
const BUNDLE = path.join(ROOT, ".build", "pinhole", "main.mjs");

/** bin/pinhole.js as an operator runs it: no test build handed to it. */
function launch(env: Record<string, string> = {}) {
  const { PINHOLE_PREBUILT: _ignored, ...rest } = process.env;
  return spawnSync(process.execPath, [path.join(ROOT, "bin", "pinhole.js"), "no-such-command"], { env: { ...rest, ...env }, encoding: "utf8", timeout: 60_000 });
}

test("the launcher runs the sources from one built file, built again only when a source is newer", () => {
  const first = launch();
  assert.match(first.stderr, /unknown command "no-such-command"/);
  assert.ok(fs.existsSync(BUNDLE) && fs.existsSync(`${BUNDLE}.map`), "the bundle and its source map are written");
  const builtAt = fs.statSync(BUNDLE).mtimeMs;
  const newestSource = fs.statSync(path.join(ROOT, "src", "cli", "main.ts")).mtimeMs;
  assert.ok(builtAt >= newestSource);
  const second = launch();
  assert.match(second.stderr, /unknown command/);
  assert.equal(fs.statSync(BUNDLE).mtimeMs, builtAt, "a fresh bundle is used as it is");
  assert.deepEqual(fs.readdirSync(path.dirname(BUNDLE)).filter((name) => name.endsWith(".tmp")), [], "no half-written file is left");
});

test("PINHOLE_BUILD=0 runs the sources through tsx, as before", () => {
  const result = launch({ PINHOLE_BUILD: "0" });
  assert.match(result.stderr, /unknown command "no-such-command"/);
});
