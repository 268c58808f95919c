import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The server's signing key (CSRF tokens). Kept in its own file outside the database so a
 * backup of the database never carries it; PINHOLE_SECRET overrides it for many servers.
 */
export function loadSigningSecret(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, "utf8");
  const file = path.join(dataDir, "secret.key");
  try {
    return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(file, secret.toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
  return secret;
}

/** The shared setting holding a fingerprint of the signing secret the last server started with. */
export const SECRET_FINGERPRINT_KEY = "signing_secret_fingerprint";

/** What a secret is recognised by, without revealing it: an HMAC of a fixed text under it. */
export function secretFingerprint(secret: Buffer): string {
  return crypto.createHmac("sha256", secret).update("pinhole signing secret fingerprint").digest("base64url").slice(0, 22);
}

/**
 * Every server of a site must sign with the same secret, or a form served by one is refused
 * (CSRF) by another: each server made its own `secret.key` unless PINHOLE_SECRET gives them one.
 * The secret stays out of the database (a backup of it must not carry the secret); only its
 * fingerprint is kept there. Answers false when this server's secret differs from the one the
 * previous server started with, and records this one's: after a restore to a new data dir or a
 * deliberate change, the next start is quiet again.
 */
export async function secretMatchesSite(settings: { get(key: string): Promise<string | null>; set(key: string, value: string, now: number): Promise<void> }, secret: Buffer, now: number): Promise<boolean> {
  const mine = secretFingerprint(secret);
  const recorded = await settings.get(SECRET_FINGERPRINT_KEY);
  if (recorded === mine) return true;
  await settings.set(SECRET_FINGERPRINT_KEY, mine, now);
  return recorded === null;
}
