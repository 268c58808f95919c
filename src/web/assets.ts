import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { gridCss } from "./grid.ts";

interface Asset {
  body: Buffer;
  type: string;
  hashedName: string;
}

const ASSET_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "assets");
const TYPES: Record<string, string> = { ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml" };

/** Assets are few and small: read once, named by content hash, cached forever by browsers. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(ASSET_DIR)) {
    const ext = path.extname(name);
    const type = TYPES[ext];
    if (!type) continue;
    let body = fs.readFileSync(path.join(ASSET_DIR, name));
    if (name === "site.css") body = Buffer.concat([body, Buffer.from(gridCss())]);
    const hash = crypto.createHash("sha256").update(body).digest("hex").slice(0, 12);
    assets.set(name, { body, type, hashedName: `${path.basename(name, ext)}.${hash}${ext}` });
  }
  return assets;
}

const ASSETS = loadAssets();
const BY_HASHED_NAME = new Map([...ASSETS.values()].map((asset) => [asset.hashedName, asset]));

export function assetUrl(name: string): string {
  const asset = ASSETS.get(name);
  if (!asset) throw new Error(`unknown asset ${name}`);
  return `/static/${asset.hashedName}`;
}

export function registerAssetRoutes(app: FastifyInstance): void {
  app.get<{ Params: { name: string } }>(
    "/static/:name",
    {
      config: { access: "no-session" },
      schema: { hide: true, params: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
    },
    async (request, reply) => {
      const asset = BY_HASHED_NAME.get(request.params.name);
      if (!asset) return reply.code(404).type("text/plain").send("Not found");
      return reply.header("cache-control", "public, max-age=31536000, immutable").type(asset.type).send(asset.body);
    },
  );
}
