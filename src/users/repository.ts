import type { Kysely } from "kysely";
import type { Database, NewUserRow, UserRow } from "../db/schema.ts";
import { syncMapPoints } from "../maps/repository.ts";

export type SessionKind = "web" | "api";
export type AccountTokenPurpose = "confirm_email" | "reset_password";

export interface SessionWithUser {
  sessionId: number;
  expiresAt: number;
  lastSeenAt: number;
  kind: SessionKind;
  user: Pick<UserRow, "id" | "username" | "is_admin" | "email_confirmed_at" | "suspended_at" | "shows_restricted" | "locale">;
}

/** Every query about members, their sessions and their one-time tokens. */
export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertUser(user: NewUserRow): Promise<UserRow> {
    return this.db.insertInto("users").values(user).returningAll().executeTakeFirstOrThrow();
  }

  findByUsernameKey(usernameKey: string): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("username_key", "=", usernameKey).executeTakeFirst();
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findByEmailKey(emailKey: string): Promise<UserRow[]> {
    return this.db.selectFrom("users").selectAll().where("email_key", "=", emailKey).execute();
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", userId).execute();
  }

  async markEmailConfirmed(userId: number, at: number): Promise<void> {
    await this.db.updateTable("users").set({ email_confirmed_at: at }).where("id", "=", userId).execute();
  }

  async setAdmin(userId: number, isAdmin: boolean): Promise<void> {
    await this.db.updateTable("users").set({ is_admin: isAdmin ? 1 : 0 }).where("id", "=", userId).execute();
  }

  async setShowsRestricted(userId: number, show: boolean): Promise<void> {
    await this.db.updateTable("users").set({ shows_restricted: show ? 1 : 0 }).where("id", "=", userId).execute();
  }

  async setLocale(userId: number, locale: string | null): Promise<void> {
    await this.db.updateTable("users").set({ locale }).where("id", "=", userId).execute();
  }

  /** A suspended member's photos leave the map in the same transaction, and come back when it is lifted. */
  async setSuspendedAt(userId: number, at: number | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("users").set({ suspended_at: at }).where("id", "=", userId).execute();
      await syncMapPoints(trx, { ownerId: userId });
    });
  }

  async insertSession(session: { tokenHash: string; userId: number; kind: SessionKind; now: number; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        kind: session.kind,
        created_at: session.now,
        last_seen_at: session.now,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async findSession(tokenHash: string): Promise<SessionWithUser | undefined> {
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select([
        "sessions.id as session_id",
        "sessions.expires_at",
        "sessions.last_seen_at",
        "sessions.kind",
        "users.id",
        "users.username",
        "users.is_admin",
        "users.email_confirmed_at",
        "users.suspended_at",
        "users.shows_restricted",
        "users.locale",
      ])
      .where("sessions.token_hash", "=", tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      expiresAt: row.expires_at,
      lastSeenAt: row.last_seen_at,
      kind: row.kind,
      user: { id: row.id, username: row.username, is_admin: row.is_admin, email_confirmed_at: row.email_confirmed_at, suspended_at: row.suspended_at, shows_restricted: row.shows_restricted, locale: row.locale },
    };
  }

  async touchSession(sessionId: number, now: number, expiresAt: number): Promise<void> {
    await this.db.updateTable("sessions").set({ last_seen_at: now, expires_at: expiresAt }).where("id", "=", sessionId).execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
  }

  async deleteSessionsOfUser(userId: number, exceptTokenHash?: string): Promise<void> {
    let query = this.db.deleteFrom("sessions").where("user_id", "=", userId);
    if (exceptTokenHash) query = query.where("token_hash", "!=", exceptTokenHash);
    await query.execute();
  }

  async insertAccountToken(token: { tokenHash: string; userId: number; purpose: AccountTokenPurpose; now: number; expiresAt: number }): Promise<void> {
    await this.db
      .insertInto("account_tokens")
      .values({ token_hash: token.tokenHash, user_id: token.userId, purpose: token.purpose, created_at: token.now, expires_at: token.expiresAt })
      .execute();
  }

  async findUsableAccountToken(tokenHash: string, purpose: AccountTokenPurpose, now: number): Promise<number | null> {
    const row = await this.db
      .selectFrom("account_tokens")
      .select("user_id")
      .where("token_hash", "=", tokenHash)
      .where("purpose", "=", purpose)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return row ? row.user_id : null;
  }

  /** Marks an unused, unexpired token used and returns its member, atomically, so a link works once. */
  async consumeAccountToken(tokenHash: string, purpose: AccountTokenPurpose, now: number): Promise<number | null> {
    const row = await this.db
      .updateTable("account_tokens")
      .set({ used_at: now })
      .where("token_hash", "=", tokenHash)
      .where("purpose", "=", purpose)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("user_id")
      .executeTakeFirst();
    return row ? row.user_id : null;
  }

  async recordLoginFailure(keys: string[], now: number): Promise<void> {
    await this.db
      .insertInto("login_failures")
      .values(keys.map((key) => ({ throttle_key: key, failed_at: now })))
      .execute();
  }

  async countLoginFailures(key: string, since: number): Promise<{ count: number; oldest: number | null }> {
    const row = await this.db
      .selectFrom("login_failures")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("failed_at").as("oldest")])
      .where("throttle_key", "=", key)
      .where("failed_at", ">", since)
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.db.deleteFrom("login_failures").where("throttle_key", "=", key).execute();
  }

  async pruneLoginFailures(before: number): Promise<void> {
    await this.db.deleteFrom("login_failures").where("failed_at", "<", before).execute();
  }
}
