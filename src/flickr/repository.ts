import type { Kysely } from "kysely";
import { isUniqueViolation } from "../db/errors.ts";
import type { Database } from "../db/schema.ts";

export interface ApiKeyRow {
  id: number;
  ownerId: number;
  ownerUsername: string;
  name: string;
  key: string;
  secret: string;
  createdAt: number;
}

export interface TokenRow {
  kind: "request" | "access";
  apiKeyId: number;
  secret: string;
  userId: number | null;
  perms: "read" | "write" | "delete" | null;
  callback: string | null;
  verifierHash: string | null;
  expiresAt: number | null;
}

/** Every query about API keys, OAuth tokens, nonces and upload tickets. */
export class FlickrRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private selectKeys() {
    return this.db
      .selectFrom("api_keys")
      .innerJoin("users", "users.id", "api_keys.owner_id")
      .select(["api_keys.id", "api_keys.owner_id", "users.username", "api_keys.name", "api_keys.consumer_key", "api_keys.consumer_secret", "api_keys.created_at"])
      .where("api_keys.revoked_at", "is", null)
      .where("users.suspended_at", "is", null);
  }

  private static keyRow(r: { id: number; owner_id: number; username: string; name: string; consumer_key: string; consumer_secret: string; created_at: number }): ApiKeyRow {
    return { id: Number(r.id), ownerId: Number(r.owner_id), ownerUsername: r.username, name: r.name, key: r.consumer_key, secret: r.consumer_secret, createdAt: Number(r.created_at) };
  }

  async insertKey(key: { ownerId: number; name: string; key: string; secret: string; now: number }): Promise<number> {
    const row = await this.db
      .insertInto("api_keys")
      .values({ owner_id: key.ownerId, name: key.name, consumer_key: key.key, consumer_secret: key.secret, created_at: key.now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async keysOf(ownerId: number): Promise<ApiKeyRow[]> {
    const rows = await this.selectKeys().where("api_keys.owner_id", "=", ownerId).orderBy("api_keys.created_at", "desc").orderBy("api_keys.id", "desc").execute();
    return rows.map(FlickrRepository.keyRow);
  }

  /** A live key (not revoked, its owner not suspended). */
  async findKey(consumerKey: string): Promise<ApiKeyRow | undefined> {
    const row = await this.selectKeys().where("api_keys.consumer_key", "=", consumerKey).executeTakeFirst();
    return row ? FlickrRepository.keyRow(row) : undefined;
  }

  async findKeyById(id: number): Promise<ApiKeyRow | undefined> {
    const row = await this.selectKeys().where("api_keys.id", "=", id).executeTakeFirst();
    return row ? FlickrRepository.keyRow(row) : undefined;
  }

  /** Revokes the owner's key and ends every token made with it; false when there is no such live key of theirs. */
  async revokeKey(ownerId: number, id: number, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable("api_keys").set({ revoked_at: now }).where("id", "=", id).where("owner_id", "=", ownerId).where("revoked_at", "is", null).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx.deleteFrom("oauth_tokens").where("api_key_id", "=", id).execute();
      return true;
    });
  }

  async insertToken(token: { hash: string; kind: "request" | "access"; apiKeyId: number; secret: string; userId: number | null; perms: TokenRow["perms"]; callback: string | null; now: number; expiresAt: number | null }): Promise<void> {
    await this.db
      .insertInto("oauth_tokens")
      .values({
        token_hash: token.hash,
        kind: token.kind,
        api_key_id: token.apiKeyId,
        token_secret: token.secret,
        user_id: token.userId,
        perms: token.perms,
        callback: token.callback,
        verifier_hash: null,
        created_at: token.now,
        expires_at: token.expiresAt,
      })
      .execute();
  }

  async findToken(hash: string): Promise<TokenRow | undefined> {
    const row = await this.db
      .selectFrom("oauth_tokens")
      .select(["kind", "api_key_id", "token_secret", "user_id", "perms", "callback", "verifier_hash", "expires_at"])
      .where("token_hash", "=", hash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      kind: row.kind,
      apiKeyId: Number(row.api_key_id),
      secret: row.token_secret,
      userId: row.user_id === null ? null : Number(row.user_id),
      perms: row.perms,
      callback: row.callback,
      verifierHash: row.verifier_hash,
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    };
  }

  /** A member grants a request token: only once, and only while nobody has. */
  async grantRequestToken(hash: string, grant: { userId: number; perms: "read" | "write" | "delete"; verifierHash: string }): Promise<boolean> {
    const result = await this.db
      .updateTable("oauth_tokens")
      .set({ user_id: grant.userId, perms: grant.perms, verifier_hash: grant.verifierHash })
      .where("token_hash", "=", hash)
      .where("kind", "=", "request")
      .where("verifier_hash", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Deletes a request token; true for the one caller that deleted it (so a verifier is used once). */
  async consumeToken(hash: string): Promise<boolean> {
    const result = await this.db.deleteFrom("oauth_tokens").where("token_hash", "=", hash).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async deleteExpiredTokens(now: number): Promise<void> {
    await this.db.deleteFrom("oauth_tokens").where("expires_at", "is not", null).where("expires_at", "<", now).execute();
  }

  /** Records a nonce; false when this key used it already (a replay). */
  async useNonce(consumerKey: string, nonce: string, expiresAt: number): Promise<boolean> {
    try {
      await this.db.insertInto("oauth_nonces").values({ consumer_key: consumerKey, nonce, expires_at: expiresAt }).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async deleteExpiredNonces(now: number): Promise<void> {
    await this.db.deleteFrom("oauth_nonces").where("expires_at", "<", now).execute();
  }

  async insertTicket(ticket: { userId: number; photoId: number | null; status: number; now: number }): Promise<number> {
    const row = await this.db
      .insertInto("upload_tickets")
      .values({ user_id: ticket.userId, photo_id: ticket.photoId, status: ticket.status, created_at: ticket.now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async ticketsOf(userId: number, ids: number[]): Promise<Array<{ id: number; photoId: number | null; status: number }>> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom("upload_tickets").select(["id", "photo_id", "status"]).where("user_id", "=", userId).where("id", "in", ids).execute();
    return rows.map((r) => ({ id: Number(r.id), photoId: r.photo_id === null ? null : Number(r.photo_id), status: r.status }));
  }
}
