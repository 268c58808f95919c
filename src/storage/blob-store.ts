import type { Readable } from "node:stream";

/**
 * Where originals and derivatives live. Keys are made by the server from ids and secrets,
 * never from user input; implementations still refuse anything that is not a plain key.
 */
export interface BlobStore {
  /** Moves a complete local file (already fsynced by the caller) under `key`, durably; refuses an existing key. */
  putFile(key: string, localPath: string): Promise<void>;
  /** Writes bytes atomically: a reader sees the old object, nothing, or the whole new one (not necessarily durable). */
  put(key: string, data: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  stream(key: string): Promise<{ body: Readable; size: number } | null>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Removes every key under `prefix` (which must end with "/"). */
  deletePrefix(prefix: string): Promise<void>;
  /** Copies every key under one prefix to another, keeping the rest of each key. */
  copyPrefix(fromPrefix: string, toPrefix: string): Promise<void>;
  /** Makes a stored key durable (fsync); answers false when the key does not exist. */
  sync(key: string): Promise<boolean>;
  /** Makes every key under `prefix` durable, with the directory entries that name them. */
  syncPrefix(prefix: string): Promise<void>;
  /**
   * Every key under `prefix` ("" for all), with its size and last modification time (epoch ms),
   * in no particular order. A key removed while the listing runs is left out, never an error.
   */
  list(prefix: string): AsyncIterable<{ key: string; size: number; modifiedAt: number }>;
  /** Bytes of everything stored. May be slow (it can walk every file): never call it while a request waits. */
  usedBytes(): Promise<number>;
  /** A directory on the same filesystem as the store for streaming uploads into. */
  readonly scratchDir: string;
  /** Where the files are, for messages to the operator. */
  readonly location: string;
}

const KEY = /^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/;

export function assertKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new Error(`invalid storage key: ${JSON.stringify(key)}`);
}

export function assertPrefix(prefix: string): void {
  if (!prefix.endsWith("/")) throw new Error(`storage prefix must end with "/": ${prefix}`);
  assertKey(prefix.slice(0, -1));
}
