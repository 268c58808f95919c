import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { FastifyRequest } from "fastify";
import { InvalidError, TooLargeError, UnsupportedMediaError, wording } from "../errors.ts";
import { translateDiskError } from "../storage/local-disk.ts";
import { fileHasher, type FileHasher } from "./file-hasher.ts";
import { scratchName, removeTempFile } from "../storage/scratch.ts";
import { FORM_LIMITS, MultipartFileTooLarge, multipartBoundary, readMultipart } from "../web/multipart-reader.ts";

export interface ReceivedUpload {
  /** A temporary file holding exactly the uploaded bytes. */
  tempPath: string;
  sha256: string;
  bytes: number;
  /**
   * Settles once the file is fsynced. Reading it need not wait (an image is decoded while the
   * disk takes the original); keeping it must: `whenDurable` before the file is stored.
   */
  synced: Promise<void>;
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

/** For a file that is already fsynced (a resumable upload put together, a file from a zip). */
export const ALREADY_SYNCED: Promise<void> = Promise.resolve();

/** Waits for an upload's fsync; what stores the file (and so the 201) comes after it. */
export async function whenDurable(upload: Pick<ReceivedUpload, "synced">): Promise<void> {
  try {
    await upload.synced;
  } catch (error) {
    throw translateDiskError(error);
  }
}

/**
 * Streams a multipart upload to a temporary file: never held whole in memory, hashed while it
 * streams. It answers once every byte is written and hashed; the fsync goes on meanwhile
 * (`synced`). Any failure removes the temporary file.
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
      const written = await writeHashedThenSync(part.chunks, tempPath);
      received = { tempPath, ...written, displayName: sanitizeFileName(part.filename) };
    }
    if (!received) throw new InvalidError(wording(what === "zip" ? "errors.upload.noZip" : "errors.upload.noPhoto", { field: fileField }));
    return { ...received, fields };
  } catch (error) {
    await removeTempFile(tempPath);
    if (error instanceof MultipartFileTooLarge) throw tooLarge(maxBytes, what);
    throw translateDiskError(error);
  }
}

function tooLarge(maxBytes: number, what: "photo" | "zip"): TooLargeError {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return new TooLargeError(wording(what === "zip" ? "errors.upload.importTooLarge" : "errors.upload.tooLarge", { mb }), { maxBytes });
}

/** A file's bytes go to disk in writes of about this many, each then flushed and hashed. */
const WRITE_BYTES = 1024 * 1024;
/** …or of this many chunks, whichever comes first: a trickle of tiny chunks is not kept as objects. */
const WRITE_CHUNKS = 128;

/**
 * Streams `source` into a new file at `tempPath`, hashing it on the way (an upload's body, a
 * photo inside an imported zip, a resumable upload's parts), and fsyncs it before returning.
 *
 * Chunks are written a megabyte at a time (one writev, one thread-pool round trip, instead of
 * sixteen), one write on its way while the next megabyte arrives. After each megabyte written
 * the disk is asked to store what the file holds (fdatasync, one at a time), so the last fsync
 * has little left to do, and `hasher` hashes it beside the event loop, which is left to read the socket:
 * four concurrent 10 MB uploads spent about a third of their time on the last flush with one
 * fsync at the end, and as long again hashing on the event loop (bench/sections/upload.ts).
 */
export async function writeHashed(source: AsyncIterable<Buffer>, tempPath: string, hasher: FileHasher = fileHasher): Promise<{ sha256: string; bytes: number }> {
  const { synced, ...written } = await writeHashedThenSync(source, tempPath, hasher);
  await synced;
  return written;
}

/** `writeHashed` answering once the bytes are written and hashed, with the fsync still going on. */
export async function writeHashedThenSync(source: AsyncIterable<Buffer>, tempPath: string, hasher: FileHasher = fileHasher): Promise<{ sha256: string; bytes: number; synced: Promise<void> }> {
  const fd = await promisify(fs.open)(tempPath, "wx");
  const hashing = hasher.start(tempPath);
  let bytes = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let writing: Promise<void> | null = null;
  // A failed flush stays here, never cleared: Linux tells one fsync caller of a descriptor about a
  // writeback error, so the final wait on it is what keeps an EIO from going unseen.
  let flushing: Promise<void> | null = null;
  let flushFailure: unknown = null;
  let flushedUpTo = 0;
  const flush = (upTo: number) => {
    flushedUpTo = upTo;
    const flushed: Promise<void> = promisify(fs.fdatasync)(fd).then(
      () => {
        if (flushing === flushed) flushing = null;
      },
      (error: unknown) => {
        flushFailure = error;
        throw error;
      },
    );
    flushed.catch(() => undefined);
    flushing = flushed;
  };
  const write = (buffers: Buffer[], position: number, end: number, last: boolean) => {
    const written = writevAll(fd, buffers, position).then(() => {
      hashing.written(end);
      // A megabyte at least between flushes, however small the chunks that made it.
      if (!last && !flushing && end - flushedUpTo >= WRITE_BYTES) flush(end);
    });
    written.catch(() => undefined); // awaited before the next write, or by the clean-up
    return written;
  };
  let hashed: Promise<string>;
  try {
    for await (const chunk of source) {
      bytes += chunk.length;
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BYTES || batch.length >= WRITE_CHUNKS) {
        await writing;
        // The disk refused a flush: nothing more of this body is worth writing.
        if (flushFailure) throw flushFailure;
        writing = write(batch, bytes - batchBytes, bytes, false);
        batch = [];
        batchBytes = 0;
      }
    }
    await writing;
    if (batch.length > 0) await write(batch, bytes - batchBytes, bytes, true);
    // The last bytes are hashed while the disk takes them.
    hashed = hashing.finish(bytes);
  } catch (error) {
    hashing.abort();
    // Nothing may still use the descriptor when it closes, or its number could be reused under it.
    await (writing as Promise<void> | null)?.catch(() => undefined);
    await (flushing as Promise<void> | null)?.catch(() => undefined);
    await promisify(fs.close)(fd).catch(() => undefined);
    throw error;
  }
  // The fsync need not wait for a flush still running: it covers every write made before it.
  // The descriptor closes once both are done, whether they succeed or not.
  const synced = Promise.allSettled([flushing, promisify(fs.fsync)(fd)]).then(async (outcomes) => {
    await promisify(fs.close)(fd);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed) throw failed.reason;
  });
  synced.catch(() => undefined); // awaited by whoever keeps the file
  return { sha256: await hashed, bytes, synced };
}

/** Writes every byte of `buffers` at `position`, however many calls the kernel takes. */
async function writevAll(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const written = await new Promise<number>((resolve, reject) => fs.writev(fd, pending, position, (error, count) => (error ? reject(error) : resolve(count))));
    if (written === 0 && pending.some((buffer) => buffer.length > 0)) throw new Error("the disk took no bytes of a write");
    position += written;
    pending = withoutFirstBytes(pending, written);
  }
}

/** What is left of `buffers` once their first `count` bytes are written (a partial writev). */
export function withoutFirstBytes(buffers: Buffer[], count: number): Buffer[] {
  let skipped = 0;
  let index = 0;
  while (index < buffers.length && skipped + buffers[index]!.length <= count) skipped += buffers[index++]!.length;
  const rest = buffers.slice(index);
  if (rest.length > 0 && count > skipped) rest[0] = rest[0]!.subarray(count - skipped);
  return rest;
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
