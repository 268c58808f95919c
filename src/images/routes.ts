import type { FastifyInstance } from "fastify";
import type { BlobStore } from "../storage/blob-store.ts";
import type { ImageCache } from "./image-cache.ts";
import { derivativeKey, PHOTO_ID, SECRET, SIZE_NAME, type DerivativeFormat } from "./keys.ts";

const FILE = /^([a-z0-9]+)\.(jpg|webp)$/;
const CONTENT_TYPES: Record<DerivativeFormat, string> = { jpeg: "image/jpeg", webp: "image/webp" };

/**
 * Image URLs: /img/{photoId}/{secret}/{size}.{jpg|webp}. The secret is the permission (at
 * least 64 random bits; rotated when a photo becomes more private), so serving needs no
 * session and no database: the file is found from the URL alone, and keeps working while the
 * database is down.
 */
export function registerImageRoutes(app: FastifyInstance, deps: { store: BlobStore; cache: ImageCache }): void {
  app.get<{ Params: { id: string; secret: string; file: string } }>(
    "/img/:id/:secret/:file",
    { config: { access: "no-session" }, schema: { hide: true } },
    async (request, reply) => {
      const { id, secret, file } = request.params;
      const match = FILE.exec(file);
      if (!PHOTO_ID.test(id) || !SECRET.test(secret) || !match || !SIZE_NAME.test(match[1] ?? "")) {
        return reply.code(404).type("text/plain").send("Not found");
      }
      const format: DerivativeFormat = match[2] === "webp" ? "webp" : "jpeg";
      const key = derivativeKey(id, secret, match[1] as string, format);
      // The key names an immutable file (a new secret means a new key), so the key is the ETag.
      const etag = `"${secret}-${match[1]}-${format}"`;
      reply
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("etag", etag)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cross-origin-resource-policy", "cross-origin");
      if (request.headers["if-none-match"] === etag) return reply.code(304).send();
      let data = deps.cache.get(key);
      if (!data) {
        const fromStore = await deps.store.get(key);
        if (!fromStore) return reply.code(404).header("cache-control", "no-store").type("text/plain").send("Not found");
        data = fromStore;
        deps.cache.set(key, data);
      }
      return reply.type(CONTENT_TYPES[format]).send(data);
    },
  );
}
