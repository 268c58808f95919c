import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import {
  decodeIptcText,
  decodeXmlEntities,
  extractMetadata,
  formatExposureTime,
  parseExifDateTime,
  parseIim,
  parseOffset,
  parseXmpCoordinate,
  readXmp,
} from "./metadata.ts";
import type { ImageFormat, PhotoMetadata } from "./types.ts";
import { CORPUS_DIR, loadManifest, MANIFEST_FORMATS } from "../../test/helpers/corpus.ts";


interface ManifestCamera {
  make: string | null;
  model: string | null;
  lens: string | null;
}

interface ManifestExposure {
  exposure_time: string | null;
  exposure_time_s: number | null;
  f_number: number | null;
  iso: number | null;
  focal_length_mm: number | null;
  focal_length_35mm: number | null;
}

interface ManifestGps {
  lat: number;
  lon: number;
  alt_m: number | null;
}

interface ManifestExpected {
  outcome: "accept" | "reject" | "accept_or_reject";
  format?: string;
  taken_at?: string | null;
  taken_at_offset?: string | null;
  camera?: ManifestCamera | null;
  exposure?: ManifestExposure | null;
  gps?: ManifestGps | null;
  title?: string | null;
  description?: string | null;
  description_candidates?: Record<string, string>;
  keywords?: string[];
  creator?: string | null;
  copyright?: string | null;
  read_back_not_required?: Record<string, unknown>;
}

interface ManifestFile {
  path: string;
  expected: ManifestExpected;
}


/** The format the upload pipeline would detect from the bytes; the manifest names it for most files. */
async function formatOf(file: ManifestFile): Promise<ImageFormat> {
  const named = file.expected.format === undefined ? undefined : MANIFEST_FORMATS[file.expected.format];
  if (named !== undefined) return named;
  const { format, compression } = await sharp(join(CORPUS_DIR, file.path)).metadata();
  if (format === "heif") return compression === "av1" ? "avif" : "heif";
  const detected = MANIFEST_FORMATS[format];
  assert.ok(detected, `no ImageFormat for ${format}`);
  return detected;
}

async function sharpCanDecode(path: string): Promise<boolean> {
  try {
    await sharp(path).metadata();
    return true;
  } catch {
    return false;
  }
}

function isClose(actual: number | null, expected: number | null, relative = 1e-8): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= Math.abs(expected) * relative;
}

function assertExposure(actual: PhotoMetadata["exposure"], expected: ManifestExposure | null): void {
  if (expected === null) return assert.equal(actual, null);
  assert.ok(actual, "exposure is missing");
  assert.equal(actual.time, expected.exposure_time);
  assert.ok(isClose(actual.timeSeconds, expected.exposure_time_s), `timeSeconds ${actual.timeSeconds} != ${expected.exposure_time_s}`);
  assert.ok(isClose(actual.fNumber, expected.f_number), `fNumber ${actual.fNumber} != ${expected.f_number}`);
  assert.equal(actual.iso, expected.iso);
  assert.ok(isClose(actual.focalLength, expected.focal_length_mm), `focalLength ${actual.focalLength} != ${expected.focal_length_mm}`);
  assert.equal(actual.focalLength35mm, expected.focal_length_35mm);
}

function assertLocation(actual: PhotoMetadata["location"], expected: ManifestGps | null): void {
  if (expected === null) return assert.equal(actual, null);
  assert.deepEqual(actual, { latitude: expected.lat, longitude: expected.lon, altitude: expected.alt_m });
}

/** Every metadata fact the manifest states, except those it marks as not required. */
function assertManifestFacts(actual: PhotoMetadata, expected: ManifestExpected): void {
  const notRequired = new Set(Object.keys(expected.read_back_not_required ?? {}));
  const required = (key: keyof ManifestExpected): boolean => key in expected && !notRequired.has(key);

  if (required("taken_at")) assert.equal(actual.takenAt, expected.taken_at, "takenAt");
  if (required("taken_at_offset")) assert.equal(actual.takenAtOffset, expected.taken_at_offset, "takenAtOffset");
  if (expected.taken_at === null) assert.equal(actual.takenAtOffset, null, "no offset without a time");
  if (required("camera")) assert.deepEqual(actual.camera, expected.camera ?? null, "camera");
  if (required("exposure")) assertExposure(actual.exposure, expected.exposure ?? null);
  if (required("gps")) assertLocation(actual.location, expected.gps ?? null);
  if (required("title")) assert.equal(actual.title, expected.title, "title");
  const descriptions = [
    ...(required("description") ? [expected.description ?? null] : []),
    ...Object.values(expected.description_candidates ?? {}),
  ];
  if (descriptions.length > 0) {
    assert.ok(descriptions.includes(actual.description), `description ${JSON.stringify(actual.description)} not in ${JSON.stringify(descriptions)}`);
  }
  if (required("keywords")) assert.deepEqual(actual.keywords, expected.keywords, "keywords");
  if (required("creator")) assert.equal(actual.creator, expected.creator, "creator");
  if (required("copyright")) assert.equal(actual.copyright, expected.copyright, "copyright");
}

/** What must hold for any input: JSON-safe numbers, capped strings and keyword lists. */
function assertBounded(metadata: PhotoMetadata): void {
  const visit = (value: unknown, path: string): void => {
    if (typeof value === "number") assert.ok(Number.isFinite(value), `${path} is ${value}`);
    if (typeof value === "string") assert.ok(value.length <= 2000, `${path} has ${value.length} chars`);
    if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`);
    }
  };
  visit(metadata, "metadata");
  assert.ok(Array.isArray(metadata.keywords));
  assert.ok(metadata.keywords.length <= 200, `${metadata.keywords.length} keywords`);
  for (const keyword of metadata.keywords) assert.ok(keyword.length <= 100, `keyword of ${keyword.length} chars`);
  for (const value of Object.values(metadata.exposure ?? {})) {
    if (typeof value === "number") assert.ok(value > 0, "exposure values are positive");
  }
}

// ---------------------------------------------------------------------------------------------
// The corpus

const manifestFiles = loadManifest<ManifestFile>().files;

for (const file of manifestFiles) {
  const { outcome } = file.expected;
  if (outcome !== "accept" && outcome !== "accept_or_reject") continue;
  if (file.path === "formats/drawing.svg") continue;

  test(`corpus: ${file.path}`, async (t) => {
    const path = join(CORPUS_DIR, file.path);
    if (file.path === "formats/photo.heic" && !(await sharpCanDecode(path))) {
      t.skip("sharp cannot decode HEIC on this machine");
      return;
    }
    const metadata = await extractMetadata(path, await formatOf(file));
    assertBounded(metadata);
    assertManifestFacts(metadata, file.expected);
  });
}

test("corpus: bad/exif-garbage.jpg is accepted with impossible values dropped", async () => {
  const metadata = await extractMetadata(join(CORPUS_DIR, "bad/exif-garbage.jpg"), "jpeg");
  assertBounded(metadata);
  assert.equal(metadata.location, null, "GPS 123 N / 500 W is out of range");
  assert.equal(metadata.takenAt, null, "9999:99:99 is not a date");
  assert.equal(metadata.takenAtOffset, null);
  assert.equal(metadata.exposure?.time ?? null, null, "ExposureTime 1/0");
  assert.equal(metadata.exposure?.timeSeconds ?? null, null);
  assert.equal(metadata.exposure?.fNumber ?? null, null, "FNumber 0/0");
  assert.ok(JSON.stringify(metadata).length < 20_000, "capped strings keep the record small");
});

test("corpus: every file, as any format, resolves without throwing", async () => {
  const formats: ImageFormat[] = ["jpeg", "png", "gif", "webp", "avif", "heif", "tiff"];
  for (const file of manifestFiles) {
    const path = join(CORPUS_DIR, file.path);
    if (!existsSync(path)) continue;
    for (const format of formats) assertBounded(await extractMetadata(path, format));
  }
  const empty = await extractMetadata(join(CORPUS_DIR, "bad/empty.jpg"), "jpeg");
  assert.equal(empty.keywords.length, 0);
  assert.deepEqual(await extractMetadata(join(CORPUS_DIR, "does-not-exist.jpg"), "jpeg"), empty);
});

// ---------------------------------------------------------------------------------------------
// Pure helpers

test("formatExposureTime prints times as photographers write them", () => {
  assert.equal(formatExposureTime(1 / 125), "1/125");
  assert.equal(formatExposureTime(0.008), "1/125");
  assert.equal(formatExposureTime(0.03333333333), "1/30");
  assert.equal(formatExposureTime(1 / 8000), "1/8000");
  assert.equal(formatExposureTime(0.5), "1/2");
  assert.equal(formatExposureTime(1 / 3), "1/3");
  assert.equal(formatExposureTime(0.3), "0.3");
  assert.equal(formatExposureTime(0.6), "0.6");
  assert.equal(formatExposureTime(1), "1");
  assert.equal(formatExposureTime(2.5), "2.5");
  assert.equal(formatExposureTime(30), "30");
  assert.equal(formatExposureTime(Infinity), null);
  assert.equal(formatExposureTime(NaN), null);
  assert.equal(formatExposureTime(0), null);
  assert.equal(formatExposureTime(-1), null);
});

test("parseOffset accepts real UTC offsets only", () => {
  assert.equal(parseOffset("+01:00"), "+01:00");
  assert.equal(parseOffset("-02:30"), "-02:30");
  assert.equal(parseOffset("+00:00"), "+00:00");
  assert.equal(parseOffset("+14:00"), "+14:00");
  assert.equal(parseOffset("+0530"), "+05:30");
  assert.equal(parseOffset("-03"), "-03:00");
  assert.equal(parseOffset(" +09:00 "), "+09:00");
  assert.equal(parseOffset("+99:99"), null);
  assert.equal(parseOffset("+14:30"), null);
  assert.equal(parseOffset("+01:60"), null);
  assert.equal(parseOffset("   :  "), null);
  assert.equal(parseOffset(""), null);
  assert.equal(parseOffset(undefined), null);
  assert.equal(parseOffset(100), null);
});

test("parseExifDateTime rejects impossible dates", () => {
  assert.equal(parseExifDateTime("2019:09:14 19:12:08"), "2019-09-14T19:12:08");
  assert.equal(parseExifDateTime("2020:02:29 00:00:00"), "2020-02-29T00:00:00");
  assert.equal(parseExifDateTime("2021:02:29 00:00:00"), null);
  assert.equal(parseExifDateTime("9999:99:99 99:99:99"), null);
  assert.equal(parseExifDateTime("0000:00:00 00:00:00"), null);
  assert.equal(parseExifDateTime("2019:09:14 24:00:00"), null);
  assert.equal(parseExifDateTime("    :  :     :  :  "), null);
  assert.equal(parseExifDateTime(undefined), null);
});

test("decodeXmlEntities decodes XML entities and character references", () => {
  assert.equal(decodeXmlEntities("Feuille d&#39;érable"), "Feuille d'érable");
  assert.equal(decodeXmlEntities("Tom &amp; Jerry"), "Tom & Jerry");
  assert.equal(decodeXmlEntities("&quot;Storm&quot; &lt;b&gt; &apos;x&apos;"), "\"Storm\" <b> 'x'");
  assert.equal(decodeXmlEntities("cat &#x1F408; &#128008;"), "cat 🐈 🐈");
  assert.equal(decodeXmlEntities("&amp;lt;"), "&lt;", "decoded once, not twice");
  assert.equal(decodeXmlEntities("&nbsp; &#0; &#xD800; &#1114112; & ;"), "&nbsp; &#0; &#xD800; &#1114112; & ;");
});

test("decodeIptcText re-decodes UTF-8 that was read as Latin-1", () => {
  const asLatin1 = (text: string): string => Buffer.from(text, "utf8").toString("latin1");
  assert.equal(asLatin1("©"), "Â©");
  assert.equal(decodeIptcText(asLatin1("© Ian Hex")), "© Ian Hex");
  assert.equal(decodeIptcText(asLatin1("Гроза над дорогой")), "Гроза над дорогой");
  assert.equal(decodeIptcText(asLatin1("🌊 sunrise ☀️")), "🌊 sunrise ☀️");
  assert.equal(decodeIptcText("plain ASCII"), "plain ASCII");
  // Real Latin-1 ("café" as 63 61 66 E9) is not valid UTF-8 and stays as it is...
  assert.equal(decodeIptcText("caf\u00e9"), "café");
  // ...unless the record declared UTF-8, in which case the broken byte is shown as such.
  assert.equal(decodeIptcText("caf\u00e9", true), "caf\ufffd");
  assert.equal(decodeIptcText("already decoded ✓"), "already decoded ✓");
});

/** One IIM dataset: 0x1C, record, dataset number, 16-bit big-endian length, value. */
function iimDataset(record: number, dataset: number, value: Buffer): Buffer {
  const header = Buffer.from([0x1c, record, dataset, 0, 0]);
  header.writeUInt16BE(value.length, 3);
  return Buffer.concat([header, value]);
}

test("parseIim honours the UTF-8 declaration and stops at truncated data", () => {
  const utf8 = Buffer.concat([
    iimDataset(1, 90, Buffer.from([0x1b, 0x25, 0x47])),
    iimDataset(2, 5, Buffer.from("Гроза", "utf8")),
    iimDataset(2, 25, Buffer.from("небо", "utf8")),
    iimDataset(2, 25, Buffer.from("дорога", "utf8")),
    iimDataset(2, 80, Buffer.from("Sergey Nazarov", "utf8")),
    Buffer.from([0x1c, 2, 120, 0xff, 0xff, 0x41]), // caption claiming 65535 bytes
  ]);
  assert.deepEqual(parseIim(utf8), { title: ["Гроза"], keywords: ["небо", "дорога"], creator: ["Sergey Nazarov"] });

  const latin1 = iimDataset(2, 120, Buffer.from("Caf\u00e9 au lait", "latin1"));
  assert.deepEqual(parseIim(latin1), { description: ["Café au lait"] });
  assert.deepEqual(parseIim(Buffer.from("not iptc")), {});
});

test("parseXmpCoordinate reads XMP GPSCoordinate values", () => {
  assert.equal(parseXmpCoordinate("54,34.80072N"), 54 + 34.80072 / 60);
  assert.equal(parseXmpCoordinate("56,9.35970516N")?.toFixed(6), "56.155995");
  assert.equal(parseXmpCoordinate("3,8,19.1076W"), -(3 + 8 / 60 + 19.1076 / 3600));
  assert.equal(parseXmpCoordinate("33,56.0767S")! < 0, true);
  assert.equal(parseXmpCoordinate("54,34.8"), null);
  assert.equal(parseXmpCoordinate("54,75.0N"), null);
  assert.equal(parseXmpCoordinate("NaN,1N"), null);
  assert.equal(parseXmpCoordinate(null), null);
});

const XMP_SAMPLE = `<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
 <rdf:Description rdf:about='' xmlns:d='http://purl.org/dc/elements/1.1/'
   xmlns:tiff='http://ns.adobe.com/tiff/1.0/' tiff:Make='Tom &amp; Co' xmlns:exif='http://ns.adobe.com/exif/1.0/'>
  <d:title><rdf:Alt><rdf:li xml:lang='fr'>Titre</rdf:li><rdf:li xml:lang='x-default'>Title &#39;quoted&#39;</rdf:li></rdf:Alt></d:title>
  <d:description><rdf:Alt><rdf:li xml:lang='x-default'>x-default</rdf:li></rdf:Alt></d:description>
  <d:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two &amp; three</rdf:li><rdf:li> </rdf:li></rdf:Bag></d:subject>
  <d:creator><rdf:Seq><rdf:li>Ann</rdf:li><rdf:li>Bob</rdf:li></rdf:Seq></d:creator>
  <exif:GPSLatitude>54,34.80072N</exif:GPSLatitude><exif:GPSLongitude>3,8.31846W</exif:GPSLongitude>
  <exif:GPSAltitude>67/10</exif:GPSAltitude><exif:GPSAltitudeRef>1</exif:GPSAltitudeRef>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>`;

test("readXmp resolves prefixes, language alternatives, lists, attributes and GPS", () => {
  const xmp = readXmp(XMP_SAMPLE);
  assert.equal(xmp.title, "Title 'quoted'");
  assert.equal(xmp.description, null, "digiKam's literal x-default is no caption");
  assert.deepEqual(xmp.keywords, ["one", "two & three"]);
  assert.equal(xmp.creator, "Ann, Bob");
  assert.equal(xmp.make, "Tom & Co");
  assert.deepEqual(xmp.location, { latitude: 54.580012, longitude: -3.138641, altitude: -6.7 });
});

// A backtracking scanner would hang here; the timeout turns a hang into a failure.
test("readXmp caps hostile packets and stays linear", { timeout: 30_000 }, () => {
  const keywords = Array.from({ length: 3000 }, (_, i) => `<rdf:li>${"k".repeat(150)}${i}</rdf:li>`).join("");
  const big = `<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>${"T".repeat(100_000)}</rdf:li></rdf:Alt></dc:title><dc:subject><rdf:Bag>${keywords}</rdf:Bag></dc:subject>`;
  const xmp = readXmp(big);
  assert.equal(xmp.title?.length, 2000);
  assert.equal(xmp.keywords.length, 200);
  assert.ok(xmp.keywords.every((keyword) => keyword.length === 100));

  for (const hostile of ["<dc:title", "<dc:title>", "<rdf:li ", ` dc:title="`].map((unit) => unit.repeat(100_000))) {
    readXmp(`<dc:subject><rdf:Bag>${hostile}`);
    readXmp(hostile);
  }
});
