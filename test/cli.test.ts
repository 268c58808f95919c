import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "./helpers/database.ts";

const run = promisify(execFile);
const BIN = path.join(import.meta.dirname, "..", "bin", "pinhole.js");

let dataDir: string;
let postgres: { url: string; drop: () => Promise<void> } | null = null;
before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-cli-"));
  postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
});
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await postgres?.drop();
});

function pinhole(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [BIN, ...args], {
    env: { ...process.env, PINHOLE_DATA_DIR: dataDir, ...(postgres ? { DATABASE_URL: postgres.url } : {}), ...env },
  });
}

test("pinhole migrate applies the migrations, then reports them applied", async () => {
  const up = await pinhole(["migrate", "up"]);
  assert.match(up.stdout, /applied: 0001_core|up to date/);
  const status = await pinhole(["migrate", "status"]);
  assert.match(status.stdout, /applied\s+0001_core/);
});

test("pinhole user create --admin makes an admin who can log in with the printed password", async () => {
  const created = await pinhole(["user", "create", "operator", "--email", "op@example.test", "--admin"]);
  const password = /created admin operator with password (\S+)/.exec(created.stdout)?.[1];
  assert.ok(password, created.stdout);
  const again = await pinhole(["user", "create", "Operator", "--email", "op2@example.test"]).catch((error: { code: number; stderr: string }) => error);
  assert.equal((again as { code: number }).code, 1);
  assert.match((again as { stderr: string }).stderr, /^pinhole: That username is taken/);
});

test("a bad environment value stops the command with one clear line naming the variable", async () => {
  const failed = await pinhole(["serve"], { PORT: "not-a-port" }).catch((error: { code: number; stderr: string }) => error);
  assert.equal((failed as { code: number }).code, 1);
  const lines = (failed as { stderr: string }).stderr.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^pinhole: PORT must be a whole number/);
});

test("an unknown command prints the usage and fails", async () => {
  const failed = await pinhole(["frobnicate"]).catch((error: { code: number; stderr: string }) => error);
  assert.equal((failed as { code: number }).code, 1);
  assert.match((failed as { stderr: string }).stderr, /unknown command "frobnicate"[\s\S]*usage: pinhole/);
});
