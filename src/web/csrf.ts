import crypto from "node:crypto";

export const CSRF_COOKIE = "pinhole_csrf";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/**
 * Double-submit with a signed twin: the browser holds a random cookie; forms and scripts send
 * HMAC(secret, cookie). Another site can make the browser send the cookie but cannot read it
 * to compute the token.
 */
export class CsrfTokens {
  constructor(private readonly secret: Buffer) {}

  newCookieValue(): string {
    return crypto.randomBytes(24).toString("base64url");
  }

  tokenFor(cookieValue: string): string {
    return crypto.createHmac("sha256", this.secret).update(`csrf:${cookieValue}`).digest("base64url");
  }

  isValid(cookieValue: string | undefined, submitted: string | undefined): boolean {
    if (!cookieValue || !submitted) return false;
    const expected = Buffer.from(this.tokenFor(cookieValue));
    const given = Buffer.from(submitted);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given);
  }
}
