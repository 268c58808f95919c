import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { promisify } from "node:util";
import type { FastifyRequest } from "fastify";
import { InvalidError, TooLargeError, UnsupportedMediaError, wording } from "../errors.ts";
import { translateDiskError } from "../storage/local-disk.ts";
import { scratchName } from "../storage/scratch.ts";
import { FORM_LIMITS, MultipartFileTooLarge, multipartBoundary, readMultipart } from "../web/multipart-reader.ts";

export interface ReceivedUpload {
  /** An fsynced temporary file holding exactly the uploaded bytes. */
  tempPath: string;
  sha256: string;
  bytes: number;
  /** The client's file name, made safe to display; never used as a path. */
  displayName: string;
  fields: Record<string, string>;
}

const MAX_NAME_LENGTH = 200;

/** Keeps a readable name: no directories, no control or bidi characters, NFC, capped. */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[\p{C}]/gu, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "");
  return [...cleaned].slice(0, MAX_NAME_LENGTH).join("") || "photo";
}

/**
 * Streams a multipart upload to a temporary file: never held whole in memory, hashed while it
 * streams, fsynced before returning. Any failure removes the temporary file.
 */
export async function receiveUpload(request: FastifyRequest, scratchDir: string, maxBytes: number, what: "photo" | "zip" = "photo", fileField = "file"): Promise<ReceivedUpload> {
  const boundary = multipartBoundary(request.headers["content-type"]);
  if (!boundary) throw new UnsupportedMediaError(wording("errors.multipartOrJson"));
  const fields: Record<string, string> = {};
  let received: Omit<ReceivedUpload, "fields"> | null = null;
  const tempPath = path.join(scratchDir, scratchName("upload", `${crypto.randomBytes(12).toString("hex")}.part`));
  try {
    // The limit is the caller's: a photo's, or an import's much larger one. A refusal leaves the
    // request whole, not destroyed, so the client still reads the answer (error-handler.ts drains).
    for await (const part of readMultipart(request.raw.iterator({ destroyOnReturn: false }), boundary, { ...FORM_LIMITS, fileSize: maxBytes })) {
      if (part.kind === "field") {
        fields[part.name] = part.value;
        continue;
      }
      if (part.name !== fileField || received) throw new InvalidError(wording(what === "zip" ? "errors.upload.oneZip" : "errors.upload.onePhoto", { field: fileField }));
      const written = await writeHashed(part.chunks, tempPath);
      received = { tempPath, ...written, displayName: sanitizeFileName(part.filename) };
    }
    if (!received) throw new InvalidError(wording(what === "zip" ? "errors.upload.noZip" : "errors.upload.noPhoto", { field: fileField }));
    return { ...received, fields };
  } catch (error) {
    await fsp.rm(tempPath, { force: true });
    if (error instanceof MultipartFileTooLarge) throw tooLarge(maxBytes, what);
    throw translateDiskError(error);
  }
}

function tooLarge(maxBytes: number, what: "photo" | "zip"): TooLargeError {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return new TooLargeError(wording(what === "zip" ? "errors.upload.importTooLarge" : "errors.upload.tooLarge", { mb }), { maxBytes });
}

/** While a file streams in, its bytes go to disk every this many, not all at the fsync. */
const FLUSH_EVERY_BYTES = 1024 * 1024;

/**
 * Streams `source` into a new file at `tempPath`, hashing it on the way (an upload's body, a
 * photo inside an imported zip, a resumable upload's parts), and fsyncs it before returning.
 *
 * The disk is asked to write what has arrived every megabyte (fdatasync, one at a time, while
 * the next bytes are received), so the last fsync has little left to write: with
 * one fsync at the end, four concurrent 10 MB uploads waited on their flushes for a third of
 * their time (bench/sections/upload.ts).
 */
export async function writeHashed(source: AsyncIterable<Buffer>, tempPath: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  // A plain descriptor shared by the stream and the flushes (a FileHandle lent to a stream does
  // not close until the stream is destroyed).
  const fd = await promisify(fs.open)(tempPath, "wx");
  // Large buffered writes: a few big writev calls instead of hundreds of 64 KB ones, while the
  // next chunks are hashed; the file is written as fast as the disk takes it, never faster.
  const out = fs.createWriteStream(tempPath, { fd, autoClose: false, highWaterMark: 1024 * 1024 });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let flushing: Promise<void> | null = null;
  let unflushed = 0;
  const flush = () => {
    const flushed: Promise<void> = promisify(fs.fdatasync)(fd).then(() => {
      if (flushing === flushed) flushing = null;
    });
    flushed.catch(() => undefined);
    flushing = flushed;
  };
  try {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
      unflushed += chunk.length;
      if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
      if (unflushed >= FLUSH_EVERY_BYTES && !flushing) {
        unflushed = 0;
        flush();
      }
    }
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), failed]);
    await flushing;
    await promisify(fs.fsync)(fd);
  } catch (error) {
    // The stream closes the descriptor as it is destroyed (whatever autoClose says), once its
    // own write is done; a flush still running on it must end first, or the number could be
    // reused under it.
    await (flushing as Promise<void> | null)?.catch(() => undefined);
    out.destroy();
    if (!out.closed) await once(out, "close").catch(() => undefined);
    throw error;
  }
  await promisify(fs.close)(fd);
  return { sha256: hash.digest("hex"), bytes };
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
