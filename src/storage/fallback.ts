import type { Readable } from "node:stream";
import type { BlobStore } from "./blob-store.ts";

class KeyExistsError extends Error {
  readonly code = "EEXIST";
}

/**
 * The store of a site whose files are moving (`pinhole storage migrate`, PINHOLE_STORAGE_FALLBACK):
 * new files go to `primary`; a key not there yet is read from `fallback`, where it still is;
 * deletions remove it from both, the fallback FIRST. The migration relies on that order: after
 * copying a key it checks the fallback still has it, and removes the copy if not, so a photo
 * deleted while its files were being copied is never brought back.
 */
export class FallbackStore implements BlobStore {
  readonly scratchDir: string;
  readonly location: string;

  constructor(readonly primary: BlobStore, readonly fallback: BlobStore) {
    this.scratchDir = primary.scratchDir;
    this.location = `${primary.location} (and ${fallback.location} while files move there)`;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    if (await this.fallback.exists(key)) throw new KeyExistsError(`storage key exists: ${key}`);
    await this.primary.putFile(key, localPath);
  }

  put(key: string, data: Buffer): Promise<void> {
    return this.primary.put(key, data);
  }

  async get(key: string): Promise<Buffer | null> {
    return (await this.primary.get(key)) ?? (await this.fallback.get(key));
  }

  async stream(key: string): Promise<{ body: Readable; size: number } | null> {
    return (await this.primary.stream(key)) ?? (await this.fallback.stream(key));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.primary.exists(key)) || (await this.fallback.exists(key));
  }

  async delete(key: string): Promise<void> {
    await this.fallback.delete(key);
    await this.primary.delete(key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.fallback.deletePrefix(prefix);
    await this.primary.deletePrefix(prefix);
  }

  /** Into the primary, from wherever each key is: a secret rotated mid-migration keeps every size. */
  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    await this.primary.copyPrefix(fromPrefix, toPrefix);
    for await (const { key } of this.fallback.list(fromPrefix)) {
      const target = toPrefix + key.slice(fromPrefix.length);
      if (await this.primary.exists(target)) continue;
      const data = await this.fallback.get(key);
      if (data) await this.primary.put(target, data);
    }
  }

  async sync(key: string): Promise<boolean> {
    return (await this.primary.sync(key)) || (await this.fallback.sync(key));
  }

  async syncPrefix(prefix: string): Promise<void> {
    await this.primary.syncPrefix(prefix);
    await this.fallback.syncPrefix(prefix);
  }

  /** Each key once, the primary's where both hold it. Remembers the primary's keys: meant for the migration's weeks, not for ever. */
  async *list(prefix: string): AsyncIterable<{ key: string; size: number; modifiedAt: number }> {
    const seen = new Set<string>();
    for await (const entry of this.primary.list(prefix)) {
      seen.add(entry.key);
      yield entry;
    }
    for await (const entry of this.fallback.list(prefix)) if (!seen.has(entry.key)) yield entry;
  }

  async usedBytes(): Promise<number> {
    let total = 0;
    for await (const entry of this.list("")) total += entry.size;
    return total;
  }
}
