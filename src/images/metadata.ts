/**
 * Photo metadata (camera, exposure, capture time, place, captions) read from an uploaded original.
 *
 * exifr decodes the EXIF (TIFF) structure everywhere. Around it:
 * - JPEG and TIFF files are handed to exifr by path, so it reads only the file head in chunks.
 * - PNG, WebP and HEIF/AVIF containers are walked here, because exifr misses PNG chunks beyond its
 *   first read, cannot open WebP, and ignores the XMP item of HEIF/AVIF. Their EXIF bytes go to exifr.
 * - XMP is read by a small linear scanner instead of exifr's regex parser, which leaves XML entities
 *   encoded, turns numeric-looking captions into numbers, files XMP exif:* under the EXIF block and
 *   backtracks badly on hostile input.
 * - IPTC strings are re-decoded as UTF-8 where exifr has read them as Latin-1.
 *
 * Hostile files are expected: every read is bounded and any failure yields empty metadata.
 */
import { open, stat, type FileHandle } from "node:fs/promises";
import { resolve } from "node:path";
import { inflateSync } from "node:zlib";
import exifr from "exifr";
import type { ImageFormat, PhotoMetadata } from "./types.ts";

const MAX_TEXT_CHARS = 2000;
const MAX_KEYWORDS = 200;
const MAX_KEYWORD_CHARS = 100;
/** Largest single metadata block (EXIF, XMP, IPTC, HEIF meta box) we are willing to read. */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Most chunks, boxes or IFD entries walked in one container, so crafted files cannot spin us. */
const MAX_CONTAINER_ENTRIES = 10_000;
/** Deeper than the Mariana Trench or higher than the edge of space is a broken GPSAltitude. */
const MIN_ALTITUDE_M = -12_000;
const MAX_ALTITUDE_M = 100_000;
/**
 * exifr leaks its file handle when a file is too short for its format sniffing (it reads up to
 * ~52 bytes before it can fail cleanly). Such a file holds no metadata anyway.
 */
const MIN_EXIFR_FILE_BYTES = 64;

type Tags = Record<string, unknown>;
type Location = NonNullable<PhotoMetadata["location"]>;
type Camera = NonNullable<PhotoMetadata["camera"]>;
type Exposure = NonNullable<PhotoMetadata["exposure"]>;

/** The three EXIF IFDs we use, as exifr returns them (raw values, translated keys). */
interface ExifBlocks {
  ifd0: Tags;
  exif: Tags;
  gps: Tags;
}

type IptcField = "title" | "description" | "keywords" | "creator" | "copyright";
/** Decoded IPTC strings per field; repeatable datasets (Keywords, By-line) keep every value. */
type IptcValues = Partial<Record<IptcField, string[]>>;

/** What a container holds, before any interpretation. */
interface RawMetadata {
  exif: ExifBlocks | null;
  xmp: string | null;
  iptc: IptcValues | null;
}

/** The caption-like fields every block (XMP, IPTC, EXIF) can supply, already cleaned and capped. */
interface TextFacts {
  title: string | null;
  description: string | null;
  keywords: string[];
  creator: string | null;
  copyright: string | null;
}

interface XmpFacts extends TextFacts {
  make: string | null;
  model: string | null;
  lens: string | null;
  location: Location | null;
}

const NO_RAW_METADATA: RawMetadata = { exif: null, xmp: null, iptc: null };

export function emptyMetadata(): PhotoMetadata {
  return {
    camera: null,
    exposure: null,
    takenAt: null,
    takenAtOffset: null,
    location: null,
    title: null,
    description: null,
    keywords: [],
    creator: null,
    copyright: null,
  };
}

export async function extractMetadata(filePath: string, format: ImageFormat): Promise<PhotoMetadata> {
  try {
    return buildMetadata(await readRawMetadata(filePath, format));
  } catch {
    // Metadata is a nicety: a corrupt or hostile block must never fail the upload itself.
    return emptyMetadata();
  }
}

async function readRawMetadata(filePath: string, format: ImageFormat): Promise<RawMetadata> {
  const path = exifrSafePath(filePath);
  switch (format) {
    case "jpeg":
      return readJpeg(path);
    case "tiff":
      return readTiff(path);
    case "png":
      return withFile(path, readPng);
    case "webp":
      return withFile(path, readWebp);
    case "avif":
    case "heif":
      return withFile(path, readIsoBmff);
    case "gif":
      // GIF has no EXIF; XMP in a GIF application extension is too rare to be worth a parser.
      return NO_RAW_METADATA;
  }
}

/**
 * exifr takes a string containing "://" for a URL to fetch and one starting with "data:" or longer
 * than 10,000 characters for base64 data. A resolved path has "//" collapsed and is far shorter.
 */
function exifrSafePath(filePath: string): string {
  const absolute = resolve(filePath);
  if (absolute.includes("://") || absolute.length > 4096) throw new Error("unusable path");
  return absolute;
}

// ---------------------------------------------------------------------------------------------
// exifr

/** Shared by every exifr call: only the IFDs we read, raw values, no maker notes. */
const EXIF_ONLY_OPTIONS = {
  ifd1: false,
  interop: false,
  // Maker notes are large, vendor-specific and often have broken offsets; we need nothing in them.
  makerNote: false,
  userComment: false,
  xmp: false,
  iptc: false,
  icc: false,
  jfif: false,
  ihdr: false,
  mergeOutput: false,
  translateValues: false,
  // Revived dates are shifted into the server's zone; we parse the raw strings ourselves.
  reviveValues: false,
} as const;

const JPEG_OPTIONS = {
  ...EXIF_ONLY_OPTIONS,
  xmp: { parse: false },
  iptc: true,
  // APP segments sit at the start of the file: one 64 KiB read usually covers them all, and a
  // few more reads are allowed for big EXIF thumbnails or ICC profiles before them.
  firstChunkSize: 64 * 1024,
  chunkSize: 64 * 1024,
  chunkLimit: 8,
} as const;

const TIFF_OPTIONS = {
  ...EXIF_ONLY_OPTIONS,
  xmp: { parse: false },
  // exifr aborts the whole file when the IPTC tag is LONG-typed (as exiftool writes it);
  // readTiffIptc() fetches it instead.
  iptc: false,
} as const;

type ExifrOptions = Parameters<typeof exifr.parse>[1];

async function runExifr(input: string | Uint8Array, options: ExifrOptions): Promise<Tags> {
  const output: unknown = await exifr.parse(input, options);
  return isRecord(output) ? output : {};
}

function exifBlocksFrom(output: Tags): ExifBlocks | null {
  const { ifd0, exif, gps } = output;
  if (!isRecord(ifd0) && !isRecord(exif) && !isRecord(gps)) return null;
  return { ifd0: isRecord(ifd0) ? ifd0 : {}, exif: isRecord(exif) ? exif : {}, gps: isRecord(gps) ? gps : {} };
}

/** Decodes a bare TIFF structure (the payload of a PNG eXIf, WebP EXIF or HEIF Exif item). */
async function decodeExifBytes(bytes: Buffer | null): Promise<ExifBlocks | null> {
  if (bytes === null) return null;
  const tiff = stripExifPrefix(bytes);
  if (!hasTiffHeader(tiff)) return null;
  return exifBlocksFrom(await runExifr(tiff, EXIF_ONLY_OPTIONS));
}

const EXIF_PREFIX = Buffer.from("Exif\0\0", "latin1");

/** Some writers keep the JPEG APP1 "Exif\0\0" marker in front of the TIFF header. */
function stripExifPrefix(bytes: Buffer): Buffer {
  return bytes.subarray(0, EXIF_PREFIX.length).equals(EXIF_PREFIX) ? bytes.subarray(EXIF_PREFIX.length) : bytes;
}

function hasTiffHeader(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  const order = bytes.toString("latin1", 0, 2);
  if (order === "II") return bytes.readUInt16LE(2) === 42;
  if (order === "MM") return bytes.readUInt16BE(2) === 42;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Containers

async function readJpeg(path: string): Promise<RawMetadata> {
  if ((await stat(path)).size < MIN_EXIFR_FILE_BYTES) return NO_RAW_METADATA;
  const output = await runExifr(path, JPEG_OPTIONS);
  return {
    exif: exifBlocksFrom(output),
    xmp: typeof output.xmp === "string" ? output.xmp : null,
    iptc: isRecord(output.iptc) ? iptcFromExifr(output.iptc) : null,
  };
}

async function readTiff(path: string): Promise<RawMetadata> {
  return withFile(path, async (file) => {
    if (file.size < MIN_EXIFR_FILE_BYTES) return NO_RAW_METADATA;
    const [output, iptcBytes] = await Promise.all([runExifr(path, TIFF_OPTIONS), readTiffIptc(file)]);
    return {
      exif: exifBlocksFrom(output),
      xmp: typeof output.xmp === "string" ? output.xmp : null,
      iptc: iptcBytes === null ? null : parseIim(iptcBytes),
    };
  });
}

interface SourceFile {
  handle: FileHandle;
  size: number;
}

async function withFile<T>(path: string, read: (file: SourceFile) => Promise<T>): Promise<T> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return await read({ handle, size });
  } finally {
    await handle.close();
  }
}

/** Exactly `length` bytes at `position`, or null when the range leaves the file or is unreasonably big. */
async function readBytes(file: SourceFile, position: number, length: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length)) return null;
  if (position < 0 || length < 0 || length > MAX_BLOCK_BYTES || position + length > file.size) return null;
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.handle.read(buffer, 0, length, position);
  return bytesRead === length ? buffer : null;
}

// PNG: a signature, then chunks of length (BE), type, data, CRC. eXIf holds a TIFF structure and
// an iTXt chunk with keyword "XML:com.adobe.xmp" holds XMP; either may come after the image data.
const PNG_SIGNATURE_BYTES = 8;
const PNG_XMP_KEYWORD = "XML:com.adobe.xmp";

async function readPng(file: SourceFile): Promise<RawMetadata> {
  let exifBytes: Buffer | null = null;
  let xmp: string | null = null;
  let position = PNG_SIGNATURE_BYTES;
  for (let i = 0; i < MAX_CONTAINER_ENTRIES && (exifBytes === null || xmp === null); i++) {
    const header = await readBytes(file, position, 8);
    if (header === null) break;
    const length = header.readUInt32BE(0);
    const type = header.toString("latin1", 4, 8);
    if (type === "IEND") break;
    if (type === "eXIf" && exifBytes === null) exifBytes = await readBytes(file, position + 8, length);
    if (type === "iTXt" && xmp === null) xmp = pngXmpFromItxt(await readBytes(file, position + 8, length));
    position += 12 + length;
  }
  return { exif: await decodeExifBytes(exifBytes), xmp, iptc: null };
}

/** iTXt: keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text. */
function pngXmpFromItxt(data: Buffer | null): string | null {
  if (data === null) return null;
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 0 || data.toString("latin1", 0, keywordEnd) !== PNG_XMP_KEYWORD) return null;
  const compressed = data[keywordEnd + 1] === 1;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return null;
  const text = data.subarray(translatedEnd + 1);
  const xml = compressed ? inflateSync(text, { maxOutputLength: MAX_BLOCK_BYTES }) : text;
  return xml.toString("utf8");
}

// WebP: RIFF container; chunks of FourCC, length (LE), data padded to an even size.
async function readWebp(file: SourceFile): Promise<RawMetadata> {
  const header = await readBytes(file, 0, 12);
  if (header === null || header.toString("latin1", 0, 4) !== "RIFF" || header.toString("latin1", 8, 12) !== "WEBP") {
    return NO_RAW_METADATA;
  }
  const riffEnd = Math.min(file.size, 8 + header.readUInt32LE(4));
  let exifBytes: Buffer | null = null;
  let xmp: string | null = null;
  let position = 12;
  for (let i = 0; i < MAX_CONTAINER_ENTRIES && position + 8 <= riffEnd; i++) {
    const chunk = await readBytes(file, position, 8);
    if (chunk === null) break;
    const type = chunk.toString("latin1", 0, 4);
    const length = chunk.readUInt32LE(4);
    if (type === "EXIF" && exifBytes === null) exifBytes = await readBytes(file, position + 8, length);
    if (type === "XMP " && xmp === null) xmp = (await readBytes(file, position + 8, length))?.toString("utf8") ?? null;
    position += 8 + length + (length % 2);
  }
  return { exif: await decodeExifBytes(exifBytes), xmp, iptc: null };
}

// HEIF/AVIF (ISO BMFF): the top-level "meta" box lists items ("iinf") and where their bytes are
// ("iloc"). EXIF is the item of type "Exif"; XMP is a "mime" item of type application/rdf+xml.
interface Box {
  type: string;
  /** Payload start and end, relative to the buffer or file the box was read from. */
  start: number;
  end: number;
}

interface HeifItem {
  id: number;
  type: string;
  contentType: string | null;
}

interface ItemLocation {
  constructionMethod: number;
  baseOffset: number;
  extents: { offset: number; length: number }[];
}

async function readIsoBmff(file: SourceFile): Promise<RawMetadata> {
  const metaBox = await findTopLevelBox(file, "meta");
  if (metaBox === null) return NO_RAW_METADATA;
  const meta = await readBytes(file, metaBox.start, metaBox.end - metaBox.start);
  if (meta === null) return NO_RAW_METADATA;
  // "meta" is a FullBox: four bytes of version and flags precede its children.
  const children = childBoxes(meta, 4, meta.length);
  const iinf = children.find((box) => box.type === "iinf");
  const iloc = children.find((box) => box.type === "iloc");
  if (iinf === undefined || iloc === undefined) return NO_RAW_METADATA;
  const items = parseIinf(meta, iinf);
  const locations = parseIloc(meta, iloc);
  const idat = children.find((box) => box.type === "idat") ?? null;
  const readItem = async (item: HeifItem | undefined): Promise<Buffer | null> => {
    const location = item === undefined ? undefined : locations.get(item.id);
    return location === undefined ? null : readItemBytes(file, meta, idat, location);
  };
  const exifItem = await readItem(items.find((item) => item.type === "Exif"));
  const xmpItem = await readItem(items.find((item) => item.type === "mime" && item.contentType === "application/rdf+xml"));
  return { exif: await decodeExifBytes(heifExifPayload(exifItem)), xmp: xmpItem?.toString("utf8") ?? null, iptc: null };
}

async function findTopLevelBox(file: SourceFile, type: string): Promise<Box | null> {
  let position = 0;
  for (let i = 0; i < MAX_CONTAINER_ENTRIES && position + 8 <= file.size; i++) {
    const header = await readBytes(file, position, Math.min(16, file.size - position));
    if (header === null) return null;
    const box = parseBoxHeader(header, 0, file.size - position);
    if (box === null) return null;
    if (box.type === type) return { type, start: position + box.start, end: position + box.end };
    position += box.end;
  }
  return null;
}

/** Reads a box header at `offset`; `available` is how many bytes the box may span from there. */
function parseBoxHeader(bytes: Buffer, offset: number, available: number): Box | null {
  if (offset + 8 > bytes.length) return null;
  const size32 = bytes.readUInt32BE(offset);
  const type = bytes.toString("latin1", offset + 4, offset + 8);
  let headerSize = 8;
  let size = size32;
  if (size32 === 1) {
    if (offset + 16 > bytes.length) return null;
    size = Number(bytes.readBigUInt64BE(offset + 8));
    headerSize = 16;
  } else if (size32 === 0) {
    size = available; // the box runs to the end of its parent
  }
  if (size < headerSize || size > available) return null;
  return { type, start: offset + headerSize, end: offset + size };
}

function childBoxes(bytes: Buffer, from: number, to: number): Box[] {
  const boxes: Box[] = [];
  let offset = from;
  while (offset < to && boxes.length < MAX_CONTAINER_ENTRIES) {
    const box = parseBoxHeader(bytes, offset, to - offset);
    if (box === null) break;
    boxes.push(box);
    offset = box.end;
  }
  return boxes;
}

function parseIinf(bytes: Buffer, iinf: Box): HeifItem[] {
  const reader = new ByteReader(bytes, iinf.start);
  const version = reader.u8();
  reader.skip(3);
  const count = version === 0 ? reader.u16() : reader.u32();
  const items: HeifItem[] = [];
  for (const infe of childBoxes(bytes, reader.position, iinf.end).slice(0, count)) {
    if (infe.type === "infe") items.push(...parseInfe(bytes, infe));
  }
  return items;
}

/** Only version 2 and 3 entries carry an item type, which is all we look at. */
function parseInfe(bytes: Buffer, infe: Box): HeifItem[] {
  const reader = new ByteReader(bytes.subarray(0, infe.end), infe.start);
  const version = reader.u8();
  reader.skip(3);
  if (version < 2) return [];
  const id = version === 2 ? reader.u16() : reader.u32();
  reader.skip(2); // item_protection_index
  const type = reader.fourcc();
  reader.cstring(); // item_name
  const contentType = type === "mime" ? reader.cstring() : null;
  return [{ id, type, contentType }];
}

function parseIloc(bytes: Buffer, iloc: Box): Map<number, ItemLocation> {
  const reader = new ByteReader(bytes.subarray(0, iloc.end), iloc.start);
  const version = reader.u8();
  reader.skip(3);
  const sizes = reader.u8();
  const offsetSize = sizes >> 4;
  const lengthSize = sizes & 0x0f;
  const moreSizes = reader.u8();
  const baseOffsetSize = moreSizes >> 4;
  const indexSize = version === 1 || version === 2 ? moreSizes & 0x0f : 0;
  const itemCount = version < 2 ? reader.u16() : reader.u32();
  const locations = new Map<number, ItemLocation>();
  for (let i = 0; i < Math.min(itemCount, MAX_CONTAINER_ENTRIES); i++) {
    const id = version < 2 ? reader.u16() : reader.u32();
    const constructionMethod = version === 1 || version === 2 ? reader.u16() & 0x0f : 0;
    reader.skip(2); // data_reference_index
    const baseOffset = reader.uint(baseOffsetSize);
    const extentCount = reader.u16();
    const extents: ItemLocation["extents"] = [];
    for (let e = 0; e < extentCount; e++) {
      reader.uint(indexSize);
      extents.push({ offset: reader.uint(offsetSize), length: reader.uint(lengthSize) });
    }
    locations.set(id, { constructionMethod, baseOffset, extents });
  }
  return locations;
}

/** Construction method 0 points into the file, 1 into the meta box's "idat"; 2 (references) is not needed. */
async function readItemBytes(file: SourceFile, meta: Buffer, idat: Box | null, location: ItemLocation): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let total = 0;
  for (const extent of location.extents) {
    const start = location.baseOffset + extent.offset;
    let part: Buffer | null = null;
    if (location.constructionMethod === 0) {
      part = await readBytes(file, start, extent.length);
    } else if (location.constructionMethod === 1 && idat !== null && idat.start + start + extent.length <= idat.end) {
      part = meta.subarray(idat.start + start, idat.start + start + extent.length);
    }
    total += extent.length;
    if (part === null || total > MAX_BLOCK_BYTES) return null;
    parts.push(part);
  }
  return parts.length === 0 ? null : Buffer.concat(parts);
}

/** A HEIF Exif item starts with a 32-bit offset from its payload to the TIFF header. */
function heifExifPayload(item: Buffer | null): Buffer | null {
  if (item === null || item.length < 4) return null;
  const start = 4 + item.readUInt32BE(0);
  return start < item.length ? item.subarray(start) : null;
}

/** Sequential big-endian reads; Buffer's own bounds checks throw on truncated input. */
class ByteReader {
  constructor(
    private readonly bytes: Buffer,
    public position: number,
  ) {}

  u8(): number {
    return this.take(1, this.bytes.readUInt8(this.position));
  }

  u16(): number {
    return this.take(2, this.bytes.readUInt16BE(this.position));
  }

  u32(): number {
    return this.take(4, this.bytes.readUInt32BE(this.position));
  }

  /** An unsigned integer of 0, 4 or 8 bytes, as ISO BMFF size fields allow. */
  uint(size: number): number {
    if (size === 0) return 0;
    if (size === 4) return this.u32();
    if (size === 8) {
      const value = Number(this.bytes.readBigUInt64BE(this.position));
      if (!Number.isSafeInteger(value)) throw new RangeError("64-bit value out of range");
      return this.take(8, value);
    }
    throw new RangeError(`unsupported field size ${size}`);
  }

  fourcc(): string {
    if (this.position + 4 > this.bytes.length) throw new RangeError("truncated");
    return this.take(4, this.bytes.toString("latin1", this.position, this.position + 4));
  }

  cstring(): string {
    const end = this.bytes.indexOf(0, this.position);
    if (end < 0) throw new RangeError("unterminated string");
    const value = this.bytes.toString("utf8", this.position, end);
    this.position = end + 1;
    return value;
  }

  skip(count: number): void {
    this.position += count;
  }

  private take<T>(count: number, value: T): T {
    this.position += count;
    return value;
  }
}

// TIFF IPTC: tag 33723 in IFD0. Its bytes are the IIM stream whatever type the writer declared.
const TIFF_IPTC_TAG = 33723;
const TIFF_TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

async function readTiffIptc(file: SourceFile): Promise<Buffer | null> {
  const header = await readBytes(file, 0, 8);
  if (header === null || !hasTiffHeader(header)) return null;
  const littleEndian = header.toString("latin1", 0, 2) === "II";
  const u16 = (bytes: Buffer, at: number): number => (littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (bytes: Buffer, at: number): number => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const ifdOffset = u32(header, 4);
  const countBytes = await readBytes(file, ifdOffset, 2);
  if (countBytes === null) return null;
  const count = Math.min(u16(countBytes, 0), MAX_CONTAINER_ENTRIES);
  const entries = await readBytes(file, ifdOffset + 2, count * 12);
  if (entries === null) return null;
  for (let entry = 0; entry < entries.length; entry += 12) {
    if (u16(entries, entry) !== TIFF_IPTC_TAG) continue;
    const byteCount = (TIFF_TYPE_SIZES[u16(entries, entry + 2)] ?? 1) * u32(entries, entry + 4);
    return byteCount <= 4
      ? entries.subarray(entry + 8, entry + 8 + byteCount)
      : readBytes(file, u32(entries, entry + 8), byteCount);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// IPTC

const IPTC_DATASETS: Record<number, IptcField> = { 5: "title", 25: "keywords", 80: "creator", 116: "copyright", 120: "description" };
const EXIFR_IPTC_KEYS: Record<IptcField, string> = {
  title: "ObjectName",
  keywords: "Keywords",
  creator: "Byline",
  copyright: "CopyrightNotice",
  description: "Caption",
};
/** Record 1, dataset 90 (CodedCharacterSet) = ESC % G announces UTF-8 text. */
const IPTC_UTF8_MARKER = Buffer.from([0x1b, 0x25, 0x47]);

/** exifr drops record 1, so the charset is unknown here; decodeIptcText() recognises UTF-8 bytes. */
function iptcFromExifr(record: Tags): IptcValues {
  const values: IptcValues = {};
  for (const [field, key] of Object.entries(EXIFR_IPTC_KEYS) as [IptcField, string][]) {
    const strings = stringList(record[key]).map((value) => decodeIptcText(value));
    if (strings.length > 0) values[field] = strings;
  }
  return values;
}

/** Parses an IIM stream: datasets of 0x1C, record, number, big-endian size (extended sizes skipped). */
export function parseIim(bytes: Buffer): IptcValues {
  const raw: Partial<Record<IptcField, Buffer[]>> = {};
  let declaresUtf8 = false;
  let offset = 0;
  for (let i = 0; i < MAX_CONTAINER_ENTRIES && offset + 5 <= bytes.length && bytes[offset] === 0x1c; i++) {
    const record = bytes[offset + 1];
    const dataset = bytes[offset + 2] ?? 0;
    const size = bytes.readUInt16BE(offset + 3);
    let start = offset + 5;
    let length = size;
    if (size & 0x8000) {
      // Extended dataset: the low bits give how many bytes hold the real length.
      const lengthBytes = size & 0x7fff;
      if (lengthBytes < 1 || lengthBytes > 4 || start + lengthBytes > bytes.length) break;
      length = bytes.readUIntBE(start, lengthBytes);
      start += lengthBytes;
    }
    const end = start + length;
    if (end > bytes.length) break;
    const value = bytes.subarray(start, end);
    const field = IPTC_DATASETS[dataset];
    if (record === 1 && dataset === 90) declaresUtf8 = value.equals(IPTC_UTF8_MARKER);
    if (record === 2 && field !== undefined) (raw[field] ??= []).push(value);
    offset = end;
  }
  const values: IptcValues = {};
  for (const [field, buffers] of Object.entries(raw) as [IptcField, Buffer[]][]) {
    values[field] = buffers.map((value) => decodeIptcText(value.toString("latin1"), declaresUtf8));
  }
  return values;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Re-decodes IPTC text that was read as Latin-1. exiftool and most current tools write UTF-8, and
 * a Latin-1 string whose bytes form valid multi-byte UTF-8 is almost always such mojibake ("Ã©"
 * for "é"). Genuine Latin-1 rarely forms valid UTF-8, so it is kept unless the record says UTF-8.
 */
export function decodeIptcText(latin1: string, declaredUtf8 = false): string {
  if (!/[\u0080-\u00ff]/.test(latin1) || /[^\u0000-\u00ff]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, "latin1");
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return declaredUtf8 ? bytes.toString("utf8") : latin1;
  }
}

function iptcFacts(values: IptcValues): TextFacts {
  return {
    title: cleanText(values.title?.[0]),
    description: cleanText(values.description?.[0]),
    keywords: cleanKeywords(values.keywords ?? []),
    creator: cleanText(values.creator?.join(", ")),
    copyright: cleanText(values.copyright?.[0]),
  };
}

// ---------------------------------------------------------------------------------------------
// XMP

const XMP_NAMESPACES = {
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  dc: "http://purl.org/dc/elements/1.1/",
  tiff: "http://ns.adobe.com/tiff/1.0/",
  exif: "http://ns.adobe.com/exif/1.0/",
  exifEX: "http://cipa.jp/exif/1.0/",
} as const;

type XmpPrefixes = Record<keyof typeof XMP_NAMESPACES, string>;

/**
 * Reads the few XMP properties we use with indexOf and non-backtracking regexes, so the work stays
 * linear in the packet size whatever it contains. Not a full RDF parser: each property's first
 * occurrence wins, as element or as attribute.
 */
export function readXmp(xml: string): XmpFacts {
  const ns = xmpPrefixes(xml);
  return {
    title: cleanText(xmpLangAlt(xml, `${ns.dc}:title`, ns.rdf)),
    description: cleanText(xmpLangAlt(xml, `${ns.dc}:description`, ns.rdf)),
    keywords: cleanKeywords(xmpList(xml, `${ns.dc}:subject`, ns.rdf)),
    creator: cleanText(xmpList(xml, `${ns.dc}:creator`, ns.rdf).join(", ")),
    copyright: cleanText(xmpLangAlt(xml, `${ns.dc}:rights`, ns.rdf)),
    make: cleanText(xmpSimple(xml, `${ns.tiff}:Make`)),
    model: cleanText(xmpSimple(xml, `${ns.tiff}:Model`)),
    lens: cleanText(xmpSimple(xml, `${ns.exifEX}:LensModel`)),
    location: xmpLocation(xml, ns.exif),
  };
}

/** The prefix each namespace is bound to, falling back to the conventional one. */
function xmpPrefixes(xml: string): XmpPrefixes {
  const prefixes = {} as XmpPrefixes;
  for (const [name, uri] of Object.entries(XMP_NAMESPACES) as [keyof XmpPrefixes, string][]) {
    const binding = new RegExp(`xmlns:([A-Za-z_][\\w.-]{0,63})\\s*=\\s*["']${escapeRegExp(uri)}["']`).exec(xml);
    prefixes[name] = binding?.[1] ?? name;
  }
  return prefixes;
}

/** The raw content of `<qname>…</qname>`, or the raw value of a `qname="…"` attribute. */
function xmpRawValue(xml: string, qname: string): string | null {
  return xmpElementContent(xml, qname) ?? xmpAttributeValue(xml, qname);
}

function xmpElementContent(xml: string, qname: string): string | null {
  const open = `<${qname}`;
  for (let from = 0; ; ) {
    const start = xml.indexOf(open, from);
    if (start < 0) return null;
    from = start + open.length;
    const next = xml.charAt(from);
    if (next !== ">" && next !== "/" && !/\s/.test(next)) continue; // a longer name, e.g. <dc:titleX
    const tagEnd = xml.indexOf(">", from);
    if (tagEnd < 0) return null;
    if (xml.charAt(tagEnd - 1) === "/") return "";
    const close = xml.indexOf(`</${qname}>`, tagEnd);
    return close < 0 ? null : xml.slice(tagEnd + 1, close);
  }
}

function xmpAttributeValue(xml: string, qname: string): string | null {
  const match = new RegExp(`\\s${escapeRegExp(qname)}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(xml);
  return match === null ? null : (match[1] ?? match[2] ?? "");
}

/** A simple (non-array) property; structured values are ignored. */
function xmpSimple(xml: string, qname: string): string | null {
  const raw = xmpRawValue(xml, qname);
  return raw === null || raw.includes("<") ? null : decodeXmlEntities(raw);
}

interface RdfItem {
  lang: string | null;
  text: string;
}

/** The plain-text `rdf:li` items of an array, up to `limit`. */
function rdfItems(content: string, rdf: string, limit: number): RdfItem[] {
  const li = escapeRegExp(`${rdf}:li`);
  // [^<>]* and [^<]* cannot run past the next tag, so a failed match costs only that distance.
  const pattern = new RegExp(`<${li}(\\s[^<>]*)?>([^<]*)</${li}>`, "g");
  const items: RdfItem[] = [];
  for (let match = pattern.exec(content); match !== null && items.length < limit; match = pattern.exec(content)) {
    const lang = /xml:lang\s*=\s*["']([^"']*)["']/.exec(match[1] ?? "")?.[1] ?? null;
    items.push({ lang, text: decodeXmlEntities(match[2] ?? "") });
  }
  return items;
}

/** A language alternative (dc:title, dc:description, dc:rights): x-default, else the first. */
function xmpLangAlt(xml: string, qname: string, rdf: string): string | null {
  const raw = xmpRawValue(xml, qname);
  if (raw === null) return null;
  if (!raw.includes("<")) return decodeXmlEntities(raw);
  // digiKam has been seen writing the language tag as the value ("x-default"); that is no caption.
  const items = rdfItems(raw, rdf, MAX_KEYWORDS).filter((item) => item.text.trim() !== "x-default");
  return (items.find((item) => item.lang === "x-default") ?? items[0])?.text ?? null;
}

function xmpList(xml: string, qname: string, rdf: string): string[] {
  const raw = xmpRawValue(xml, qname);
  if (raw === null) return [];
  if (!raw.includes("<")) return [decodeXmlEntities(raw)];
  return rdfItems(raw, rdf, MAX_KEYWORDS).map((item) => item.text);
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references; anything else stays as written. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-z]{2,4}));/g, (entity, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return XML_ENTITIES[name] ?? entity;
    const codePoint = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
    return valid ? String.fromCodePoint(codePoint) : entity;
  });
}

/** XMP-only GPS (exif:GPSLatitude "54,34.80072N"), which exifr does not turn into coordinates. */
function xmpLocation(xml: string, exif: string): Location | null {
  const latitude = parseXmpCoordinate(xmpSimple(xml, `${exif}:GPSLatitude`));
  const longitude = parseXmpCoordinate(xmpSimple(xml, `${exif}:GPSLongitude`));
  if (latitude === null || longitude === null) return null;
  const altitude = parseXmpRational(xmpSimple(xml, `${exif}:GPSAltitude`));
  const belowSeaLevel = xmpSimple(xml, `${exif}:GPSAltitudeRef`)?.trim() === "1";
  return makeLocation(latitude, longitude, altitude === null ? null : belowSeaLevel ? -Math.abs(altitude) : altitude);
}

/** XMP GPSCoordinate: "DDD,MM,SSk" or "DDD,MM.mmk", k one of N, S, E, W. */
export function parseXmpCoordinate(value: string | null): number | null {
  const match = /^\s*(\d{1,3}(?:\.\d{1,12})?),(\d{1,2}(?:\.\d{1,12})?)(?:,(\d{1,2}(?:\.\d{1,12})?))?\s*([NSEW])\s*$/i.exec(value ?? "");
  if (match === null) return null;
  const degrees = dmsToDegrees([Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]);
  if (degrees === null) return null;
  return /[SW]/i.test(match[4] ?? "") ? -degrees : degrees;
}

/** XMP rationals are written "7600/100" (or as a plain number). */
function parseXmpRational(value: string | null): number | null {
  const match = /^\s*(-?\d{1,12}(?:\.\d{1,12})?)(?:\/(\d{1,12}))?\s*$/.exec(value ?? "");
  if (match === null) return null;
  const result = Number(match[1]) / Number(match[2] ?? 1);
  return Number.isFinite(result) ? result : null;
}

// ---------------------------------------------------------------------------------------------
// Building the result

function buildMetadata(raw: RawMetadata): PhotoMetadata {
  const exif = raw.exif ?? { ifd0: {}, exif: {}, gps: {} };
  const xmp = raw.xmp === null ? null : readXmp(raw.xmp);
  // Order of preference for captions: XMP, then IPTC, then EXIF (manifest conventions).
  const sources = [xmp, raw.iptc === null ? null : iptcFacts(raw.iptc), exifTextFacts(exif.ifd0)].filter(
    (source): source is TextFacts => source !== null,
  );
  const first = <T>(pick: (source: TextFacts) => T | null): T | null => {
    for (const source of sources) {
      const value = pick(source);
      if (value !== null) return value;
    }
    return null;
  };
  return {
    camera: buildCamera(exif, xmp),
    exposure: buildExposure(exif.exif),
    ...buildTakenAt(exif.exif),
    location: exifLocation(exif.gps) ?? xmp?.location ?? null,
    title: first((source) => source.title),
    description: first((source) => source.description),
    keywords: first((source) => (source.keywords.length > 0 ? source.keywords : null)) ?? [],
    creator: first((source) => source.creator),
    copyright: first((source) => source.copyright),
  };
}

function exifTextFacts(ifd0: Tags): TextFacts {
  return {
    title: null,
    description: cleanText(ifd0.ImageDescription),
    keywords: [],
    creator: cleanText(ifd0.Artist),
    copyright: cleanText(ifd0.Copyright),
  };
}

/** EXIF first; XMP tiff:Make/tiff:Model (and exifEX:LensModel) only for files without them. */
function buildCamera(exif: ExifBlocks, xmp: XmpFacts | null): Camera | null {
  const camera = {
    make: cleanText(exif.ifd0.Make) ?? xmp?.make ?? null,
    model: cleanText(exif.ifd0.Model) ?? xmp?.model ?? null,
    lens: cleanText(exif.exif.LensModel) ?? xmp?.lens ?? null,
  };
  return camera.make === null && camera.model === null && camera.lens === null ? null : camera;
}

function buildExposure(exif: Tags): Exposure | null {
  const timeSeconds = positiveNumber(exif.ExposureTime);
  const exposure: Exposure = {
    time: timeSeconds === null ? null : formatExposureTime(timeSeconds),
    timeSeconds,
    fNumber: positiveNumber(exif.FNumber),
    // ISOSpeedRatings may hold several values; the first is the one cameras mean.
    iso: positiveInteger(Array.isArray(exif.ISO) ? exif.ISO[0] : exif.ISO),
    focalLength: positiveNumber(exif.FocalLength),
    focalLength35mm: positiveInteger(exif.FocalLengthIn35mmFormat),
  };
  return Object.values(exposure).every((value) => value === null) ? null : exposure;
}

/**
 * Exposure time as photographers write it: whole or one-decimal seconds from 1 s up ("30", "2.5"),
 * "1/N" below when the time is (within rounding) a unit fraction, otherwise a short decimal.
 */
export function formatExposureTime(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  if (seconds >= 1) return String(Number(seconds.toFixed(1)));
  const denominator = Math.round(1 / seconds);
  if (Math.abs(1 / seconds - denominator) <= denominator * 0.005) return denominator === 1 ? "1" : `1/${denominator}`;
  return String(Number(seconds.toPrecision(2)));
}

function buildTakenAt(exif: Tags): Pick<PhotoMetadata, "takenAt" | "takenAtOffset"> {
  const local = parseExifDateTime(exif.DateTimeOriginal);
  if (local === null) return { takenAt: null, takenAtOffset: null };
  const offset = parseOffset(exif.OffsetTimeOriginal);
  return { takenAt: `${local}${parseSubSeconds(exif.SubSecTimeOriginal)}${offset ?? ""}`, takenAtOffset: offset };
}

/** "YYYY:MM:DD HH:MM:SS" as ISO 8601 local time, or null when it is not a real calendar instant. */
export function parseExifDateTime(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const match = /^\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  const realDate = year >= 1 && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  if (!realDate || hour > 23 || minute > 59 || second > 59) return null;
  const [, y, mo, d, h, mi, s] = match;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

/** SubSecTimeOriginal digits as an ISO fraction (".347"), or "" when absent or malformed. */
function parseSubSeconds(value: unknown): string {
  const digits = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
  return /^\d{1,9}$/.test(digits) ? `.${digits}` : "";
}

/** An EXIF OffsetTime ("+01:00", also "+0100" or "+01") normalised to ±HH:MM; null unless a real UTC offset. */
export function parseOffset(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const match = /^\s*([+-])(\d{2}):?(\d{2})?\s*$/.exec(value);
  if (match === null) return null;
  const [, sign, hours = "", minutes = "00"] = match;
  const totalMinutes = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) > 59 || totalMinutes > 14 * 60) return null;
  return `${sign}${hours}:${minutes}`;
}

function exifLocation(gps: Tags): Location | null {
  const latitude = exifCoordinate(gps.GPSLatitude, gps.GPSLatitudeRef, "S");
  const longitude = exifCoordinate(gps.GPSLongitude, gps.GPSLongitudeRef, "W");
  if (latitude === null || longitude === null) return null;
  const altitude = finiteNumber(gps.GPSAltitude);
  const belowSeaLevel = firstByte(gps.GPSAltitudeRef) === 1;
  return makeLocation(latitude, longitude, altitude === null ? null : belowSeaLevel ? -Math.abs(altitude) : altitude);
}

function exifCoordinate(value: unknown, ref: unknown, negativeRef: "S" | "W"): number | null {
  const parts = typeof value === "number" ? [value] : Array.isArray(value) ? value : null;
  if (parts === null || parts.length === 0 || parts.length > 3) return null;
  const degrees = dmsToDegrees(parts.map((part) => (typeof part === "number" ? part : NaN)));
  if (degrees === null) return null;
  const negative = typeof ref === "string" && ref.trim().toUpperCase().startsWith(negativeRef);
  return negative ? -Math.abs(degrees) : degrees;
}

function dmsToDegrees([degrees = 0, minutes = 0, seconds = 0]: number[]): number | null {
  const valid = [degrees, minutes, seconds].every((part) => Number.isFinite(part) && part >= 0);
  if (!valid || minutes >= 60 || seconds >= 60) return null;
  return degrees + minutes / 60 + seconds / 3600;
}

/** Rounds to the manifest's precision; null when the position is impossible (never clamped). */
function makeLocation(latitude: number, longitude: number, altitude: number | null): Location | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  const plausibleAltitude = altitude !== null && altitude >= MIN_ALTITUDE_M && altitude <= MAX_ALTITUDE_M;
  return {
    latitude: roundTo(latitude, 6),
    longitude: roundTo(longitude, 6),
    altitude: plausibleAltitude ? roundTo(altitude, 1) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Small value helpers

function isRecord(value: unknown): value is Tags {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === "string");
}

function finiteNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Rationals like 1/0 and 0/0 arrive as Infinity and NaN; zero means "unknown" in EXIF. */
function positiveNumber(value: unknown): number | null {
  const number = finiteNumber(value);
  return number !== null && number > 0 ? number : null;
}

function positiveInteger(value: unknown): number | null {
  const number = positiveNumber(value);
  return number !== null && Number.isInteger(number) ? number : null;
}

/** BYTE-typed tags come back as a number, an array or a Uint8Array depending on the writer. */
function firstByte(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (value instanceof Uint8Array || Array.isArray(value)) return finiteNumber(value[0]);
  if (typeof value === "string") return finiteNumber(Number(value.trim()));
  return null;
}

function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * Trims, strips control characters (NULs pad many EXIF strings) and caps the length. Non-strings
 * and blank strings become null.
 */
function cleanText(value: unknown, maxChars = MAX_TEXT_CHARS): string | null {
  if (typeof value !== "string") return null;
  const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
  return text === "" ? null : truncate(text, maxChars);
}

function cleanKeywords(values: readonly string[]): string[] {
  const keywords: string[] = [];
  for (const value of values) {
    const keyword = cleanText(value, MAX_KEYWORD_CHARS);
    if (keyword !== null) keywords.push(keyword);
    if (keywords.length === MAX_KEYWORDS) break;
  }
  return keywords;
}

/** Cuts at `maxChars` UTF-16 units without leaving half of a surrogate pair behind. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return (last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut).trimEnd();
}
