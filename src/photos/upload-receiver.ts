import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyRequest } from "fastify";
import { InvalidError, TooLargeError, wording } from "../errors.ts";
import { translateDiskError } from "../storage/local-disk.ts";
import { scratchName } from "../storage/scratch.ts";

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
  const fields: Record<string, string> = {};
  let received: Omit<ReceivedUpload, "fields"> | null = null;
  const tempPath = path.join(scratchDir, scratchName("upload", `${crypto.randomBytes(12).toString("hex")}.part`));
  try {
    // The limit is the caller's: a photo's, or an import's much larger one.
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type === "field") {
        if (typeof part.value === "string") fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== fileField || received) {
        part.file.resume();
        throw new InvalidError(wording(what === "zip" ? "errors.upload.oneZip" : "errors.upload.onePhoto", { field: fileField }));
      }
      const written = await writeHashed(part.file, tempPath);
      if (part.file.truncated) throw tooLarge(maxBytes, what);
      received = { tempPath, ...written, displayName: sanitizeFileName(part.filename) };
    }
    if (!received) throw new InvalidError(wording(what === "zip" ? "errors.upload.noZip" : "errors.upload.noPhoto", { field: fileField }));
    await fsyncFile(tempPath);
    return { ...received, fields };
  } catch (error) {
    await fsp.rm(tempPath, { force: true });
    if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(maxBytes, what);
    throw translateDiskError(error);
  }
}

function tooLarge(maxBytes: number, what: "photo" | "zip"): TooLargeError {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return new TooLargeError(wording(what === "zip" ? "errors.upload.importTooLarge" : "errors.upload.tooLarge", { mb }), { maxBytes });
}

/**
 * Streams `source` into a new file at `tempPath`, hashing it on the way (an upload's body, a
 * photo inside an imported zip). Not yet fsynced: the caller does that once the whole is known good.
 */
export async function writeHashed(source: Readable, tempPath: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  // Large buffered writes: a few big writev calls instead of hundreds of 16 KB ones.
  await pipeline(source, hashing, fs.createWriteStream(tempPath, { flags: "wx", highWaterMark: 1024 * 1024 }));
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
