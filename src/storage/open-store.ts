import path from "node:path";
import type { Config } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { LocalDiskStore } from "./local-disk.ts";
import { S3BlobStore } from "./s3.ts";

/** The store the configuration names. Uploads stream into a local scratch dir either way. */
export function openStore(config: Pick<Config, "dataDir" | "storage">): BlobStore {
  const scratchDir = path.join(config.dataDir, "tmp");
  if (config.storage.kind === "local") return new LocalDiskStore(path.join(config.dataDir, "files"), scratchDir);
  return new S3BlobStore({ ...config.storage, scratchDir });
}
