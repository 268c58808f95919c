import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { gridCss } from "./grid.ts";

interface Asset {
  body: Buffer;
  type: string;
  hashedName: string;
}

// From the project's root, two levels up like backup.ts's package.json: the same path from
// src/web/ and from the test runs' one-file build (scripts/test.mjs).
const ASSET_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "web", "assets");
const TYPES: Record<string, string> = { ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png" };

/**
 * Leaflet, served from the site itself (no CDN needed), from the package's dist folder; images
 * first, so the stylesheet can point at their hashed names.
 */
const VENDOR_FILES = [
  "leaflet/dist/images/layers.png",
  "leaflet/dist/images/layers-2x.png",
  "leaflet/dist/images/marker-icon.png",
  "leaflet/dist/images/marker-icon-2x.png",
  "leaflet/dist/images/marker-shadow.png",
  "leaflet/dist/leaflet.js",
  "leaflet/dist/leaflet.css",
];

function addAsset(assets: Map<string, Asset>, name: string, body: Buffer): void {
  const ext = path.extname(name);
  const type = TYPES[ext];
  if (!type) return;
  const hash = crypto.createHash("sha256").update(body).digest("hex").slice(0, 12);
  assets.set(name, { body, type, hashedName: `${path.basename(name, ext)}.${hash}${ext}` });
}

/** Assets are few and small: read once, named by content hash, cached forever by browsers. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(ASSET_DIR)) {
    let body = fs.readFileSync(path.join(ASSET_DIR, name));
    if (name === "site.css") body = Buffer.concat([body, Buffer.from(gridCss())]);
    addAsset(assets, name, body);
  }
  const require = createRequire(import.meta.url);
  for (const file of VENDOR_FILES) {
    const name = path.basename(file);
    let text = fs.readFileSync(require.resolve(file));
    if (name.endsWith(".js")) text = Buffer.from(text.toString("utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
    if (name.endsWith(".css")) {
      text = Buffer.from(text.toString("utf8").replace(/url\(images\/([\w-]+\.png)\)/g, (whole, image: string) => (assets.has(image) ? `url(/static/${assets.get(image)!.hashedName})` : whole)));
    }
    addAsset(assets, name, text);
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
