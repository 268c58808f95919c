import { hash, verify, Algorithm } from "@node-rs/argon2";
import { wording, type Wording } from "../errors.ts";
import { COMMON_PASSWORDS } from "./common-passwords.ts";

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username: string): Wording | null {
  if (password.length < MIN_PASSWORD_LENGTH) return wording("errors.account.passwordTooShort", { min: MIN_PASSWORD_LENGTH });
  if (password.length > MAX_PASSWORD_LENGTH) return wording("errors.account.passwordTooLong", { max: MAX_PASSWORD_LENGTH });
  const folded = password.toLowerCase();
  if (COMMON_PASSWORDS.has(folded) || /^(.)\1+$/.test(folded) || isRun(folded)) return wording("errors.account.passwordCommon");
  if (username.length >= 3 && folded.includes(username.toLowerCase())) return wording("errors.account.passwordHasUsername");
  return null;
}

/** "1234567890", "abcdefghij", "0987654321": sequences any guesser tries first. */
function isRun(text: string): boolean {
  let up = true;
  let down = true;
  for (let i = 1; i < text.length; i++) {
    const step = text.charCodeAt(i) - text.charCodeAt(i - 1);
    if (step !== 1) up = false;
    if (step !== -1) down = false;
  }
  return up || down;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
}

export const argon2idHasher: PasswordHasher = {
  hash: (password) => hash(password, { algorithm: Algorithm.Argon2id }),
  verify: async (hashed, password) => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  },
};
