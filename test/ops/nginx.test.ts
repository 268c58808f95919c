import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { derivativeKey } from "../../src/images/keys.ts";
import { api, buildMember, photoForm, type PhotoJson } from "../helpers/client.ts";
import { startServeProcess } from "../helpers/serve-process.ts";
import { freePort } from "../helpers/server-process.ts";

const NGINX = "/usr/sbin/nginx";
const SHIPPED = path.join(import.meta.dirname, "..", "..", "deploy", "nginx.conf");

/**
 * Debian's nginx with deploy/nginx.conf as shipped, included in a main config of the test's
 * own (temporary paths, and a log line saying which requests went to Pinhole); only the three
 * site-specific strings the file names are replaced.
 */
async function startNginx(options: { filesDir: string; app: string }): Promise<{ url: string; accessLog: () => string[]; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-nginx-"));
  let site = fs.readFileSync(SHIPPED, "utf8");
  const replace = (from: string, to: string) => {
    assert.ok(site.includes(from), `deploy/nginx.conf still has ${JSON.stringify(from)}`);
    site = site.replaceAll(from, to);
  };
  replace("/var/lib/pinhole/files", options.filesDir);
  replace("server 127.0.0.1:3000;", `server ${options.app};`);
  replace("    listen 80;\n    listen [::]:80;\n", `    listen 127.0.0.1:${port};\n`);
  fs.writeFileSync(path.join(dir, "pinhole.conf"), site);
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    `user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format pinhole '$request_method $request_uri $status upstream=$upstream_addr';
  access_log ${dir}/access.log pinhole;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/pinhole.conf;
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ["-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    if (await fetch(`${url}/healthz`).then(() => true, () => false)) break;
    if (i > 100) throw new Error(`nginx did not answer: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    accessLog: () => fs.readFileSync(path.join(dir, "access.log"), "utf8").split("\n").filter(Boolean),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGQUIT");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The requests of the access log for this path, and whether each went to Pinhole. */
function logged(lines: string[], urlPath: string): Array<{ status: number; toApp: boolean }> {
  return lines
    .map((line) => line.split(" "))
    .filter(([, uri]) => uri === urlPath)
    .map(([, , status, upstream]) => ({ status: Number(status), toApp: upstream !== "upstream=-" }));
}

test("nginx with deploy/nginx.conf: image URLs come from disk with Pinhole's bytes and headers; a wrong secret, a missing file and every other page go to Pinhole", { skip: fs.existsSync(NGINX) ? false : `${NGINX} is missing (apt-get install nginx)`, timeout: 90_000 }, async () => {
  const app = await startServeProcess([], { PINHOLE_TRUST_PROXY: "1" });
  // nginx's workers are not the data dir's owner: the directories on the way must be searchable.
  fs.chmodSync(app.dataDir, 0o755);
  const nginx = await startNginx({ filesDir: path.join(app.dataDir, "files"), app: new URL(app.url).host });
  try {
    const member = await buildMember(nginx);
    // Uploaded through nginx: the body is passed on as it comes.
    const picture = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#4a7" } }).jpeg().toBuffer();
    const upload = await api(nginx, "POST", "/api/v1/photos", { token: member.token, form: photoForm(picture, { title: "Through nginx" }, "nginx.jpg") });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    const photo = upload.body as PhotoJson;
    assert.ok(photo.sizes.length >= 5, "several sizes to compare");

    for (const size of photo.sizes) {
      const urlPath = new URL(size.url).pathname;
      const [fromNginx, fromApp] = await Promise.all([fetch(nginx.url + urlPath), fetch(app.url + urlPath)]);
      assert.equal(fromNginx.status, 200, urlPath);
      assert.deepEqual(Buffer.from(await fromNginx.arrayBuffer()), Buffer.from(await fromApp.arrayBuffer()), `${urlPath}: the same bytes`);
      for (const header of ["content-type", "cache-control", "x-content-type-options", "content-security-policy", "cross-origin-resource-policy"]) {
        assert.equal(fromNginx.headers.get(header), fromApp.headers.get(header), `${urlPath}: ${header}`);
      }
      const head = await fetch(nginx.url + urlPath, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), fromApp.headers.get("content-length"));
    }

    const [, , id, secret, file] = new URL(photo.sizes[0]!.url).pathname.split("/");
    const wrongSecret = `/img/${id}/${"0".repeat(20)}/${file}`;
    const notASize = `/img/${id}/${secret}/original.jpg`;
    const originalOnDisk = `/originals/${id!.slice(-3).padStart(3, "0")}/${id}.jpg`;
    for (const urlPath of [wrongSecret, notASize, originalOnDisk, `/files${originalOnDisk}`, `/img/${id}/${secret}/../../../secret.key`]) {
      const response = await fetch(nginx.url + urlPath);
      assert.equal(response.status, 404, `${urlPath} is a 404`);
    }
    // A size missing from disk is Pinhole's to answer (here from its memory cache, or a 404).
    const missing = photo.sizes.find((s) => s.name === "240")!;
    const missingPath = new URL(missing.url).pathname;
    fs.rmSync(path.join(app.dataDir, "files", ...derivativeKey(id!, secret!, "240", missing.format === "webp" ? "webp" : "jpeg").split("/")));
    const fallback = await fetch(nginx.url + missingPath);
    assert.equal(fallback.status, (await fetch(app.url + missingPath)).status, "nginx answers as Pinhole does");
    await fallback.arrayBuffer();

    // Pages pass through, with Pinhole's status and body.
    const pagePath = `/photos/${member.username}/${photo.id}`;
    const page = await fetch(nginx.url + pagePath, { headers: { accept: "text/html" } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Through nginx/);
    assert.equal((await fetch(nginx.url + "/no/such/page", { headers: { accept: "text/html" } })).status, 404);
    assert.equal((await api(nginx, "GET", `/api/v1/photos/${photo.id}`)).body.title, "Through nginx");

    // Which requests nginx answered from disk and which it passed on.
    const lines = nginx.accessLog();
    for (const size of photo.sizes.filter((s) => s !== missing)) {
      const urlPath = new URL(size.url).pathname;
      assert.deepEqual(logged(lines, urlPath), [{ status: 200, toApp: false }, { status: 200, toApp: false }], `${urlPath} from disk (GET and HEAD)`);
    }
    assert.deepEqual(logged(lines, wrongSecret), [{ status: 404, toApp: true }]);
    assert.deepEqual(logged(lines, missingPath).at(-1)?.toApp, true);
    assert.deepEqual(logged(lines, pagePath), [{ status: 200, toApp: true }]);
  } finally {
    await nginx.stop();
    await app.cleanUp();
  }
});
