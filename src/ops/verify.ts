import crypto from "node:crypto";
import { derivativeDefect } from "../images/check.ts";
import { derivativeKey } from "../images/keys.ts";
import type { PhotoFiles } from "../photos/files.ts";
import { parseSizes } from "../photos/presenter.ts";
import type { PhotosRepository } from "../photos/repository.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { silentProgress, type ProgressReport } from "./progress.ts";

export interface VerifyDeps {
  photos: PhotosRepository;
  store: BlobStore;
  files: PhotoFiles;
}

export interface VerifyOptions {
  /** Make missing or damaged derivatives again from their originals. */
  repair: boolean;
  progress?: ProgressReport;
  /** Photos read per query. */
  pageSize?: number;
}

export interface VerifyResult {
  photos: number;
  /** One line per problem left; empty when all is well (or all was repaired). */
  problems: string[];
  /** One line per photo whose derivatives were made again. */
  repaired: string[];
}

type PhotoFilesRow = Awaited<ReturnType<PhotosRepository["listFilesAfter"]>>[number];

/**
 * Scrubs storage: every original read whole and compared with the sha256 recorded at upload,
 * every derivative its row lists checked present and whole. Repairs what can be repaired
 * (derivatives, from a sound original) and names what cannot (originals: only a backup has them).
 */
export async function verifyStorage(deps: VerifyDeps, options: VerifyOptions): Promise<VerifyResult> {
  const progress = options.progress ?? silentProgress;
  const totals = await deps.photos.originalsTotal();
  progress.start("verify", { items: totals.photos, bytes: totals.bytes }, "photos");
  const result: VerifyResult = { photos: 0, problems: [], repaired: [] };
  for (let after = 0; ; ) {
    const page = await deps.photos.listFilesAfter(after, options.pageSize ?? 200);
    if (page.length === 0) break;
    for (const photo of page) {
      const found = await checkPhoto(deps, photo, options.repair);
      result.problems.push(...found.problems);
      result.repaired.push(...found.repaired);
      result.photos++;
      progress.advance(1, photo.original_bytes);
    }
    after = page[page.length - 1]!.id;
  }
  progress.finish();
  return result;
}

async function originalDefect(store: BlobStore, photo: PhotoFilesRow): Promise<string | null> {
  const file = await store.stream(photo.original_key);
  if (!file) return "missing";
  const hash = crypto.createHash("sha256");
  for await (const chunk of file.body) hash.update(chunk as Buffer);
  return hash.digest("hex") === photo.sha256 ? null : "corrupt: its sha256 is not the one recorded at upload";
}

async function derivativeDefects(store: BlobStore, photo: PhotoFilesRow): Promise<Array<{ key: string; defect: string }>> {
  const defects: Array<{ key: string; defect: string }> = [];
  for (const size of parseSizes(photo.sizes)) {
    const key = derivativeKey(photo.id, photo.secret, size.size, size.format);
    const data = await store.get(key);
    const defect = data === null ? "missing" : await derivativeDefect(data, size);
    if (defect) defects.push({ key, defect });
  }
  return defects;
}

async function checkPhoto(deps: VerifyDeps, photo: PhotoFilesRow, repair: boolean): Promise<{ problems: string[]; repaired: string[] }> {
  const original = await originalDefect(deps.store, photo);
  const derivatives = await derivativeDefects(deps.store, photo);
  if (!original && derivatives.length === 0) return { problems: [], repaired: [] };
  // Deleted, or made more private (new secret), since we read it: what we saw was no problem.
  const now = await deps.photos.findFiles(photo.id);
  if (!now || now.secret !== photo.secret) return { problems: [], repaired: [] };

  const problems: string[] = [];
  const repaired: string[] = [];
  if (original) problems.push(`photo ${photo.id}: original ${photo.original_key} is ${original}; it cannot be repaired: restore it from a backup`);
  if (derivatives.length === 0) return { problems, repaired };
  if (!repair || original) {
    const advice = original ? "cannot be made again while the original is damaged" : "pinhole verify --repair makes it again";
    for (const d of derivatives) problems.push(`photo ${photo.id}: derivative ${d.key} is ${d.defect}; ${advice}`);
    return { problems, repaired };
  }
  try {
    await deps.files.regenerate(photo.id);
  } catch (error) {
    problems.push(`photo ${photo.id}: could not make its derivatives again: ${(error as Error).message}`);
    return { problems, repaired };
  }
  const left = await derivativeDefects(deps.store, photo);
  for (const d of left) problems.push(`photo ${photo.id}: derivative ${d.key} is still ${d.defect} after making it again`);
  if (left.length === 0) repaired.push(`photo ${photo.id}: made ${derivatives.length} derivative(s) again (${derivatives.map((d) => `${d.key.split("/").pop()} ${d.defect}`).join(", ")})`);
  return { problems, repaired };
}
