import crypto from "node:crypto";
import OAuth from "oauth-1.0a";

/** What a request offers to be checked: every parameter it carries, decoded, wherever it came from. */
export interface SignedRequest {
  method: string;
  /** The path as received (e.g. /services/rest/), without the query. */
  path: string;
  /** Query, form and multipart text fields, and the Authorization header's oauth_* values. */
  params: Record<string, string | string[]>;
}

/** Timestamps more than this far from our clock are refused, and nonces are remembered this long. */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

/**
 * The OAuth 1.0a parameters of an `Authorization: OAuth …` header, decoded; null when the
 * header is missing or of another scheme. `realm` is not a signed parameter.
 */
export function authorizationParams(header: string | undefined): Record<string, string> | null {
  if (!header || !/^OAuth\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.-]+)\s*=\s*"([^"]*)"/g)) {
    const [, name, value] = match;
    if (!name || value === undefined || name === "realm") continue;
    try {
      params[decodeURIComponent(name)] = decodeURIComponent(value);
    } catch {
      params[name] = value;
    }
  }
  return params;
}

/**
 * The URLs a client may have signed for a path: this site's own, and the matching flickr.com
 * one (flickr-sdk signs over Flickr's URLs before its transport rewrites the host).
 */
export function signedUrls(siteOrigin: string, path: string): string[] {
  const flickrHost = path.startsWith("/services/upload") || path.startsWith("/services/replace") ? "up.flickr.com" : path.startsWith("/services/oauth/") ? "www.flickr.com" : "api.flickr.com";
  return [siteOrigin + path, `https://${flickrHost}${path}`];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether the request's HMAC-SHA1 signature is right for this consumer secret and token
 * secret over one of the URLs it may have been made for. The base string is built by the
 * oauth-1.0a library; the comparison takes constant time.
 */
export function signatureMatches(request: SignedRequest, urls: string[], consumer: { key: string; secret: string }, tokenSecret: string | undefined): boolean {
  const given = single(request.params.oauth_signature);
  if (!given) return false;
  const signer = new OAuth({
    consumer,
    signature_method: "HMAC-SHA1",
    hash_function: (base, key) => crypto.createHmac("sha1", key).update(base).digest("base64"),
  });
  const data: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.params)) if (name !== "oauth_signature") data[name] = value;
  const givenDigest = crypto.createHash("sha256").update(given).digest();
  let matched = false;
  for (const url of urls) {
    // Every parameter goes in `data`; the library merges and sorts them with the (empty) oauth data.
    const expected = signer.getSignature({ url, method: request.method, data }, tokenSecret, {} as OAuth.Data);
    const expectedDigest = crypto.createHash("sha256").update(expected).digest();
    // Both URLs are always tried, so the time taken does not tell which one matched.
    if (crypto.timingSafeEqual(expectedDigest, givenDigest)) matched = true;
  }
  return matched;
}
