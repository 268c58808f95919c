import fsp from "node:fs/promises";
import path from "node:path";

/**
 * Removes upload temp files left by a process that died. At start-up of the only process (or
 * of the cluster primary, before any worker) everything goes; a worker started beside running
 * siblings removes only what nobody has written to for an hour, since uploads in flight keep
 * their temp files fresh.
 */
export async function cleanScratch(dir: string, olderThanMs: number): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  const cutoff = Date.now() - olderThanMs;
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fsp.stat(file).catch(() => null);
    if (stat && stat.mtimeMs <= cutoff) {
      await fsp.rm(file, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
