import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { sql } from "kysely";
import sharp from "sharp";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, photoForm } from "../helpers/client.ts";
import { createPostgresDatabase, TEST_POSTGRES_URL } from "../helpers/database.ts";
import { startServerProcess } from "../helpers/server-process.ts";

const run = promisify(execFile);
const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");

interface Readiness {
  status: string;
  checks: Record<"database" | "storage" | "migrations" | "disk", { status: string; detail?: string }>;
}

async function readiness(server: TestServer): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe("readiness, each check broken for real", () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.close());

  test("all checks are named and ok on a healthy server", async () => {
    const { status, body } = await readiness(server);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.checks).sort(), ["database", "disk", "migrations", "storage"]);
    for (const check of Object.values(body.checks)) assert.equal(check.status, "ok");
    assert.match(body.checks.disk.detail ?? "", /MB free/);
  });

  test("the checks' details are the operator's: another machine learns only the status", async () => {
    const remote = await server.app.inject({ method: "GET", url: "/readyz", remoteAddress: "203.0.113.9" });
    assert.equal(remote.statusCode, 200);
    assert.deepEqual(remote.json(), { status: "ok" });
    const direct = await server.app.inject({ method: "GET", url: "/readyz", remoteAddress: "127.0.0.1" });
    assert.ok(direct.json().checks.storage, "the operator on this machine sees every check");
  });

  test("storage that cannot be written fails the storage check", async () => {
    const blocker = path.join(server.dataDir, "files", "health");
    fs.rmSync(blocker, { recursive: true, force: true });
    fs.writeFileSync(blocker, "a file where the probe needs a folder");
    try {
      const { status, body } = await readiness(server);
      assert.equal(status, 503);
      assert.equal(body.status, "unavailable");
      assert.equal(body.checks.storage.status, "failed");
      assert.equal(body.checks.database.status, "ok", "the other checks still pass");
    } finally {
      fs.rmSync(blocker);
    }
    assert.equal((await readiness(server)).status, 200, "ready again once storage is writable");
  });

  test("storage without its marker (a disk unmounted under the server) fails the storage check", async () => {
    const marker = path.join(server.dataDir, "files", "pinhole-storage.json");
    fs.renameSync(marker, `${marker}.away`);
    try {
      const { status, body } = await readiness(server);
      assert.equal(status, 503);
      assert.match(body.checks.storage.detail ?? "", /marker is missing.*mounted/);
    } finally {
      fs.renameSync(`${marker}.away`, marker);
    }
    assert.equal((await readiness(server)).status, 200);
  });

  test("a database behind the code's migrations fails the migrations check", async () => {
    const db = server.context.database.db;
    const row = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration where name = '0002_operations'`.execute(db);
    const applied = row.rows[0]!;
    await sql`delete from kysely_migration where name = '0002_operations'`.execute(db);
    try {
      const { status, body } = await readiness(server);
      assert.equal(status, 503);
      assert.equal(body.checks.migrations.status, "failed");
      assert.match(body.checks.migrations.detail ?? "", /0002_operations/);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${applied.name}, ${applied.timestamp})`.execute(db);
    }
    assert.equal((await readiness(server)).status, 200);
  });

  test("free disk below the threshold fails the disk check", async () => {
    const tight = await startServer({ PINHOLE_MIN_FREE_DISK_MB: "9000000" });
    try {
      const { status, body } = await readiness(tight);
      assert.equal(status, 503);
      assert.match(body.checks.disk.detail ?? "", /below the 9000000 MB threshold/);
    } finally {
      await tight.close();
    }
  });
});

test("the server refuses to start on storage without its marker instead of filling an empty folder", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-marker-"));
  const postgres = TEST_POSTGRES_URL ? await createPostgresDatabase(TEST_POSTGRES_URL) : null;
  const env = { PINHOLE_DATA_DIR: dataDir, ...(postgres ? { DATABASE_URL: postgres.url } : {}) };
  try {
    const first = await startServerProcess(env);
    first.child.kill("SIGTERM");
    await first.exited;
    // The photo disk is not mounted: its mount point is an empty folder.
    const files = path.join(dataDir, "files");
    fs.renameSync(files, `${files}.unmounted`);
    fs.mkdirSync(files);
    const refused = await run(process.execPath, [BIN, "serve"], { env: { ...process.env, ...env, PORT: "0", MALLOC_ARENA_MAX: "2" } }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((refused as { code: number }).code, 1);
    assert.match((refused as { stderr: string }).stderr, /^pinhole: the storage at .*files has no pinhole-storage\.json.*is the disk mounted\?/m);
    assert.deepEqual(fs.readdirSync(files), [], "nothing was written to the empty folder");
    // The disk is back: the server starts.
    fs.rmdirSync(files);
    fs.renameSync(`${files}.unmounted`, files);
    const again = await startServerProcess(env);
    again.child.kill("SIGTERM");
    await again.exited;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await postgres?.drop();
  }
});

/** A small real filesystem to fill up; needs root (mount), which CI has. */
function mountTmpfs(megabytes: number): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${megabytes}m`, "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    fs.rmdirSync(dir);
    return null;
  }
}

test("disk full during an upload: 507 with a clear message, nothing half-stored, the site keeps serving", async (t) => {
  const mount = mountTmpfs(40);
  if (!mount) {
    t.skip("needs root to mount a small tmpfs (CI runs as root)");
    return;
  }
  let server: TestServer | null = null;
  try {
    server = await startServer({ PINHOLE_DATA_DIR: mount, PINHOLE_MIN_FREE_DISK_MB: "2" });
    const member = await buildMember(server);
    const small = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#446688" } }).jpeg().toBuffer();
    const first = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(small, { title: "before the disk filled" }) });
    assert.equal(first.status, 201);

    // Fill the disk, leaving less room than the next original needs.
    const filler = path.join(mount, "filler");
    const fd = fs.openSync(filler, "w");
    try {
      const chunk = Buffer.alloc(1024 * 1024);
      for (;;) fs.writeSync(fd, chunk);
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, "ENOSPC");
    } finally {
      fs.closeSync(fd);
    }
    fs.truncateSync(filler, fs.statSync(filler).size - 256 * 1024);

    const big = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: "#000", noise: { type: "gaussian", mean: 120, sigma: 50 } } }).jpeg({ quality: 95 }).toBuffer();
    assert.ok(big.length > 1024 * 1024);
    const before = fs.readdirSync(path.join(mount, "files"), { recursive: true }).length;
    const failed = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(big, { title: "too big for the disk" }) });
    assert.equal(failed.status, 507);
    assert.match(failed.body.error.message, /out of disk space; your upload was not stored/);
    assert.deepEqual(fs.readdirSync(path.join(mount, "tmp")), [], "no temp file is left behind");
    assert.equal(fs.readdirSync(path.join(mount, "files"), { recursive: true }).length, before, "no file of the failed upload is stored");
    const list = await api(server, "GET", `/api/v1/users/${member.username}/photos`, { token: member.token });
    assert.equal(list.body.photos.length, 1, "no row for the failed upload");

    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503, "readiness tells the load balancer the disk is full");
    assert.equal(((await ready.json()) as Readiness).checks.disk.status, "failed");
    const page = await fetch(first.body.pageUrl);
    assert.equal(page.status, 200, "pages are still served");
    const image = await fetch(first.body.sizes[0].url);
    assert.equal(image.status, 200, "images are still served");

    fs.rmSync(filler);
    const retried = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(big, { title: "after space was freed" }) });
    assert.equal(retried.status, 201, "uploads work again once there is room");
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  } finally {
    await server?.close().catch(() => undefined);
    execFileSync("umount", [mount]);
    fs.rmdirSync(mount);
  }
});
