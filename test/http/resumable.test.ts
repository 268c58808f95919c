import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fsp from "node:fs/promises";
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import * as tus from "tus-js-client";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, type Member, type PhotoJson } from "../helpers/client.ts";
import { noiseJpeg } from "../helpers/images.ts";
import { waitUntil } from "../helpers/wait.ts";

let server: TestServer;
before(async () => {
  server = await startServer({ PINHOLE_RESUMABLE_EXPIRY_SECONDS: "2" });
});
after(async () => server.close());


/** A TCP relay in front of the server that can be made to cut every connection once some bytes have passed. */
class Cutter {
  private passed = 0;
  cutAfter: number | null = null;
  cuts = 0;
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly proxy: net.Server) {}
  static async start(target: number): Promise<Cutter> {
    const cutter: { value?: Cutter } = {};
    const proxy = net.createServer((client) => {
      const upstream = net.connect(target, "127.0.0.1");
      const self = cutter.value!;
      self.sockets.add(client);
      client.on("data", (chunk: Buffer) => {
        self.passed += chunk.length;
        if (self.cutAfter !== null && self.passed > self.cutAfter) {
          self.cutAfter = null;
          self.cuts++;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on("data", (chunk) => client.write(chunk));
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.on("error", () => b.destroy());
        a.on("close", () => b.destroy());
      }
    });
    cutter.value = new Cutter(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    return cutter.value;
  }
  get port(): number {
    return (this.proxy.address() as AddressInfo).port;
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.proxy.close(() => resolve()));
  }
}

function upload(endpoint: string, member: Member, file: Buffer, metadata: Record<string, string>, options: Partial<tus.UploadOptions> = {}): Promise<{ url: string | null; status: number; body: string; offsets: number[] }> {
  const offsets: number[] = [];
  return new Promise((resolve, reject) => {
    const task = new tus.Upload(file, {
      endpoint,
      headers: { authorization: `Bearer ${member.token}` },
      metadata,
      chunkSize: 512 * 1024,
      retryDelays: [100, 200, 400, 800],
      onProgress: (sent) => offsets.push(sent),
      onError: reject,
      onSuccess: (payload) => resolve({ url: task.url, status: payload.lastResponse.getStatus(), body: payload.lastResponse.getBody(), offsets }),
      ...options,
    });
    task.start();
  });
}

test("a large upload cut off twice resumes where it stopped and becomes a photo, with its fields", async () => {
  const member = await buildMember(server);
  const file = await noiseJpeg();
  assert.ok(file.length > 2 * 1024 * 1024, `the file is large: ${file.length} bytes`);
  const cutter = await Cutter.start(Number(new URL(server.url).port));
  try {
    cutter.cutAfter = 900 * 1024;
    let cutAgain = true;
    const result = await upload(`http://127.0.0.1:${cutter.port}/api/v1/uploads/`, member, file, { filename: "big noise.jpg", title: "Resumed", tags: 'noise "cut twice"', visibility: "friends" }, {
      onChunkComplete: (_chunk, accepted) => {
        if (cutAgain && accepted > 1500 * 1024) {
          cutAgain = false;
          cutter.cutAfter = 0;
        }
      },
    });
    assert.equal(cutter.cuts, 2, "the connection was cut twice");
    assert.equal(result.status, 201, result.body);
    const photo = JSON.parse(result.body) as PhotoJson;
    assert.equal(photo.title, "Resumed");
    assert.deepEqual(photo.tags, ["noise", "cut twice"]);
    assert.equal(photo.visibility, "friends");
    assert.equal(photo.width, 2400);
    const original = await fetch(`${server.url}/photos/${member.username}/${photo.id}/original`, { headers: { authorization: `Bearer ${member.token}` } });
    assert.equal(original.status, 200);
    assert.ok(Buffer.from(await original.arrayBuffer()).equals(file), "the original is byte for byte what was sent");
    const left = await fsp.readdir(path.join(server.dataDir, "resumable-uploads"));
    assert.deepEqual(left, [], "nothing of the finished upload is left behind");
  } finally {
    await cutter.close();
  }
});

test("uploads belong to their member; bad files are refused at the end; an unknown upload is a 404", async () => {
  const owner = await buildMember(server);
  const other = await buildMember(server);
  const file = await noiseJpeg(400, 300);
  const created = await fetch(`${server.url}/api/v1/uploads/`, { method: "POST", headers: { authorization: `Bearer ${owner.token}`, "tus-resumable": "1.0.0", "upload-length": String(file.length) } });
  assert.equal(created.status, 201);
  assert.ok(created.headers.get("upload-expires"), "the expiration extension names when it expires");
  const location = new URL(created.headers.get("location")!, server.url).toString();
  const head = (member: Member) => fetch(location, { method: "HEAD", headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0" } });
  assert.equal((await head(owner)).headers.get("upload-offset"), "0");
  assert.equal((await head(other)).status, 404, "someone else's upload does not exist for them");
  const theirPatch = await fetch(location, { method: "PATCH", headers: { authorization: `Bearer ${other.token}`, "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file) });
  assert.equal(theirPatch.status, 404);
  assert.equal((await fetch(`${server.url}/api/v1/uploads/`, { method: "POST", headers: { "tus-resumable": "1.0.0", "upload-length": "10" } })).status, 401);
  assert.equal((await fetch(`${server.url}/api/v1/uploads/`, { method: "POST", headers: { authorization: `Bearer ${owner.token}`, "tus-resumable": "1.0.0", "upload-length": String(300 * 1024 * 1024) } })).status, 413);

  const notAnImage = Buffer.from("this is not a photo at all, just words ".repeat(100));
  const refused = await upload(`${server.url}/api/v1/uploads/`, owner, notAnImage, { filename: "words.jpg" }).catch((error: tus.DetailedError) => error);
  assert.ok(refused instanceof Error, "a file that is not an image fails");
  assert.equal((refused as tus.DetailedError).originalResponse?.getStatus(), 415);
  const stream = await api(server, "GET", `/api/v1/users/${owner.username}/photos`, { token: owner.token });
  assert.deepEqual(stream.body.photos, []);

  const deleted = await fetch(location, { method: "DELETE", headers: { authorization: `Bearer ${owner.token}`, "tus-resumable": "1.0.0" } });
  assert.equal(deleted.status, 204);
  assert.equal((await head(owner)).status, 404);
});

test("an upload left unfinished expires and its parts are removed by the periodic clean-up", async () => {
  const member = await buildMember(server);
  const file = await noiseJpeg(800, 600);
  const created = await fetch(`${server.url}/api/v1/uploads/`, { method: "POST", headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0", "upload-length": String(file.length) } });
  const location = new URL(created.headers.get("location")!, server.url).toString();
  const half = file.subarray(0, Math.floor(file.length / 2));
  const patched = await fetch(location, { method: "PATCH", headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0", "upload-offset": "0", "content-type": "application/offset+octet-stream" }, body: new Uint8Array(half) });
  assert.equal(patched.status, 204);
  const id = location.split("/").pop()!;
  const dir = path.join(server.dataDir, "resumable-uploads");
  assert.ok((await fsp.readdir(dir)).includes(id), "the part is kept while the upload may resume");
  // Nobody asks: the task that runs once per period across the site's servers removes it.
  await waitUntil("the expired upload to be removed", async () => ((await fsp.readdir(dir)).some((name) => name.startsWith(id)) ? undefined : true), 10_000);
  const late = await fetch(location, { method: "PATCH", headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0", "upload-offset": String(half.length), "content-type": "application/offset+octet-stream" }, body: new Uint8Array(file.subarray(half.length)) });
  assert.ok([404, 410].includes(late.status), `an expired upload cannot be finished: ${late.status}`);
});

test("a creation that carries the whole file (creation-with-upload) answers 201 with the photo, and leaves nothing behind", async () => {
  const member = await buildMember(server);
  const file = await noiseJpeg(300, 200);
  const answer = await fetch(`${server.url}/api/v1/uploads/`, {
    method: "POST",
    headers: { authorization: `Bearer ${member.token}`, "tus-resumable": "1.0.0", "upload-length": String(file.length), "upload-metadata": `title ${Buffer.from("In one go").toString("base64")}`, "content-type": "application/offset+octet-stream" },
    body: new Uint8Array(file),
  });
  assert.equal(answer.status, 201, await answer.clone().text());
  const photo = (await answer.json()) as PhotoJson;
  assert.equal(photo.title, "In one go");
  const original = await fetch(`${server.url}/photos/${member.username}/${photo.id}/original`, { headers: { authorization: `Bearer ${member.token}` } });
  assert.ok(Buffer.from(await original.arrayBuffer()).equals(file), "the original is byte for byte what was sent");
  const dir = path.join(server.dataDir, "resumable-uploads");
  await waitUntil("the upload's file and record to be removed", async () => ((await fsp.readdir(dir)).length === 0 ? true : undefined), 5_000);
});
