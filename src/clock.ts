import crypto from "node:crypto";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A bearer secret for links and sessions: 256 bits, URL-safe. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** Only hashes of tokens are stored, so a leaked database does not log anyone in. */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}
