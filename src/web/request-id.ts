import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";

export const REQUEST_ID_HEADER = "x-request-id";
/** What we accept from a client or a proxy: short, and nothing that could break a log line or a header. */
const ACCEPTABLE = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * The id of a request, on every log line written while it runs and in its response's
 * x-request-id header: the incoming x-request-id when it is acceptable (so a proxy's id
 * follows the request through), else a new random one.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && ACCEPTABLE.test(given) ? given : crypto.randomUUID();
}
