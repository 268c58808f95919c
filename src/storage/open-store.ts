import path from "node:path";
import type { Config, StorageConfig } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { FallbackStore } from "./fallback.ts";
import { imageRedirects, type ImageRedirects } from "./image-redirects.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { S3BlobStore } from "./s3.ts";

type StoreConfig = Pick<Config, "dataDir" | "storage" | "storageFallback">;

/** One store as configured. Uploads stream into a local scratch dir either way. */
export function openOneStore(dataDir: string, storage: StorageConfig): BlobStore {
  const scratchDir = path.join(dataDir, "tmp");
  if (storage.kind === "local") return new LocalDiskStore(path.join(dataDir, "files"), scratchDir);
  return new S3BlobStore({ ...storage, scratchDir });
}

/** The store the configuration names; during a migration, the new one falling back to the old one. */
export function openStore(config: StoreConfig): BlobStore {
  const primary = openOneStore(config.dataDir, config.storage);
  return config.storageFallback ? new FallbackStore(primary, openOneStore(config.dataDir, config.storageFallback)) : primary;
}

/**
 * The store every machine of a site reaches (the S3 bucket; during a migration to it, the new
 * store alone), or null when files are on this machine's disk.
 */
export function sharedStore(store: BlobStore): BlobStore | null {
  const primary = store instanceof FallbackStore ? store.primary : store;
  return primary instanceof S3BlobStore ? primary : null;
}

/** Redirects for image URLs (PINHOLE_S3_SERVE=presign|public), or null when the server sends the bytes. */
export function openImageRedirects(config: Pick<Config, "imageDelivery">, store: BlobStore): ImageRedirects | null {
  const primary = store instanceof FallbackStore ? store.primary : store;
  return primary instanceof S3BlobStore ? imageRedirects(primary, config.imageDelivery) : null;
}
