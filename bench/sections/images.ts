import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMember, upload } from "../lib/client.ts";
import type { Row } from "../lib/report.ts";
import { freePort, startServerProcess } from "../lib/server-process.ts";
import { wrk } from "../lib/wrk.ts";

const CORPUS = process.env.PINHOLE_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** As an operator runs it on this 2-core machine, and as nginx's "worker_processes auto" does. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONNECTIONS = 50;

/** Debian's nginx serving the same files from the data dir, with its stock worker count. */
async function startNginx(root: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-nginx-"));
  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(
    conf,
    `user root;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=1000;
  types { image/jpeg jpg; image/webp webp; }
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port}; root ${root}; location / { add_header Cache-Control "public, max-age=31536000, immutable"; } }
}
`,
  );
  const child = spawn("nginx", ["-c", conf, "-g", "daemon off;"], { stdio: "inherit" });
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGQUIT") };
}

export async function benchImages(): Promise<Row[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-images-"));
  const dataDir = path.join(work, "data");
  const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir }, ["--workers", String(WORKERS)]);
  const rows: Row[] = [];
  let nginx: { url: string; stop: () => void } | null = null;
  try {
    const token = await createMember(server.url, "imager");
    const photo = (await upload(server.url, token, new Uint8Array(fs.readFileSync(path.join(CORPUS, "photos/evening-boats.jpg"))))).body as { sizes: Array<{ name: string; format: string; url: string }> };
    nginx = await startNginx(path.join(dataDir, "files"));
    // The JPEG sizes closest to 10 KB and 150 KB.
    const jpegs = await Promise.all(photo.sizes.filter((s) => s.format === "jpeg").map(async (s) => ({ ...s, bytes: (await (await fetch(s.url)).arrayBuffer()).byteLength })));
    for (const wanted of [10_000, 150_000]) {
      const size = jpegs.reduce((best, s) => (Math.abs(s.bytes - wanted) < Math.abs(best.bytes - wanted) ? s : best));
      const urlPath = new URL(size.url).pathname;
      const [, , id, secret, file] = urlPath.split("/");
      const diskPath = `/derivatives/${id!.slice(-3).padStart(3, "0")}/${id}/${secret}/${file}`;
      const check = await fetch(nginx.url + diskPath);
      if (check.status !== 200) throw new Error(`nginx does not serve ${diskPath}: ${check.status}`);
      const ours = await wrk({ url: server.url + urlPath, seconds: SECONDS, connections: CONNECTIONS });
      const theirs = await wrk({ url: nginx.url + diskPath, seconds: SECONDS, connections: CONNECTIONS });
      const kb = Math.round(size.bytes / 1024);
      const target = wanted === 10_000 ? 0.4 : 0.6;
      const ratio = ours.requestsPerSecond / theirs.requestsPerSecond;
      rows.push({ section: "images", measure: `image URL, ${kb} KB derivative (${size.name}), ${CONNECTIONS} connections, ${WORKERS} workers`, value: ours.requestsPerSecond, unit: "req/s", reference: { name: "nginx, same file", value: theirs.requestsPerSecond }, ratio, target: `>= ${target}× nginx`, met: ratio >= target });
    }
  } finally {
    nginx?.stop();
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
