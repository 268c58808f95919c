import crypto from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import assert from "node:assert/strict";
import { Busboy } from "@fastify/busboy";
import { InvalidError } from "../errors.ts";
import { FORM_LIMITS, MultipartFileTooLarge, multipartBoundary, readMultipart, type MultipartLimits } from "./multipart-reader.ts";

const BOUNDARY = "----pinhole-test-7MA4YWxkTrZu0gW";
const LIMITS: MultipartLimits = { ...FORM_LIMITS, fileSize: 10 * 1024 * 1024 };

interface Read {
  fields: Array<[string, string]>;
  files: Array<{ name: string; filename: string; bytes: Buffer }>;
}

function form(parts: Array<{ name: string; value?: string; filename?: string; bytes?: Buffer; disposition?: string }>, boundary = BOUNDARY): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.disposition ?? `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ""}`;
    const type = part.filename !== undefined ? "Content-Type: application/octet-stream\r\n" : "";
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), part.bytes ?? Buffer.from(part.value ?? ""), Buffer.from("\r\n"));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** The body as a stream of chunks cut at the given sizes, as a socket might deliver it. */
function chunked(body: Buffer, sizes: () => number): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const size = Math.max(1, sizes());
    chunks.push(body.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

async function read(source: AsyncIterable<Buffer>, limits = LIMITS, boundary = BOUNDARY): Promise<Read> {
  const result: Read = { fields: [], files: [] };
  for await (const part of readMultipart(source, boundary, limits)) {
    if (part.kind === "field") result.fields.push([part.name, part.value]);
    else {
      const pieces: Buffer[] = [];
      for await (const chunk of part.chunks) pieces.push(chunk);
      result.files.push({ name: part.name, filename: part.filename, bytes: Buffer.concat(pieces) });
    }
  }
  return result;
}

/** What busboy, the parser under @fastify/multipart, reads from the same body. */
function readWithBusboy(body: Buffer, boundary = BOUNDARY): Promise<Read> {
  return new Promise((resolve, reject) => {
    const result: Read = { fields: [], files: [] };
    const parser = new Busboy({ headers: { "content-type": `multipart/form-data; boundary=${boundary}` } });
    parser.on("field", (name: string, value: string) => result.fields.push([name, value]));
    parser.on("file", (name: string, stream: Readable, filename: string) => {
      const pieces: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => pieces.push(chunk));
      stream.on("end", () => result.files.push({ name, filename, bytes: Buffer.concat(pieces) }));
    });
    parser.on("finish", () => resolve(result));
    parser.on("error", reject);
    parser.end(body);
  });
}

test("a form read in chunks of any size, even one byte, gives the same fields and file bytes as busboy", async () => {
  // File bytes full of near-boundaries: CRLF, dashes, and the boundary less its last byte.
  // Tiny chunks on a small file, socket-sized ones on a larger one: every byte goes through
  // async generators, and a million one-byte chunks would take the test's whole time.
  for (const [fileSize, chunkSizes] of [
    [3_000, [() => 1, () => 7]],
    [200_000, [() => 65_536, () => 1 + crypto.randomInt(5000), () => Number.MAX_SAFE_INTEGER]],
  ] as const) {
    const tricky = Buffer.concat([Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}x\r\n--\r\n\r\n`), crypto.randomBytes(fileSize), Buffer.from(`\r\n-${BOUNDARY}`), Buffer.from("\r")]);
    const body = form([
      { name: "title", value: "Sunset over Kyōto — “quoted” & <b>" },
      { name: "tags", value: 'sea "long exposure"' },
      { name: "empty", value: "" },
      { name: "file", filename: "café 夕焼け.jpg", bytes: tricky },
      { name: "visibility", value: "friends" },
    ]);
    const expected = await readWithBusboy(body);
    assert.equal(expected.files[0]!.bytes.length, tricky.length);
    for (const sizes of chunkSizes) {
      const result = await read(chunked(body, sizes));
    assert.deepEqual(result.fields, expected.fields);
    assert.equal(result.files.length, 1);
    assert.equal(result.files[0]!.filename, "café 夕焼け.jpg");
    assert.ok(result.files[0]!.bytes.equals(tricky), "the file's bytes, exactly");
    }
  }
});

test("a delimiter cut between two chunks at any byte is found, and the bytes before it are the file's", async () => {
  const bytes = crypto.randomBytes(3000);
  const body = form([{ name: "file", filename: "a.bin", bytes }, { name: "title", value: "after" }]);
  const end = body.indexOf(`\r\n--${BOUNDARY}`, 200);
  for (let cut = end - 5; cut <= end + BOUNDARY.length + 8; cut++) {
    const result = await read(Readable.from([body.subarray(0, 1000), body.subarray(1000, cut), body.subarray(cut)]));
    assert.ok(result.files[0]!.bytes.equals(bytes), `cut at ${cut - end} from the delimiter`);
    assert.deepEqual(result.fields, [["title", "after"]]);
  }
});

test("a preamble, transport padding after a boundary, a quoted boundary and RFC 5987 file names are read as the RFC says", async () => {
  const body = Buffer.concat([
    Buffer.from(`This is the preamble; ignore it.\r\n--${BOUNDARY}  \t\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n`),
    Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="fallback.jpg"; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg\r\n\r\nBYTES\r\n`),
    Buffer.from(`--${BOUNDARY}--\r\nepilogue`),
  ]);
  assert.equal(multipartBoundary(`multipart/form-data; boundary="${BOUNDARY}"`), BOUNDARY);
  const result = await read(chunked(body, () => 3));
  assert.deepEqual(result.fields, [["title", "hello"]]);
  assert.equal(result.files[0]!.filename, "写真.jpg");
  assert.equal(result.files[0]!.bytes.toString(), "BYTES");
  // A file sent with no file name (undici's FormData leaves out an empty one) is still a file, by its type.
  const nameless = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"\r\nContent-Type: application/octet-stream\r\n\r\nabc\r\n--${BOUNDARY}--\r\n`);
  assert.deepEqual((await read(chunked(nameless, () => 9))).files.map((file) => [file.name, file.filename, file.bytes.toString()]), [["file", "", "abc"]]);
  const escaped = form([{ name: "file", disposition: 'form-data; name="file"; filename="say \\"cheese\\".jpg"', filename: "", bytes: Buffer.from("x") }]);
  assert.equal((await read(chunked(escaped, () => 5))).files[0]!.filename, 'say "cheese".jpg');
});

test("only multipart/form-data with a boundary of at most 70 characters is read", () => {
  assert.equal(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
  assert.equal(multipartBoundary("Multipart/Form-Data;boundary=abc; charset=utf-8"), "abc");
  assert.equal(multipartBoundary("multipart/mixed; boundary=abc"), null);
  assert.equal(multipartBoundary("multipart/form-data"), null);
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${"a".repeat(71)}`), null);
  assert.equal(multipartBoundary(undefined), null);
});

test("a file past the size limit stops the read at the limit; an unread file is skipped to reach the next part", async () => {
  const body = form([{ name: "file", filename: "big.bin", bytes: crypto.randomBytes(300_000) }]);
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const part of readMultipart(chunked(body, () => 65_536), BOUNDARY, { ...LIMITS, fileSize: 100_000 })) {
        if (part.kind === "file") for await (const chunk of part.chunks) seen += chunk.length;
      }
    })(),
    (error) => error instanceof MultipartFileTooLarge && error.limit === 100_000,
  );
  assert.ok(seen <= 100_000, `${seen} bytes handed on before the refusal`);

  const skipping = form([
    { name: "file", filename: "a.bin", bytes: crypto.randomBytes(150_000) },
    { name: "title", value: "after the file" },
  ]);
  const names: string[] = [];
  for await (const part of readMultipart(chunked(skipping, () => 1000), BOUNDARY, LIMITS)) names.push(part.kind === "field" ? `${part.name}=${part.value}` : part.name);
  assert.deepEqual(names, ["file", "title=after the file"]);
});

test("malformed, cut-off and over-limit bodies are refused with a 400 that says why", async () => {
  const refusal = async (body: Buffer, key: string, limits = LIMITS) => {
    await assert.rejects(read(chunked(body, () => 100), limits), (error: unknown) => {
      assert.ok(error instanceof InvalidError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.wording?.key, key);
      return true;
    });
  };
  const whole = form([{ name: "title", value: "t" }, { name: "file", filename: "a.jpg", bytes: crypto.randomBytes(5000) }]);
  await refusal(whole.subarray(0, whole.length - 30), "errors.multipart.incomplete");
  await refusal(whole.subarray(0, 20), "errors.multipart.incomplete");
  await refusal(Buffer.from("no boundary here at all ".repeat(2000)), "errors.multipart.malformed");
  await refusal(Buffer.from(`--${BOUNDARY}XX\r\n`), "errors.multipart.malformed");
  await refusal(form([{ name: "x", disposition: "attachment; name=x", value: "1" }]), "errors.multipart.malformed");
  await refusal(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"; ${"x".repeat(20_000)}\r\n\r\nv\r\n--${BOUNDARY}--`), "errors.multipart.malformed");
  await refusal(form(Array.from({ length: 21 }, (_, i) => ({ name: `f${i}`, value: "v" }))), "errors.multipart.tooManyParts");
  await refusal(form([{ name: "description", value: "x".repeat(70_000) }]), "errors.multipart.fieldTooLong");
  await refusal(form([{ name: "file", filename: "a.jpg", bytes: Buffer.from("1") }, { name: "file", filename: "b.jpg", bytes: Buffer.from("2") }]), "errors.onePhotoPerRequest");
});

test("a client that goes away mid-body ends the read with a 400, not a crash", async () => {
  const body = form([{ name: "file", filename: "a.jpg", bytes: crypto.randomBytes(50_000) }]);
  async function* cut(): AsyncGenerator<Buffer> {
    yield body.subarray(0, 20_000);
    throw Object.assign(new Error("aborted"), { code: "ECONNRESET" });
  }
  await assert.rejects(read(cut()), (error: unknown) => error instanceof InvalidError && error.wording?.key === "errors.multipart.incomplete");
});
