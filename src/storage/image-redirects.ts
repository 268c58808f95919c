import type { ImageDelivery } from "../config.ts";
import type { S3BlobStore } from "./s3.ts";

/** Where an image URL sends the browser instead of the bytes, and for how long that answer may be kept. */
export interface ImageRedirect {
  url: string;
  cacheSeconds: number;
}

/**
 * Answers image URLs with a redirect into the bucket (PINHOLE_S3_SERVE=presign or public). Only
 * for an object the bucket holds: `locate` answers null otherwise, and the image server then
 * does what it does in stream mode (a file still on the fallback store during a migration is
 * sent from there; a missing one is a 404), so no URL ever redirects to a missing object.
 */
export interface ImageRedirects {
  locate(key: string, now: number): Promise<ImageRedirect | null>;
}

/** A redirect to a CDN in front of the bucket may be kept an hour: the object under a key never changes. */
export const PUBLIC_REDIRECT_SECONDS = 3600;

export function imageRedirects(store: S3BlobStore, delivery: ImageDelivery): ImageRedirects | null {
  if (delivery.mode === "stream") return null;
  if (delivery.mode === "public") {
    const base = delivery.baseUrl;
    return {
      locate: async (key) => ((await store.exists(key)) ? { url: `${base}/${store.objectPath(key)}`, cacheSeconds: PUBLIC_REDIRECT_SECONDS } : null),
    };
  }
  const lifetime = delivery.lifetimeSeconds;
  // Signed at the start of a window of half the lifetime: every request in the window gets the
  // same URL, so browsers and proxies cache the image itself instead of fetching it per signature.
  const windowMs = Math.floor(lifetime / 2) * 1000;
  return {
    locate: async (key, now) => {
      if (!(await store.exists(key))) return null;
      const signedAt = Math.floor(now / windowMs) * windowMs;
      const remaining = (signedAt + lifetime * 1000 - now) / 1000;
      // Kept for less than what is left of the signature (at least half the lifetime), with a
      // margin for clocks and slow clients, so no cache ever hands out an expired URL.
      const cacheSeconds = Math.max(0, Math.floor(remaining - Math.max(5, lifetime / 10)));
      return { url: await store.signedGetUrl(key, lifetime, new Date(signedAt)), cacheSeconds };
    },
  };
}
