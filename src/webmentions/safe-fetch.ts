import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { LookupFunction } from "node:net";

/** What the fetch of a source page may do: how long, how much, where. */
export interface SafeFetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Tests only (PINHOLE_WEBMENTION_ALLOW_LOOPBACK): loopback addresses are let through; private and link-local never. */
  allowLoopback: boolean;
}

export type FetchOutcome =
  | { kind: "page"; url: string; status: number; contentType: string; body: string }
  | { kind: "gone"; status: number }
  | { kind: "refused"; reason: string }
  | { kind: "unreachable"; reason: string };

/** Reasons that no retry can change: the fetch is refused, not failed. */
export class ForbiddenAddressError extends Error {}
class TooLargeError extends Error {}

const BLOCKED_V4 = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24],
  ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) BLOCKED_V4.addSubnet(network, prefix, "ipv4");
const BLOCKED_V6 = new net.BlockList();
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2001:db8::", 32], ["100::", 64]] as const) BLOCKED_V6.addSubnet(network, prefix, "ipv6");

function isLoopback(address: string, family: number): boolean {
  if (family === 4) return address.startsWith("127.");
  return address === "::1";
}

/** Whether an address is one a fetch on a member's behalf must never reach (RFC 6890 special-purpose ranges). */
export function isForbiddenAddress(address: string, allowLoopback: boolean): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (allowLoopback && isLoopback(address, family)) return false;
  if (family === 4) return BLOCKED_V4.check(address, "ipv4");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isForbiddenAddress(mapped[1]!, allowLoopback);
  return BLOCKED_V6.check(address, "ipv6");
}

/**
 * Resolves the name and refuses it when any of its addresses is forbidden. The connection is
 * made to the address checked here, so a second, different DNS answer cannot slip past
 * (DNS rebinding).
 */
function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family, hints: options.hints }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list = addresses as dns.LookupAddress[];
      const forbidden = list.find((a) => isForbiddenAddress(a.address, allowLoopback));
      if (forbidden || list.length === 0) return callback(new ForbiddenAddressError(`${hostname} resolves to ${forbidden?.address ?? "nothing"}, which is not on the public internet`), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function getOnce(url: URL, limits: SafeFetchLimits): Promise<{ status: number; location: string | null; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const literal = net.isIP(url.hostname.replace(/^\[|\]$/g, ""));
    if (literal && isForbiddenAddress(url.hostname.replace(/^\[|\]$/g, ""), limits.allowLoopback)) {
      reject(new ForbiddenAddressError(`${url.hostname} is not on the public internet`));
      return;
    }
    const client = url.protocol === "https:" ? https : http;
    const request = client.get(url, { lookup: guardedLookup(limits.allowLoopback), timeout: limits.timeoutMs, headers: { "user-agent": "Pinhole-Webmention/1.0 (+https://github.com/)", accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.1" } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          request.destroy(new TooLargeError(`the page is larger than ${limits.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, location: response.headers.location ?? null, contentType: response.headers["content-type"] ?? "", body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    request.on("close", () => clearTimeout(deadline));
    request.on("timeout", () => request.destroy(new Error(`no answer within ${limits.timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/**
 * Fetches a page on a member's behalf without letting the address reach the site's own network:
 * http(s) only, every address checked after DNS resolution and on every redirect, bounded in
 * time and size.
 */
export async function safeFetch(start: string, limits: SafeFetchLimits): Promise<FetchOutcome> {
  let url: URL;
  try {
    url = new URL(start);
  } catch {
    return { kind: "refused", reason: "not a URL" };
  }
  for (let hop = 0; hop <= limits.maxRedirects; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") return { kind: "refused", reason: `${url.protocol} is not http or https` };
    let answer;
    try {
      answer = await getOnce(url, limits);
    } catch (error) {
      if (error instanceof ForbiddenAddressError || error instanceof TooLargeError) return { kind: "refused", reason: error.message };
      return { kind: "unreachable", reason: (error as Error).message };
    }
    if ([301, 302, 303, 307, 308].includes(answer.status) && answer.location) {
      url = new URL(answer.location, url);
      continue;
    }
    if (answer.status === 410) return { kind: "gone", status: 410 };
    return { kind: "page", url: url.toString(), status: answer.status, contentType: answer.contentType, body: answer.body.toString("utf8") };
  }
  return { kind: "unreachable", reason: `more than ${limits.maxRedirects} redirects` };
}
