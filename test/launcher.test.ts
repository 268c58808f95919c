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

const MANIFEST = path.join(path.dirname(BUNDLE), "sources.json");

test("the launcher runs the sources from one built file, built again only when the sources differ from those it was built from", () => {
  const first = launch();
  assert.match(first.stderr, /unknown command "no-such-command"/);
  assert.doesNotMatch(first.stderr, /through tsx/, "no fallback");
  assert.ok(fs.existsSync(BUNDLE) && fs.existsSync(`${BUNDLE}.map`) && fs.existsSync(MANIFEST), "the bundle, its source map and the list of sources are written");
  const builtAt = fs.statSync(BUNDLE).mtimeMs;
  const sources = JSON.parse(fs.readFileSync(MANIFEST, "utf8")) as Array<[string, number, number]>;
  assert.ok(sources.some(([file]) => file === path.join("src", "cli", "main.ts")) && sources.some(([file]) => file === "package.json"));
  const second = launch();
  assert.match(second.stderr, /unknown command/);
  assert.equal(fs.statSync(BUNDLE).mtimeMs, builtAt, "a bundle built from these sources is used as it is");
  // Sources that differ from the list (a file saved during the build, a copy with older times).
  fs.writeFileSync(MANIFEST, JSON.stringify(sources.slice(1)));
  const third = launch();
  assert.match(third.stderr, /unknown command/);
  assert.notEqual(fs.statSync(BUNDLE).mtimeMs, builtAt, "built again");
  assert.deepEqual(JSON.parse(fs.readFileSync(MANIFEST, "utf8")), sources);
  assert.deepEqual(fs.readdirSync(path.dirname(BUNDLE)).filter((name) => name.endsWith(".tmp")), [], "no half-written file is left");
});

test("PINHOLE_BUILD=0 runs the sources through tsx, as before", () => {
  const result = launch({ PINHOLE_BUILD: "0" });
  assert.match(result.stderr, /unknown command "no-such-command"/);
});
