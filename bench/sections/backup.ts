import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { createMember, upload } from "../lib/client.ts";
import type { Row } from "../lib/report.ts";
import { startServerProcess } from "../lib/server-process.ts";

const run = promisify(execFile);
const CORPUS = process.env.PINHOLE_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus");
const BIN = path.join(import.meta.dirname, "..", "..", "bin", "pinhole.js");
const PHOTOS = Number(process.env.BENCH_BACKUP_PHOTOS ?? 1000);
const BASES = ["evening-boats.jpg", "forest-path.jpg", "sunset-patagonia.jpg", "bridge-sydney.jpg", "fallen-leaf.jpg"];

async function treeBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await fsp.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await fsp.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Seconds a step takes, starting with nothing left to flush from the steps before. */
async function timed(step: () => Promise<unknown>): Promise<number> {
  execFileSync("sync");
  const start = performance.now();
  await step();
  return (performance.now() - start) / 1000;
}

/**
 * Backup and restore of a site with 1,000 real photos (1024 px JPEGs, each with its own noise
 * patch so no two files are alike and nothing deduplicates), beside cp -r of the same files
 * dir in the same run. The server keeps running: the backup is the online one an operator
 * takes. Every step starts after a sync, and the reference is cp -r followed by sync -f, the
 * same durability as the backup's final flush; plain cp -r (data left in the page cache) is
 * shown too.
 */
export async function benchBackup(): Promise<Row[]> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pinhole-bench-backup-"));
  const dataDir = path.join(work, "data");
  const server = await startServerProcess({ PINHOLE_DATA_DIR: dataDir });
  try {
    const token = await createMember(server.url, "archivist");
    const bases = await Promise.all(BASES.map((name) => sharp(path.join(CORPUS, "photos", name)).rotate().resize(1024, 1024, { fit: "inside" }).toBuffer()));
    let next = 0;
    const uploader = async () => {
      while (next < PHOTOS) {
        const n = next++;
        const patch = await sharp({ create: { width: 96, height: 96, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();
        const bytes = await sharp(bases[n % bases.length]).composite([{ input: patch, left: (n * 37) % 900, top: (n * 53) % 500 }]).jpeg({ quality: 88 }).toBuffer();
        const result = await upload(server.url, token, bytes, `bench-${n}.jpg`);
        if (result.status !== 201) throw new Error(`upload ${n} failed: ${result.status} ${JSON.stringify(result.body)}`);
      }
    };
    await Promise.all([uploader(), uploader()]);

    const filesDir = path.join(dataDir, "files");
    const files = await treeBytes(filesDir);
    const bytes = files.bytes + fs.statSync(path.join(dataDir, "pinhole.sqlite")).size;
    const gb = bytes / 1e9;
    const env = { ...process.env, PINHOLE_DATA_DIR: dataDir, DATABASE_URL: "", PINHOLE_LOG_LEVEL: "error" };
    const dest = path.join(work, "backups");

    const cpPlain = await timed(() => run("cp", ["-r", filesDir, path.join(work, "cp-plain")]));
    const cpSynced = await timed(async () => {
      await run("cp", ["-r", filesDir, path.join(work, "cp-synced")]);
      await run("sync", ["-f", path.join(work, "cp-synced")]);
    });
    await fsp.rm(path.join(work, "cp-plain"), { recursive: true });
    await fsp.rm(path.join(work, "cp-synced"), { recursive: true });
    const full = await timed(() => run(process.execPath, [BIN, "backup", dest], { env }));
    const again = await timed(() => run(process.execPath, [BIN, "backup", dest], { env }));
    const restore = await timed(() => run(process.execPath, [BIN, "restore", dest], { env: { ...env, PINHOLE_DATA_DIR: path.join(work, "restored") } }));
    const restored = await treeBytes(path.join(work, "restored", "files"));
    if (restored.files !== files.files) throw new Error(`restore brought back ${restored.files} of ${files.files} files`);

    const what = `${PHOTOS.toLocaleString("en-US")} photos, ${files.files.toLocaleString("en-US")} files, ${gb.toFixed(2)} GB`;
    const reference = { name: "cp -r + sync -f, same files", value: cpSynced };
    const perGb = { name: "cp -r + sync -f", value: cpSynced / gb };
    const rows: Row[] = [];
    for (const [measure, seconds] of [
      [`pinhole backup, first (${what}; online, hashed, checked)`, full],
      [`pinhole backup, next (nothing changed: ${what})`, again],
      [`pinhole restore (${what}; every file checked)`, restore],
      [`plain cp -r, no sync (${what})`, cpPlain],
    ] as Array<[string, number]>) {
      rows.push({ section: "backup", measure, value: seconds, unit: "s", reference, ratio: seconds / cpSynced });
      rows.push({ section: "backup", measure: measure.replace(/ \(.*$/, " per GB"), value: seconds / gb, unit: "s/GB", reference: perGb, ratio: seconds / cpSynced });
    }
    return rows;
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
