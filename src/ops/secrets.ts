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
