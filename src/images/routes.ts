import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { BlobStore } from "../storage/blob-store.ts";
import type { ImageRedirects } from "../storage/image-redirects.ts";
import type { ImageCache } from "./image-cache.ts";
import { derivativeKey, PHOTO_ID, SECRET, SIZE_NAME, type DerivativeFormat } from "./keys.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "../web/request-id.ts";

const IMAGE_URL = /^\/img\/([^/?#]+)\/([^/?#]+)\/([a-z0-9]+)\.(jpg|webp)(?:[?#].*)?$/;
const CONTENT_TYPES: Record<DerivativeFormat, string> = { jpeg: "image/jpeg", webp: "image/webp" };
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * Image URLs: /img/{photoId}/{secret}/{size}.{jpg|webp}. The secret is the permission (80
 * random bits, changed when a photo becomes more private), so serving needs no session and no
 * database: the file is found from the URL alone and keeps being served while the database
 * is down. These requests are answered before Fastify's pipeline (cookies, hooks, routing):
 * image URLs are most of a photo site's traffic, and a bounded memory cache plus a bare
 * response is several times faster than a framework route reading the file.
 */
export class ImageServer {
  constructor(private readonly deps: { store: BlobStore; cache: ImageCache; log: Logger; redirects?: ImageRedirects | null; now?: () => number }) {}

  handles(request: IncomingMessage): boolean {
    return request.url !== undefined && request.url.startsWith("/img/");
  }

  serve(request: IncomingMessage, response: ServerResponse): void {
    this.respond(request, response).catch((error: unknown) => {
      // Made only here: an id on every image answer would cost more than the rare failure is worth.
      const reqId = requestIdOf(request);
      this.deps.log.error({ reqId, err: error, url: request.url }, "serving an image failed");
      if (!response.headersSent) {
        response.setHeader(REQUEST_ID_HEADER, reqId);
        plain(response, 500, "Internal error");
      } else {
        response.destroy();
      }
    });
  }

  private async respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return plain(response, 405, "Method not allowed");
    }
    const match = IMAGE_URL.exec(request.url ?? "");
    const [, id, secret, size, extension] = match ?? [];
    if (!id || !secret || !size || !PHOTO_ID.test(id) || !SECRET.test(secret) || !SIZE_NAME.test(size)) return plain(response, 404, "Not found");
    const format: DerivativeFormat = extension === "webp" ? "webp" : "jpeg";
    const key = derivativeKey(id, secret, size, format);
    if (this.deps.redirects) {
      // The same checks as streaming (pattern above, the object exists) before sending anyone on.
      const target = await this.deps.redirects.locate(key, (this.deps.now ?? Date.now)());
      if (target) {
        response.writeHead(302, { location: target.url, "cache-control": `public, max-age=${target.cacheSeconds}`, "content-length": "0" });
        response.end();
        return;
      }
    }
    let data = this.deps.cache.get(key);
    if (!data) {
      const generation = this.deps.cache.currentGeneration;
      const stored = await this.deps.store.get(key);
      if (!stored) return plain(response, 404, "Not found");
      data = stored;
      // Not if the photo was deleted or made more private while the file was being read.
      this.deps.cache.set(key, data, generation);
    }
    // A key names an immutable file (a new secret makes new keys), so the key is the ETag; it
    // is answered only for a file that still exists, so caches learn when a URL is gone.
    const etag = `"${secret}-${size}-${format}"`;
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, { etag, "cache-control": IMMUTABLE });
      response.end();
      return;
    }
    response.writeHead(200, [
      "content-type", CONTENT_TYPES[format],
      "content-length", String(data.length),
      "cache-control", IMMUTABLE,
      "etag", etag,
      "x-content-type-options", "nosniff",
      "content-security-policy", "default-src 'none'; sandbox",
      "cross-origin-resource-policy", "cross-origin",
    ]);
    response.end(request.method === "HEAD" ? undefined : data);
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  response.end(text);
}
