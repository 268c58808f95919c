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
  /** A photo deleted or its secret changed (told as the image cache is): its keys are asked for again. */
  forget(prefix: string): void;
}

/** A redirect to a CDN in front of the bucket may be kept an hour: the object under a key never changes. */
export const PUBLIC_REDIRECT_SECONDS = 3600;

/** How long an object seen in the bucket is taken to be there without asking again. */
export const KNOWN_FOR_MS = 60_000;
const KNOWN_MAX = 50_000;

/**
 * Keys the bucket answered for lately, so a page of thumbnails costs one HEAD per image a
 * minute rather than one per request. Only hits are kept: a file that appears (an upload, a
 * regenerated size) is seen at once. A photo deleted or made more private is forgotten at once
 * in this server (and its sibling workers); another machine may still redirect to its files for
 * up to the minute, and the bucket then answers 404 itself: nothing deleted is served by this.
 */
class KnownObjects {
  private readonly seen = new Map<string, number>();

  constructor(private readonly store: S3BlobStore) {}

  async exists(key: string, now: number): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return true;
    this.seen.delete(key);
    if (!(await this.store.exists(key))) return false;
    this.seen.set(key, now + KNOWN_FOR_MS);
    if (this.seen.size > KNOWN_MAX) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  forget(prefix: string): void {
    for (const key of [...this.seen.keys()]) if (key.startsWith(prefix)) this.seen.delete(key);
  }
}

export function imageRedirects(store: S3BlobStore, delivery: ImageDelivery): ImageRedirects | null {
  if (delivery.mode === "stream") return null;
  const known = new KnownObjects(store);
  if (delivery.mode === "public") {
    const base = delivery.baseUrl;
    return {
      locate: async (key, now) => ((await known.exists(key, now)) ? { url: `${base}/${store.objectPath(key)}`, cacheSeconds: PUBLIC_REDIRECT_SECONDS } : null),
      forget: (prefix) => known.forget(prefix),
    };
  }
  const lifetime = delivery.lifetimeSeconds;
  // Signed at the start of a window of half the lifetime: every request in the window gets the
  // same URL, so browsers and proxies cache the image itself instead of fetching it per signature.
  const windowMs = Math.floor(lifetime / 2) * 1000;
  return {
    locate: async (key, now) => {
      if (!(await known.exists(key, now))) return null;
      const signedAt = Math.floor(now / windowMs) * windowMs;
      const remaining = (signedAt + lifetime * 1000 - now) / 1000;
      // Kept for less than what is left of the signature (at least half the lifetime), with a
      // margin for clocks and slow clients, so no cache ever hands out an expired URL.
      const cacheSeconds = Math.max(0, Math.floor(remaining - Math.max(5, lifetime / 10)));
      return { url: await store.signedGetUrl(key, lifetime, new Date(signedAt)), cacheSeconds };
    },
    forget: (prefix) => known.forget(prefix),
  };
}
