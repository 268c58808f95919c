interface Entry {
  version: readonly unknown[];
  /** UTF-8, outside V8's heap: the collector neither marks nor moves it, and it is sent as it is. */
  html: Buffer;
}

/**
 * Photo pages rendered for visitors who are not logged in, kept in this process's memory and
 * shown again only while the page's own query answers exactly what it answered when the page
 * was made (`version`, compared value by value): the query still runs on every visit, so a
 * photo made private, edited, moved in its photostream or deleted is never shown from here. What is saved is the rendering,
 * most of a page's CPU. Bounded by bytes held (the pages' and, about, their versions'), least
 * recently used out first; 0 turns it off.
 */
export class PhotoPageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** Larger pages are not kept: one huge description must not push out hundreds of pages. */
    private readonly maxEntryBytes = Math.min(256 * 1024, maxBytes / 16),
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /** The page kept under `key`, if it was made from the same `version`; a stale one is dropped. */
  get(key: string, version: readonly unknown[]): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (!sameVersion(entry.version, version)) {
      this.bytes -= weight(key, entry);
      return undefined;
    }
    // Put back last: Map keeps insertion order, so the first entry is the least recently used.
    this.entries.set(key, entry);
    return entry.html;
  }

  set(key: string, version: readonly unknown[], html: Buffer): void {
    if (!this.enabled || html.length > this.maxEntryBytes) return;
    this.drop(key);
    const entry = { version, html };
    this.entries.set(key, entry);
    this.bytes += weight(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= weight(key, entry);
  }
}

/** Values compared with ===: the read's columns are strings, numbers and null. */
function sameVersion(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** About the bytes an entry holds: its key, its page, and its version's strings (numbers as 8). */
function weight(key: string, entry: Entry): number {
  let versionBytes = 0;
  for (const value of entry.version) versionBytes += typeof value === "string" ? value.length : 8;
  return key.length + versionBytes + entry.html.length;
}
