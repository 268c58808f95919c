/**
 * Hot derivatives kept in memory, bounded by total bytes, least recently used out first.
 * Serving a Buffer from here is several times faster than reading the file per request.
 */
export class ImageCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  /** Grows with every invalidation; a read that started before one must not fill the cache. */
  private generation = 0;
  /** Told of every prefix dropped here, so sibling processes can drop it too (see cli/cluster.ts). */
  onInvalidate: ((prefix: string) => void) | null = null;
  /** Told of every prefix dropped, here or in a sibling: what else keeps per-key state about image files. */
  private readonly dropListeners: Array<(prefix: string) => void> = [];

  constructor(private readonly maxBytes: number, private readonly maxEntryBytes = Math.min(2 * 1024 * 1024, maxBytes / 8)) {}

  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** The current invalidation generation, to pass back to `set` after a slow read. */
  get currentGeneration(): number {
    return this.generation;
  }

  set(key: string, data: Buffer, readSince = this.generation): void {
    if (data.length > this.maxEntryBytes || readSince !== this.generation) return;
    this.delete(key);
    this.entries.set(key, data);
    this.bytes += data.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= buffer.length;
    }
  }

  delete(key: string): void {
    const existing = this.entries.get(key);
    if (!existing) return;
    this.entries.delete(key);
    this.bytes -= existing.length;
  }

  /** Drops every entry under a prefix: a photo deleted or its secret rotated. */
  deletePrefix(prefix: string): void {
    this.dropPrefix(prefix);
    this.onInvalidate?.(prefix);
  }

  /** The same, when another process of this server did it. */
  dropPrefix(prefix: string): void {
    this.generation++;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
    for (const listener of this.dropListeners) listener(prefix);
  }

  whenDropped(listener: (prefix: string) => void): void {
    this.dropListeners.push(listener);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
