import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember } from "../helpers/client.ts";
import { buildDistinctPhoto, distinctJpeg } from "../helpers/images.ts";
import { buildApiKey, grantInBrowser } from "../helpers/flickr.ts";

// Debian's package installs for the system Python (/usr/bin/python3), whatever else is on PATH.
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../clients/flickrapi_session.py");

function hasFlickrapi(): boolean {
  if (!fs.existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import flickrapi"], { stdio: "ignore" }).status === 0;
}

const available = hasFlickrapi();
if (!available) console.log("# SKIPPED flickr-python: python3-flickrapi is not installed (apt-get install -y python3-flickrapi)");

let server: TestServer;
before(async () => {
  if (available) server = await startServer();
});
after(async () => server?.close());

test("python3-flickrapi goes through OAuth, uploads, reads, searches, comments, faves and places a photo", { skip: available ? false : "python3-flickrapi is not installed" }, async () => {
  const member = await buildMember(server);
  const other = await buildMember(server);
  const othersPhoto = await buildDistinctPhoto(server, other);
  const app = await buildApiKey(server, member, "Python uploader");
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "pinhole-flickrapi-"));
  const photoFile = path.join(dir, "from-python.jpg");
  await fsp.writeFile(photoFile, await distinctJpeg(64, 48));
  try {
    const child = spawn(PYTHON, [SCRIPT, server.url, app.key, app.secret, photoFile, othersPhoto.id], { env: { ...process.env, HOME: dir }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    let wake: (() => void) | null = null;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      let at: number;
      while ((at = stdout.indexOf("\n")) >= 0) {
        lines.push(stdout.slice(0, at));
        stdout = stdout.slice(at + 1);
      }
      wake?.();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const nextLine = async (): Promise<string> => {
      while (lines.length === 0) {
        const done = await Promise.race([new Promise<"line">((resolve) => (wake = () => resolve("line"))), exited.then(() => "exit" as const)]);
        if (done === "exit" && lines.length === 0) throw new Error(`python exited early:\n${stderr}`);
      }
      return lines.shift()!;
    };

    const { authorize } = JSON.parse(await nextLine()) as { authorize: string };
    const authorizeUrl = new URL(authorize);
    assert.equal(authorizeUrl.origin, new URL(server.url).origin);
    assert.equal(authorizeUrl.searchParams.get("perms"), "write");
    const verifier = await grantInBrowser(server, member, authorizeUrl.pathname + authorizeUrl.search, "write", null);
    child.stdin.write(`${verifier}\n`);
    const out = JSON.parse(await nextLine());
    assert.equal(await exited, 0, stderr);

    assert.equal(out.valid, true);
    assert.equal(out.login, member.username);
    const stored = await api(server, "GET", `/api/v1/photos/${out.photo_id}`, { token: member.token });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.title, "From Python");
    assert.deepEqual(stored.body.tags, ["python", "flickr api"]);
    assert.deepEqual(out.info, { title: "From Python", description: "Sent by python3-flickrapi", tags: ["python", "flickr api"], ispublic: 1, owner: out.info.owner });
    assert.ok(out.sizes.includes("Square") && out.sizes.includes("Original"), out.sizes.join(", "));
    assert.equal((await fetch(out.square_url)).status, 200, "the size URLs are Pinhole's own image URLs");
    assert.deepEqual(out.search, [out.photo_id]);
    assert.deepEqual(out.people_photos, [out.photo_id]);
    assert.deepEqual(out.comments, ["Nice one, from Python"]);
    assert.deepEqual(out.faves, [othersPhoto.id]);
    assert.deepEqual(out.location, [54.58, -3.14]);
    assert.deepEqual(out.photosets, { titles: ["Python album"], photos: [out.photo_id] });
    assert.deepEqual(out.text_search, [out.photo_id], "text search finds the description's words");
    assert.equal(out.missing, 1);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});
