import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import crypto from "node:crypto";
import { assertKey, assertPrefix, type BlobStore } from "./blob-store.ts";
import { InsufficientStorageError } from "../errors.ts";

/**
 * Files under one root directory. `putFile` (originals) is durable: the caller fsynced the
 * file, it is linked into place and the directory is fsynced. `put` (derivatives) is atomic
 * (temp file, then rename) but not fsynced: derivatives can be made again from the original,
 * and thirteen fsyncs per upload would cost more than the whole HTTP handling.
 */
export class LocalDiskStore implements BlobStore {
  readonly scratchDir: string;
  readonly location: string;

  constructor(private readonly root: string, scratchDir: string) {
    this.scratchDir = scratchDir;
    this.location = root;
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(scratchDir, { recursive: true });
  }

  private pathOf(key: string): string {
    assertKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  /** Refuses (EEXIST) when the key exists: link, unlike rename, never replaces a file. */
  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.link(localPath, target);
    await fsp.unlink(localPath);
    await fsyncDirectory(path.dirname(target));
  }

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${crypto.randomBytes(6).toString("hex")}.part`;
    try {
      await fsp.writeFile(temp, data);
      await fsp.rename(temp, target);
    } catch (error) {
      await fsp.rm(temp, { force: true });
      throw translateDiskError(error);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async stream(key: string): Promise<{ body: fs.ReadStream; size: number } | null> {
    const file = this.pathOf(key);
    try {
      const stat = await fsp.stat(file);
      return { body: fs.createReadStream(file), size: stat.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    await fsp.rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
  }

  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    assertPrefix(fromPrefix);
    assertPrefix(toPrefix);
    const from = this.pathOf(fromPrefix.slice(0, -1));
    const to = this.pathOf(toPrefix.slice(0, -1));
    await fsp.mkdir(path.dirname(to), { recursive: true });
    await fsp.cp(from, to, { recursive: true, force: true });
  }

  async usedBytes(): Promise<number> {
    let total = 0;
    for await (const entry of this.list("")) total += entry.size;
    return total;
  }

  async sync(key: string): Promise<boolean> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(key), "r");
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  }

  async syncPrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    const dirs = new Set<string>();
    for await (const { key } of this.list(prefix)) {
      await this.sync(key);
      dirs.add(path.dirname(this.pathOf(key)));
    }
    for (const dir of dirs) await fsyncDirectory(dir);
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number; modifiedAt: number }> {
    if (prefix !== "") assertPrefix(prefix);
    const start = prefix === "" ? this.root : this.pathOf(prefix.slice(0, -1));
    const pending = [start];
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) continue;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) pending.push(full);
        // Half-written files of `put` are not keys.
        else if (entry.isFile() && !entry.name.endsWith(".part")) {
          const key = path.relative(this.root, full).split(path.sep).join("/");
          // Deleted since readdir (a health probe, a file job): not a key any more.
          const stat = await fsp.stat(full).catch((error: unknown) => {
            if (isMissing(error)) return null;
            throw error;
          });
          if (stat) yield { key, size: stat.size, modifiedAt: stat.mtimeMs };
        }
      }
    }
  }
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === "ENOENT";
}

export function translateDiskError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return new InsufficientStorageError();
  return error;
}
