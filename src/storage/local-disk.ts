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

  constructor(private readonly root: string, scratchDir: string) {
    this.scratchDir = scratchDir;
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

  /** Walks the root one directory at a time, a few stats at once, so it never crowds out requests. */
  async usedBytes(): Promise<number> {
    let total = 0;
    const directories = [this.root];
    for (let dir = directories.pop(); dir !== undefined; dir = directories.pop()) {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) continue; // removed while we walked
        throw error;
      }
      const files: string[] = [];
      for (const entry of entries) {
        if (entry.isDirectory()) directories.push(path.join(dir, entry.name));
        else if (entry.isFile()) files.push(path.join(dir, entry.name));
      }
      for (let i = 0; i < files.length; i += 16) {
        const sizes = await Promise.all(files.slice(i, i + 16).map((file) => fsp.stat(file).then((stat) => stat.size, () => 0)));
        total += sizes.reduce((sum, size) => sum + size, 0);
      }
    }
    return total;
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
