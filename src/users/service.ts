import { hashToken, randomToken, type Clock } from "../clock.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { ConflictError, ForbiddenError, InvalidError, TooManyRequestsError, UnauthenticatedError, wording } from "../errors.ts";
import type { CallLog, Mailer } from "./mailer.ts";
import { passwordProblem, type PasswordHasher } from "./passwords.ts";
import type { SessionKind, UsersRepository } from "./repository.ts";
import type { UserRow } from "../db/schema.ts";

export interface Viewer {
  id: number;
  username: string;
  isAdmin: boolean;
  emailConfirmed: boolean;
  /** Opted in to photos marked restricted (not for all audiences). */
  showsRestricted: boolean;
  /** How the request proved who it is; cookie-authenticated writes need a CSRF token. */
  via: "cookie" | "bearer";
  tokenHash: string;
  /** The interface language saved in their settings (i18n/locales.ts); null or absent: follow the browser. */
  locale?: string | null;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
const EMAIL_PATTERN = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

/** Names that would collide with the site's own URLs under /photos/ and elsewhere. */
const RESERVED_USERNAMES = new Set([
  "admin", "administrator", "api", "img", "static", "tags", "upload", "login", "logout", "signup", "settings",
  "status", "search", "explore", "groups", "albums", "photos", "people", "help", "root", "pinhole", "me", "new",
]);

export const SUSPENDED_MESSAGE = wording("errors.account.suspended");

const DAY = 24 * 60 * 60 * 1000;
const WEB_SESSION_TTL = 30 * DAY;
const API_SESSION_TTL = 365 * DAY;
const SESSION_TOUCH_INTERVAL = 60 * 60 * 1000;
const LINK_TTL = 2 * DAY;
const RESET_TTL = 60 * 60 * 1000;
export const LOGIN_THROTTLE = { windowMs: 15 * 60 * 1000, perAccount: 5, perIp: 30 };

export interface UserServiceDeps {
  users: UsersRepository;
  hasher: PasswordHasher;
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}

export interface PublicUser {
  id: number;
  username: string;
  isAdmin: boolean;
}

function publicUser(row: UserRow): PublicUser {
  return { id: row.id, username: row.username, isAdmin: row.is_admin === 1 };
}

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  /** Sign-up from the web or the API; the first member of a site becomes its admin. */
  async signUp(input: { username: string; email: string; password: string }, log?: CallLog): Promise<PublicUser> {
    const isFirst = (await this.deps.users.countUsers()) === 0;
    const user = await this.createUser({ ...input, admin: isFirst });
    await this.sendConfirmation(user.id, input.email.trim(), log);
    return user;
  }

  async createUser(input: { username: string; email: string; password: string; admin: boolean }): Promise<PublicUser> {
    const username = input.username.trim();
    const email = input.email.trim();
    if (!USERNAME_PATTERN.test(username)) {
      throw new InvalidError(wording("errors.account.usernameShape"), { field: "username" });
    }
    if (RESERVED_USERNAMES.has(usernameKey(username))) throw new ConflictError(wording("errors.account.usernameTaken"), { field: "username" });
    if (email.length > 254 || !EMAIL_PATTERN.test(email)) throw new InvalidError(wording("errors.account.emailInvalid"), { field: "email" });
    const problem = passwordProblem(input.password, username);
    if (problem) throw new InvalidError(problem, { field: "password" });
    if (await this.deps.users.findByUsernameKey(usernameKey(username))) {
      throw new ConflictError(wording("errors.account.usernameTaken"), { field: "username" });
    }
    const passwordHash = await this.deps.hasher.hash(input.password);
    try {
      const row = await this.deps.users.insertUser({
        username,
        username_key: usernameKey(username),
        email,
        email_key: emailKey(email),
        email_confirmed_at: null,
        password_hash: passwordHash,
        is_admin: input.admin ? 1 : 0,
        created_at: this.deps.clock.now(),
      });
      return publicUser(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(wording("errors.account.usernameTaken"), { field: "username" });
      throw error;
    }
  }

  async logIn(input: { username: string; password: string; ip: string; kind: SessionKind }): Promise<{ token: string; user: PublicUser }> {
    const now = this.deps.clock.now();
    const accountKey = `account:${usernameKey(input.username.trim())}`;
    const ipKey = `ip:${input.ip}`;
    await this.refuseWhenThrottled(accountKey, LOGIN_THROTTLE.perAccount, now);
    await this.refuseWhenThrottled(ipKey, LOGIN_THROTTLE.perIp, now);
    const user = await this.deps.users.findByUsernameKey(usernameKey(input.username.trim()));
    const ok = user ? await this.deps.hasher.verify(user.password_hash, input.password) : false;
    if (!user || !ok) {
      await this.deps.users.recordLoginFailure([accountKey, ipKey], now);
      throw new UnauthenticatedError(wording("errors.account.wrongLogin"));
    }
    await this.deps.users.clearLoginFailures(accountKey);
    // Said only to whoever knows the password, so it reveals nothing to a stranger.
    if (user.suspended_at !== null) throw new ForbiddenError(SUSPENDED_MESSAGE);
    const token = await this.startSession(user.id, input.kind);
    return { token, user: publicUser(user) };
  }

  private async refuseWhenThrottled(key: string, limit: number, now: number): Promise<void> {
    const since = now - LOGIN_THROTTLE.windowMs;
    const failures = await this.deps.users.countLoginFailures(key, since);
    if (failures.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil(((failures.oldest ?? now) + LOGIN_THROTTLE.windowMs - now) / 1000));
      throw new TooManyRequestsError(wording("errors.account.throttled", { minutes: Math.ceil(retryAfter / 60) }), retryAfter);
    }
  }

  async startSession(userId: number, kind: SessionKind): Promise<string> {
    const token = randomToken();
    const now = this.deps.clock.now();
    const ttl = kind === "web" ? WEB_SESSION_TTL : API_SESSION_TTL;
    await this.deps.users.insertSession({ tokenHash: hashToken(token), userId, kind, now, expiresAt: now + ttl });
    return token;
  }

  /** Resolves a session token (cookie or bearer) to the member, sliding the expiry at most hourly. */
  async authenticate(token: string, via: Viewer["via"]): Promise<Viewer | null> {
    const tokenHash = hashToken(token);
    const session = await this.deps.users.findSession(tokenHash);
    const now = this.deps.clock.now();
    // Suspension deletes the sessions too; this also turns away one made by a log-in racing it.
    if (!session || session.expiresAt <= now || session.user.suspended_at !== null) return null;
    if (via === "cookie" && session.kind !== "web") return null;
    if (now - session.lastSeenAt > SESSION_TOUCH_INTERVAL) {
      const ttl = session.kind === "web" ? WEB_SESSION_TTL : API_SESSION_TTL;
      await this.deps.users.touchSession(session.sessionId, now, now + ttl);
    }
    return {
      id: session.user.id,
      username: session.user.username,
      isAdmin: session.user.is_admin === 1,
      emailConfirmed: session.user.email_confirmed_at !== null,
      showsRestricted: session.user.shows_restricted === 1,
      locale: session.user.locale,
      via,
      tokenHash,
    };
  }

  /** The member opts in to (or out of) photos marked restricted, on every page and in the API. */
  async setShowsRestricted(viewer: Viewer, show: boolean): Promise<Viewer> {
    await this.deps.users.setShowsRestricted(viewer.id, show);
    return { ...viewer, showsRestricted: show };
  }

  /** The member's interface language (a shipped locale, checked by the caller's schema), or null to follow the browser. */
  async setLocale(viewer: Viewer, locale: string | null): Promise<Viewer> {
    await this.deps.users.setLocale(viewer.id, locale);
    return { ...viewer, locale };
  }

  /** Suspending ends every session and bearer token at once; lifting it lets the member log in again. */
  async setSuspended(userId: number, suspended: boolean): Promise<void> {
    await this.deps.users.setSuspendedAt(userId, suspended ? this.deps.clock.now() : null);
    if (suspended) await this.deps.users.deleteSessionsOfUser(userId);
  }

  async logOut(viewer: Viewer): Promise<void> {
    await this.deps.users.deleteSession(viewer.tokenHash);
  }

  /** Other sessions end: a changed password should lock out whoever knew the old one. */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.deps.users.findById(viewer.id);
    if (!user || !(await this.deps.hasher.verify(user.password_hash, currentPassword))) {
      throw new InvalidError(wording("errors.account.currentPasswordWrong"), { field: "currentPassword" });
    }
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw new InvalidError(problem, { field: "newPassword" });
    await this.deps.users.updatePasswordHash(user.id, await this.deps.hasher.hash(newPassword));
    await this.deps.users.deleteSessionsOfUser(user.id, viewer.tokenHash);
  }

  async sendConfirmation(userId: number, email: string, log?: CallLog): Promise<void> {
    const token = randomToken();
    const now = this.deps.clock.now();
    await this.deps.users.insertAccountToken({ tokenHash: hashToken(token), userId, purpose: "confirm_email", now, expiresAt: now + LINK_TTL });
    await this.deps.mailer.send({
      to: email,
      subject: "Confirm your email address for Pinhole",
      text: `Welcome to Pinhole!\n\nConfirm your email address by opening this link:\n${this.deps.baseUrl}/confirm-email/${token}\n\nThe link works for 48 hours.`,
    }, log);
  }

  async resendConfirmation(viewer: Viewer, log?: CallLog): Promise<void> {
    const user = await this.deps.users.findById(viewer.id);
    if (user && user.email_confirmed_at === null) await this.sendConfirmation(user.id, user.email, log);
  }

  async confirmEmail(token: string): Promise<void> {
    const now = this.deps.clock.now();
    const userId = await this.deps.users.consumeAccountToken(hashToken(token), "confirm_email", now);
    if (userId === null) throw new InvalidError(wording("errors.account.confirmLinkInvalid"));
    await this.deps.users.markEmailConfirmed(userId, now);
  }

  /** Says nothing about whether the account exists, so it cannot be used to find members' emails. */
  async requestPasswordReset(usernameOrEmail: string, log?: CallLog): Promise<void> {
    const needle = usernameOrEmail.trim();
    const candidates = needle.includes("@")
      ? await this.deps.users.findByEmailKey(emailKey(needle))
      : [await this.deps.users.findByUsernameKey(usernameKey(needle))].filter((u): u is UserRow => u !== undefined);
    for (const user of candidates) {
      const token = randomToken();
      const now = this.deps.clock.now();
      await this.deps.users.insertAccountToken({ tokenHash: hashToken(token), userId: user.id, purpose: "reset_password", now, expiresAt: now + RESET_TTL });
      await this.deps.mailer.send({
        to: user.email,
        subject: "Reset your Pinhole password",
        text: `Someone asked to reset the password of ${user.username} on Pinhole.\n\nChoose a new password here:\n${this.deps.baseUrl}/reset-password/${token}\n\nThe link works for one hour. If it was not you, ignore this mail.`,
      }, log);
    }
  }

  /** The password is checked before the link is used up, so a refused password does not burn the link. */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const tokenHash = hashToken(token);
    const now = this.deps.clock.now();
    const invalid = new InvalidError(wording("errors.account.resetLinkInvalid"));
    const pendingUserId = await this.deps.users.findUsableAccountToken(tokenHash, "reset_password", now);
    const user = pendingUserId === null ? undefined : await this.deps.users.findById(pendingUserId);
    if (!user) throw invalid;
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw new InvalidError(problem, { field: "password" });
    if ((await this.deps.users.consumeAccountToken(tokenHash, "reset_password", now)) !== user.id) throw invalid;
    await this.deps.users.updatePasswordHash(user.id, await this.deps.hasher.hash(newPassword));
    await this.deps.users.deleteSessionsOfUser(user.id);
    await this.deps.users.clearLoginFailures(`account:${user.username_key}`);
  }

  async isUsableResetToken(token: string): Promise<boolean> {
    return (await this.deps.users.findUsableAccountToken(hashToken(token), "reset_password", this.deps.clock.now())) !== null;
  }

  /** A member by id, unless suspended (for clients that name members by id, such as the Flickr API). */
  async findActiveUserById(id: number): Promise<PublicUser | null> {
    const row = await this.deps.users.findById(id);
    return row && row.suspended_at === null ? publicUser(row) : null;
  }

  /**
   * The member an app acts for with a token other than a session (an OAuth access token of the
   * Flickr API); null once they are suspended. `tokenHash` names the token, as for sessions.
   */
  async viewerFor(userId: number, tokenHash: string): Promise<Viewer | null> {
    const row = await this.deps.users.findById(userId);
    if (!row || row.suspended_at !== null) return null;
    return { id: row.id, username: row.username, isAdmin: row.is_admin === 1, emailConfirmed: row.email_confirmed_at !== null, showsRestricted: row.shows_restricted === 1, locale: row.locale, via: "bearer", tokenHash };
  }

  async findPublicUser(username: string): Promise<PublicUser | null> {
    const row = await this.deps.users.findByUsernameKey(usernameKey(username));
    return row ? publicUser(row) : null;
  }
}
