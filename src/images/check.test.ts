import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { derivativeDefect } from "./check.ts";

const image = sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 20 } } });

test("a whole JPEG or WebP derivative of the recorded size has no defect", async () => {
  assert.equal(await derivativeDefect(await image.clone().jpeg().toBuffer(), { format: "jpeg", width: 64, height: 48 }), null);
  assert.equal(await derivativeDefect(await image.clone().webp().toBuffer(), { format: "webp", width: 64, height: 48 }), null);
});

test("a missing end, other bytes, an empty file or another size are each named", async () => {
  const jpeg = await image.clone().jpeg().toBuffer();
  const webp = await image.clone().webp().toBuffer();
  assert.equal(await derivativeDefect(jpeg.subarray(0, jpeg.length - 40), { format: "jpeg", width: 64, height: 48 }), "truncated (no JPEG end marker)");
  assert.equal(await derivativeDefect(webp.subarray(0, webp.length - 10), { format: "webp", width: 64, height: 48 }), "truncated (the RIFF length does not match)");
  assert.equal(await derivativeDefect(Buffer.from("<html>not found</html>"), { format: "jpeg", width: 64, height: 48 }), "not a JPEG");
  assert.equal(await derivativeDefect(jpeg, { format: "webp", width: 64, height: 48 }), "not a WebP");
  assert.equal(await derivativeDefect(Buffer.alloc(0), { format: "jpeg", width: 64, height: 48 }), "empty");
  assert.equal(await derivativeDefect(jpeg, { format: "jpeg", width: 100, height: 75 }), "64×48 pixels instead of 100×75");
});
