import crypto from "node:crypto";
import assert from "node:assert/strict";
import sharp from "sharp";
import { api, photoForm, type Member, type PhotoJson, type ServerUrl } from "./client.ts";

/** A small JPEG of random pixels: distinct bytes every call (uploads of equal bytes are one photo). */
export async function uniqueJpeg(width = 16, height = 12): Promise<Buffer> {
  return sharp(crypto.randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg().toBuffer();
}

/** Factory: a new photo of random pixels, through the real upload API. */
export async function buildUniquePhoto(server: ServerUrl, member: Member, fields: Record<string, string> = {}): Promise<PhotoJson & { restricted: boolean; hidden: boolean }> {
  const upload = await api(server, "POST", "/api/v1/photos", { token: member.token, form: photoForm(await uniqueJpeg(), fields, "unique.jpg") });
  assert.equal(upload.status, 201, JSON.stringify(upload.body));
  return upload.body;
}
