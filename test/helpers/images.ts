import assert from "node:assert/strict";
import sharp from "sharp";
import { api, photoForm, type Member, type PhotoJson, type ServerUrl } from "./client.ts";

let drawn = 0;

/** A small JPEG no other test made: uploads deduplicate identical bytes, so each call draws a new colour. */
export async function distinctJpeg(width = 40, height = 30): Promise<Buffer> {
  drawn++;
  const background = { r: (drawn * 37) % 256, g: (drawn * 91) % 256, b: (Date.now() + drawn * 13) % 256 };
  return sharp({ create: { width, height, channels: 3, background } }).jpeg({ quality: 80 }).withMetadata({ exif: { IFD0: { ImageDescription: `distinct ${drawn} ${process.pid} ${Date.now()}` } } }).toBuffer();
}

/** A JPEG of noise: large, and incompressible, so a few megabytes stay a few megabytes (and no two are alike). */
export async function noiseJpeg(width = 2400, height = 1800): Promise<Buffer> {
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761 + Math.floor(Math.random() * 256)) & 0xff;
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
}

/** Factory: a stored photo with bytes of its own, through the real upload API. */
export async function buildDistinctPhoto(server: ServerUrl, member: Member, fields: Record<string, string> = {}, size: { width?: number; height?: number } = {}): Promise<PhotoJson> {
  const bytes = await distinctJpeg(size.width, size.height);
  const upload = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(bytes, fields, "distinct.jpg") });
  assert.equal(upload.status, 201, `upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  return upload.body as PhotoJson;
}
