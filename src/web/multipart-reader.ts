import { InvalidError, wording } from "../errors.ts";

/**
 * A streaming reader of multipart/form-data bodies (RFC 7578) for the upload routes.
 *
 * Why not busboy (under @fastify/multipart), which the other form routes keep: it looks for the
 * boundary byte by byte in JavaScript, and on this 2-core machine it halved upload throughput
 * (bench/sections/upload.ts). Here the boundary is found with Buffer.indexOf, native code, and a
 * file's bytes are handed on as the socket delivered them, never copied into a whole.
 */

export interface MultipartLimits {
  /** The most bytes of one file; more ends the read with MultipartFileTooLarge. */
  fileSize: number;
  files: number;
  fields: number;
  /** The most bytes of one text field's value. */
  fieldSize: number;
  parts: number;
}

export const FORM_LIMITS: Omit<MultipartLimits, "fileSize"> = { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 };

/** The most bytes of one part's headers, and of a preamble before the first boundary. */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PREAMBLE_BYTES = 16 * 1024;
const [SPACE, TAB, CR, LF, DASH] = [0x20, 0x09, 0x0d, 0x0a, 0x2d];

export type MultipartPart =
  | { kind: "field"; name: string; value: string }
  /** `chunks` must be read before the next part is asked for; what is left unread is skipped. */
  | { kind: "file"; name: string; filename: string; chunks: AsyncGenerator<Buffer, void, void> };

/** The file went past `fileSize`; the caller answers 413 in its own words. */
export class MultipartFileTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`a file in the form is larger than ${limit} bytes`);
  }
}

function malformed(detail: string): InvalidError {
  return new InvalidError(wording("errors.multipart.malformed"), { detail });
}

/** The boundary of a multipart/form-data content type, or null when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const boundary = parameters(contentType).get("boundary");
  return boundary && boundary.length <= 70 ? boundary : null;
}

/**
 * Reads the parts of a body in order. Fields arrive whole (at most `fieldSize` bytes); a file
 * arrives as the chunks the source gave, less the boundary. Every limit breached, every
 * malformed or incomplete body ends the read with a 400 (a file too large: MultipartFileTooLarge).
 */
export async function* readMultipart(source: AsyncIterable<Buffer>, boundary: string, limits: MultipartLimits): AsyncGenerator<MultipartPart, void, void> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    yield* partsOf(new BodyScanner(iterator, Buffer.from(`\r\n--${boundary}`)), limits);
  } finally {
    // Stopped early (a refusal): let go of the source so the error handler can drain the rest.
    await iterator.return?.();
  }
}

async function* partsOf(body: BodyScanner, limits: MultipartLimits): AsyncGenerator<MultipartPart, void, void> {
  // The first boundary may open the body with no CRLF before it: one is supposed.
  body.prepend(Buffer.from("\r\n"));
  let preamble = 0;
  for await (const piece of body.untilDelimiter()) {
    preamble += piece.length;
    if (preamble > MAX_PREAMBLE_BYTES) throw malformed("no boundary at the start of the body");
  }
  let parts = 0;
  let files = 0;
  let fields = 0;
  for (;;) {
    if (await body.closesHere()) return;
    if (++parts > limits.parts) throw new InvalidError(wording("errors.multipart.tooManyParts", { parts: limits.parts }));
    const headers = parseHeaders(await body.headers());
    const disposition = headers.get("content-disposition");
    if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed("a part without Content-Disposition: form-data");
    const params = parameters(disposition);
    const name = params.get("name") ?? "";
    // As busboy decides: a file has a file name or is sent as bytes (undici leaves out an empty name).
    const isFile = params.has("filename") || /^application\/octet-stream\s*(;|$)/i.test(headers.get("content-type") ?? "");
    if (!isFile) {
      if (++fields > limits.fields) throw new InvalidError(wording("errors.multipart.tooManyParts", { parts: limits.fields }));
      const pieces: Buffer[] = [];
      let size = 0;
      for await (const piece of body.untilDelimiter()) {
        size += piece.length;
        if (size > limits.fieldSize) throw new InvalidError(wording("errors.multipart.fieldTooLong", { field: name, kb: Math.round(limits.fieldSize / 1024) }));
        pieces.push(piece);
      }
      yield { kind: "field", name, value: Buffer.concat(pieces).toString("utf8") };
      continue;
    }
    if (++files > limits.files) throw new InvalidError(wording("errors.onePhotoPerRequest"));
    const chunks = fileChunks(body, limits.fileSize);
    yield { kind: "file", name, filename: params.get("filename") ?? "", chunks };
    // Whatever the reader left of the file is skipped, so the next part can be found.
    for await (const _ of chunks) void _;
  }
}

async function* fileChunks(body: BodyScanner, limit: number): AsyncGenerator<Buffer, void, void> {
  let size = 0;
  for await (const piece of body.untilDelimiter()) {
    size += piece.length;
    if (size > limit) throw new MultipartFileTooLarge(limit);
    yield piece;
  }
}

/** The body as a queue of bytes, searched for the delimiter without copying a file's bytes. */
class BodyScanner {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly delimiter: Buffer,
  ) {}

  prepend(bytes: Buffer): void {
    this.buffered = Buffer.concat([bytes, this.buffered]);
  }

  /** The next chunk of the body, or null at its end. */
  private async nextChunk(): Promise<Buffer | null> {
    let next: IteratorResult<Buffer>;
    try {
      next = await this.source.next();
    } catch (error) {
      // The client went away mid-body: a 400 for the log; nobody is left to read it.
      throw new InvalidError(wording("errors.multipart.incomplete"), { cause: (error as Error).message });
    }
    if (next.done) return null;
    return Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
  }

  /** Appends the next chunk; false at the end of the body. */
  private async more(): Promise<boolean> {
    const chunk = await this.nextChunk();
    if (chunk === null) return false;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    return true;
  }

  /** The bytes up to the next delimiter, which is consumed; the body must go on past it. */
  async *untilDelimiter(): AsyncGenerator<Buffer, void, void> {
    const keep = this.delimiter.length - 1;
    for (;;) {
      const at = this.buffered.indexOf(this.delimiter);
      if (at >= 0) {
        if (at > 0) yield this.buffered.subarray(0, at);
        this.buffered = this.buffered.subarray(at + this.delimiter.length);
        return;
      }
      const safe = this.buffered.length - keep;
      if (safe > 0) {
        const piece = this.buffered.subarray(0, safe);
        this.buffered = this.buffered.subarray(safe);
        yield piece;
      }
      // What is left (fewer bytes than a delimiter) might begin one that the next chunk ends.
      // Only that seam is searched in a copy: a file's chunks are handed on uncopied.
      const chunk = await this.nextChunk();
      if (chunk === null) throw new InvalidError(wording("errors.multipart.incomplete"));
      const tail = this.buffered;
      if (tail.length === 0 || chunk.length < keep) {
        this.buffered = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
        continue;
      }
      const seam = Buffer.concat([tail, chunk.subarray(0, keep)]);
      const across = seam.indexOf(this.delimiter);
      if (across >= 0) {
        if (across > 0) yield seam.subarray(0, across);
        this.buffered = chunk.subarray(across + this.delimiter.length - tail.length);
        return;
      }
      yield tail;
      this.buffered = chunk;
    }
  }

  /**
   * Right after a delimiter: true at the closing one ("--"), with the epilogue after it read
   * and dropped; false before a part's headers.
   */
  async closesHere(): Promise<boolean> {
    for (;;) {
      // Transport padding (spaces, tabs) may come between a delimiter and its CRLF.
      let padding = 0;
      while (padding < this.buffered.length && (this.buffered[padding] === SPACE || this.buffered[padding] === TAB)) padding++;
      if (this.buffered.length >= padding + 2) {
        const [first, second] = [this.buffered[padding], this.buffered[padding + 1]];
        if (padding === 0 && first === DASH && second === DASH) {
          await this.dropEpilogue();
          return true;
        }
        if (first === CR && second === LF) {
          this.buffered = this.buffered.subarray(padding + 2);
          return false;
        }
        throw malformed("a boundary followed by neither CRLF nor --");
      }
      if (padding > 64) throw malformed("a boundary followed by neither CRLF nor --");
      if (!(await this.more())) throw new InvalidError(wording("errors.multipart.incomplete"));
    }
  }

  /** Reads what a client sends after the closing boundary (a CRLF, usually), so the connection can serve the next request. */
  private async dropEpilogue(): Promise<void> {
    let dropped = 0;
    this.buffered = Buffer.alloc(0);
    while (dropped <= MAX_PREAMBLE_BYTES && (await this.more())) {
      dropped += this.buffered.length;
      this.buffered = Buffer.alloc(0);
    }
  }

  /** A part's header block, without the blank line that ends it. */
  async headers(): Promise<string> {
    for (;;) {
      if (this.buffered.subarray(0, 2).toString("latin1") === "\r\n") {
        this.buffered = this.buffered.subarray(2);
        return "";
      }
      const end = this.buffered.indexOf("\r\n\r\n");
      if (end >= 0) {
        const block = this.buffered.subarray(0, end).toString("utf8");
        this.buffered = this.buffered.subarray(end + 4);
        return block;
      }
      if (this.buffered.length > MAX_HEADER_BYTES) throw malformed("a part's headers are too long");
      if (!(await this.more())) throw new InvalidError(wording("errors.multipart.incomplete"));
    }
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * The `; key=value` parameters of a header value, keys lower-cased; quoted strings unescaped.
 * `filename*=UTF-8''…` (RFC 5987), which some clients send beside or instead of `filename`, wins.
 */
function parameters(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of value.matchAll(pattern)) {
    const key = match[1]!.toLowerCase();
    const raw = match[2]!.trim();
    const text = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    if (key.endsWith("*")) {
      const extended = /^([^']*)'[^']*'(.*)$/.exec(text);
      if (!extended) continue;
      try {
        params.set(key.slice(0, -1), decodeURIComponent(extended[2]!));
      } catch {
        // A malformed percent-escape: the plain parameter, if any, stands.
      }
      continue;
    }
    if (!params.has(key) || !value.toLowerCase().includes(`${key}*=`)) params.set(key, text);
  }
  return params;
}
