import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config.ts";

const ROOT = path.join(import.meta.dirname, "..", "..");
const DEPLOY = path.join(ROOT, "deploy");
const UNITS = ["pinhole-web@.service", "pinhole-worker.service"].map((name) => path.join(DEPLOY, "systemd", name));
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const HAPROXY = "/usr/sbin/haproxy";

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every setting of a unit file, by key (the last one for a key given twice). */
function unitSettings(file: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}

test("the systemd units pass systemd-analyze verify", { skip: fs.existsSync(SYSTEMD_ANALYZE) ? false : `${SYSTEMD_ANALYZE} is missing` }, () => {
  const result = spawnSync(SYSTEMD_ANALYZE, ["verify", ...UNITS], { encoding: "utf8" });
  // Only what concerns our files: a container without a running systemd adds notes of its own.
  const ours = `${result.stdout}${result.stderr}`.split("\n").filter((line) => UNITS.some((unit) => line.includes(path.basename(unit))));
  assert.deepEqual(ours, []);
});

test("each unit stops later than its server's notice, grace period and work in hand, and reloads with SIGHUP", () => {
  const defaults = loadConfig({});
  for (const [unit, extraMs] of [[UNITS[0]!, 0], [UNITS[1]!, defaults.importSliceMs]] as const) {
    const settings = unitSettings(unit);
    const environment = (settings.get("Environment") ?? []).join(" ");
    const notice = Number(/PINHOLE_SHUTDOWN_NOTICE_SECONDS=(\d+)/.exec(environment)?.[1] ?? 0) * 1000;
    const timeout = Number(settings.get("TimeoutStopSec")?.at(-1)) * 1000;
    assert.ok(timeout > notice + defaults.shutdownGraceMs + extraMs, `${path.basename(unit)}: TimeoutStopSec ${timeout / 1000} s`);
    assert.deepEqual(settings.get("KillSignal"), ["SIGTERM"]);
    assert.deepEqual(settings.get("ExecReload"), ["/bin/kill -HUP $MAINPID"]);
    assert.match(settings.get("ExecStart")!.at(-1)!, / serve --role (web|worker)$/);
    // Set so bin/pinhole.js serves in the process systemd signals, not in a child.
    assert.match(environment, /MALLOC_ARENA_MAX=2/);
  }
});

test("deploy/haproxy.cfg is valid for Debian's haproxy with one server, eight, and TLS off", { skip: fs.existsSync(HAPROXY) ? false : `${HAPROXY} is missing` }, () => {
  for (const servers of [1, 8]) {
    const env: Record<string, string> = { ...process.env, PINHOLE_LB_BIND: "127.0.0.1:8080", PINHOLE_LB_SOCKET: "/tmp/pinhole-check.sock", PINHOLE_LB_STATS: "127.0.0.1:8404" } as Record<string, string>;
    for (let i = 1; i <= servers; i++) env[`PINHOLE_APP_${i}`] = `10.0.0.${i}:3000`;
    const output = execFileSync(HAPROXY, ["-c", "-f", path.join(DEPLOY, "haproxy.cfg")], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    assert.match(output, /Configuration file is valid/);
  }
});

test("deploy/README.md names every environment variable Pinhole and deploy/haproxy.cfg read", () => {
  const guide = fs.readFileSync(path.join(DEPLOY, "README.md"), "utf8");
  const names = new Set<string>();
  for (const file of sourceFiles(path.join(ROOT, "src"))) {
    const text = fs.readFileSync(file, "utf8");
    const patterns = file.endsWith(`${path.sep}config.ts`) ? [/"((?:PINHOLE_|DATABASE_URL|PORT|HOST)[A-Z0-9_]*)"/g, /env\.([A-Z][A-Z0-9_]+)/g] : [/process\.env\.(PINHOLE_[A-Z0-9_]+)/g];
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  for (const match of fs.readFileSync(path.join(DEPLOY, "haproxy.cfg"), "utf8").matchAll(/\$\{(PINHOLE_[A-Z0-9_]+?)(?:-[^}]*)?\}/g)) {
    names.add(match[1]!.replace(/_\d$/, "_1"));
  }
  assert.ok(names.has("PINHOLE_ROLE") && names.has("DATABASE_URL") && names.has("PORT") && names.has("PINHOLE_LB_BIND"), [...names].join(" "));
  const missing = [...names].filter((name) => !name.startsWith("PINHOLE_TEST_") && !guide.includes(`\`${name}\``) && !guide.includes(`${name} …`) && !guide.includes(`${name}=`));
  assert.deepEqual(missing, [], "named in deploy/README.md");
});
