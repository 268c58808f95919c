import crypto from "node:crypto";
import type { BlobStore } from "./blob-store.ts";

export const MARKER_KEY = "pinhole-storage.json";
const SETTING = "storage_id";

/** The settings the marker check reads and writes; kept small so it needs no repository import. */
export interface StorageIdentity {
  get(key: string): Promise<string | null>;
  /** Sets the value only when the key is absent; answers whether this call set it. */
  setIfAbsent(key: string, value: string, now: number): Promise<boolean>;
}

export class StorageMismatchError extends Error {}

/**
 * Pairs the storage with the database on first start: a marker file in the storage and the
 * same id in the database. Afterwards a start finding the database's id but not the marker
 * (a disk not mounted, a wrong bucket) refuses to run rather than fill an empty folder and
 * serve a site whose every image is missing.
 */
export async function checkStorageMarker(store: BlobStore, settings: StorageIdentity, now: number): Promise<string> {
  const expected = await settings.get(SETTING);
  const marker = await readMarker(store);
  if (expected !== null) {
    if (marker === null) {
      throw new StorageMismatchError(
        `the storage at ${store.location} has no ${MARKER_KEY}, but this site's database expects storage ${expected}: is the disk mounted? Start again once the right storage is in place.`,
      );
    }
    if (marker !== expected) {
      throw new StorageMismatchError(`the storage at ${store.location} belongs to another site (${marker}); this site's database expects ${expected}.`);
    }
    return expected;
  }
  // A new site, or a database made fresh beside existing storage: adopt or create the marker.
  // Several servers of a new cluster may start at once: the database decides whose id is the
  // site's, and only that id is written to the storage, so no server keeps an id that lost.
  const candidate = marker ?? crypto.randomUUID();
  await settings.setIfAbsent(SETTING, candidate, now);
  const id = await settings.get(SETTING);
  if (id === null) throw new StorageMismatchError(`the ${SETTING} setting vanished while this server was pairing the storage at ${store.location}; start again.`);
  if ((await readMarker(store)) !== id) await writeStorageMarker(store, id, now);
  else await store.sync(MARKER_KEY);
  return id;
}

/** Whether the marker is still there and the same; readiness asks this on every probe. */
export async function storageMarkerPresent(store: BlobStore, expected: string): Promise<boolean> {
  return (await readMarker(store)) === expected;
}

/** Writes the marker (durably) for a storage restored from a backup, to match its database. */
export async function writeStorageMarker(store: BlobStore, id: string, now: number): Promise<void> {
  await store.put(MARKER_KEY, Buffer.from(JSON.stringify({ storageId: id, createdAt: new Date(now).toISOString() }) + "\n"));
  await store.sync(MARKER_KEY);
}

/** The id in the storage's marker, or null when there is no readable marker. */
export async function readMarker(store: BlobStore): Promise<string | null> {
  const raw = await store.get(MARKER_KEY);
  if (raw === null) return null;
  try {
    const id = (JSON.parse(raw.toString("utf8")) as { storageId?: unknown }).storageId;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}
