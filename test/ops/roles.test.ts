import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { openDatabase } from "../../src/db/database.ts";
import { JobsRepository } from "../../src/jobs/repository.ts";
import { derivativeKey } from "../../src/images/keys.ts";
import { FINISH_UPLOAD_JOB, DELETE_FILES_JOB } from "../../src/photos/files.ts";
import { api, buildMember, photoForm, type PhotoJson } from "../helpers/client.ts";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.ts";
import { waitUntil } from "../helpers/wait.ts";

const TIMEOUT = { timeout: 120_000 };

const eventually = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000) => waitUntil(what, check, timeoutMs);

async function distinctPhoto(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: { r: seed % 256, g: 90, b: 160 } } }).jpeg().toBuffer();
}

function fileOf(server: ServeProcess, photo: PhotoJson, size: string): string {
  const url = new URL(photo.sizes.find((s) => s.name === size)!.url);
  const [, , id, secret] = url.pathname.split("/");
  return path.join(server.dataDir, "files", ...derivativeKey(id!, secret!, size, "jpeg").split("/"));
}

test("serve --role web records jobs and runs none; a worker on the same database and data dir finishes them; a worker answers only health and metrics", TIMEOUT, async () => {
  const web = await startServeProcess(["--role", "web"], { PINHOLE_LOG_LEVEL: "info" });
  let worker: ServeProcess | null = null;
  const database = openDatabase({ databaseUrl: web.databaseUrl, dataDir: web.dataDir });
  const jobs = new JobsRepository(database.db);
  const jobsOf = async (photoId: string) => (await jobs.list(100)).filter((job) => (JSON.parse(job.payload) as { photoId: number }).photoId === Number(photoId));
  try {
    await web.waitFor("stdout", /"msg":"role web: the site and the API; jobs are left to workers"/);
    const member = await buildMember(web);
    const upload = async (seed: number) => {
      const response = await api(web, "POST", "/api/v1/photos", { token: member.token, form: photoForm(await distinctPhoto(seed), {}, `p${seed}.jpg`) });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body as PhotoJson;
    };
    const kept = await upload(1);
    const deleted = await upload(2);

    // The web server answers the upload (derivatives are made before the 201) and hands the
    // job that makes them durable to a worker, due now rather than after its safety delay.
    const page = await fetch(`${web.url}/photos/${member.username}/${kept.id}`, { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    const image = await fetch(kept.sizes.find((s) => s.name === "240")!.url.replace(/^https?:\/\/[^/]+/, web.url));
    assert.equal(image.status, 200);
    // A lost derivative, which only the job makes again: proof that the work happens on the worker.
    const lost = fileOf(web, kept, "500");
    fs.rmSync(lost);
    assert.equal((await api(web, "DELETE", `/api/v1/photos/${deleted.id}`, { token: member.token })).status, 204);
    const deletedFile = fileOf(web, deleted, "240");
    assert.ok(fs.existsSync(deletedFile), "the web server left the deleted photo's files to a worker");

    // Long enough for a few polls of a runner, had the web server one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [finish] = await jobsOf(kept.id);
    assert.equal(finish?.kind, FINISH_UPLOAD_JOB);
    assert.equal(finish?.state, "pending");
    assert.equal(finish?.attempts, 0, "no attempt was made on the web server");
    assert.ok(finish!.run_after <= Date.now(), "handed off due now");
    const [deletion] = await jobsOf(deleted.id);
    assert.equal(deletion?.kind, DELETE_FILES_JOB);
    assert.equal(deletion?.state, "pending");
    assert.equal(fs.existsSync(lost), false);

    worker = await startServeProcess(["--role", "worker"], { PINHOLE_LOG_LEVEL: "info" }, { dataDir: web.dataDir, databaseUrl: web.databaseUrl });
    await worker.waitFor("stdout", /"msg":"role worker: jobs and periodic tasks; HTTP only \/healthz, \/readyz and \/metrics"/);
    // (The deleted photo's own finish job, never run, waits out its safety delay as after any
    // deletion that comes before it: its files are already gone, it will find nothing to do.)
    const open = async () => [...(await jobsOf(kept.id)), ...(await jobsOf(deleted.id)).filter((job) => job.kind === DELETE_FILES_JOB)];
    await eventually("the worker to finish both jobs", async () => ((await open()).length === 0 ? true : undefined)).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await open())}\n${worker!.stdoutLines.slice(-20).join("\n")}`);
    });
    assert.ok(fs.existsSync(lost), "the worker made the lost derivative again");
    assert.equal(fs.existsSync(deletedFile), false, "the worker removed the deleted photo's files");
    assert.equal((await jobs.backlog()).failed, 0);

    // The worker serves its health and metrics for checks and monitoring, and no site.
    assert.equal((await fetch(`${worker.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${worker.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${worker.url}/metrics`)).status, 200);
    for (const pathname of ["/", `/photos/${member.username}/${kept.id}`, "/api/v1/photos/" + kept.id, new URL(kept.sizes[0]!.url).pathname, "/login"]) {
      assert.equal((await fetch(`${worker.url}${pathname}`)).status, 404, `${pathname} on the worker`);
    }
    // And the web server serves the photo the worker finished.
    const finished = await fetch(kept.sizes.find((s) => s.name === "500")!.url.replace(/^https?:\/\/[^/]+/, web.url));
    assert.equal(finished.status, 200);

    worker.child.kill("SIGTERM");
    assert.equal(await worker.exited, 0, worker.stderrLines.slice(-10).join("\n"));
  } finally {
    await database.close();
    await worker?.cleanUp();
    await web.cleanUp();
  }
});

test("serve --role with another value is refused in one line, before anything starts", () => {
  const result = spawnSync(process.execPath, [path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js"), "serve", "--role", "both"], {
    env: { ...process.env, MALLOC_ARENA_MAX: "2", PINHOLE_DATA_DIR: "/nonexistent/pinhole-role-test" },
    encoding: "utf8",
  });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim(), 'pinhole: --role must be web, worker or all, got "both"');
  assert.equal(fs.existsSync("/nonexistent/pinhole-role-test"), false);
});
