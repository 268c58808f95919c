import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export interface ContactRow {
  contactId: number;
  username: string;
  isFriend: boolean;
  isFamily: boolean;
  createdAt: number;
}

/** Every query about contacts and blocks. */
export class SocialRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findMember(username: string): Promise<{ id: number; username: string } | undefined> {
    return this.db.selectFrom("users").select(["id", "username"]).where("username_key", "=", username.toLowerCase()).where("suspended_at", "is", null).executeTakeFirst();
  }

  async findMemberId(username: string): Promise<number | undefined> {
    const row = await this.db.selectFrom("users").select("id").where("username_key", "=", username.toLowerCase()).where("suspended_at", "is", null).executeTakeFirst();
    return row?.id;
  }

  /** Adds or changes a contact; answers whether it is new (for the notification). */
  async upsertContact(ownerId: number, contactId: number, flags: { isFriend: boolean; isFamily: boolean }, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom("contacts").select("owner_id").where("owner_id", "=", ownerId).where("contact_id", "=", contactId).executeTakeFirst();
      const values = { is_friend: flags.isFriend ? 1 : 0, is_family: flags.isFamily ? 1 : 0 };
      if (existing) {
        await trx.updateTable("contacts").set(values).where("owner_id", "=", ownerId).where("contact_id", "=", contactId).execute();
        return false;
      }
      await trx.insertInto("contacts").values({ owner_id: ownerId, contact_id: contactId, ...values, created_at: now }).execute();
      return true;
    });
  }

  async deleteContact(ownerId: number, contactId: number): Promise<void> {
    await this.db.deleteFrom("contacts").where("owner_id", "=", ownerId).where("contact_id", "=", contactId).execute();
  }

  /** Blocking also ends the contact both ways, so no friend flag survives it. */
  async block(blockerId: number, blockedId: number, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("blocks").values({ blocker_id: blockerId, blocked_id: blockedId, created_at: now }).onConflict((oc) => oc.columns(["blocker_id", "blocked_id"]).doNothing()).execute();
      await trx
        .deleteFrom("contacts")
        .where((eb) => eb.or([eb.and([eb("owner_id", "=", blockerId), eb("contact_id", "=", blockedId)]), eb.and([eb("owner_id", "=", blockedId), eb("contact_id", "=", blockerId)])]))
        .execute();
    });
  }

  async unblock(blockerId: number, blockedId: number): Promise<void> {
    await this.db.deleteFrom("blocks").where("blocker_id", "=", blockerId).where("blocked_id", "=", blockedId).execute();
  }

  async isBlocked(blockerId: number, blockedId: number): Promise<boolean> {
    const row = await this.db.selectFrom("blocks").select("blocker_id").where("blocker_id", "=", blockerId).where("blocked_id", "=", blockedId).executeTakeFirst();
    return row !== undefined;
  }

  async contactsOf(ownerId: number, limit: number, offset: number): Promise<ContactRow[]> {
    const rows = await this.db
      .selectFrom("contacts")
      .innerJoin("users", "users.id", "contacts.contact_id")
      .select(["contacts.contact_id", "users.username", "contacts.is_friend", "contacts.is_family", "contacts.created_at"])
      .where("contacts.owner_id", "=", ownerId)
      .where("users.suspended_at", "is", null)
      .orderBy("users.username_key")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({ contactId: r.contact_id, username: r.username, isFriend: r.is_friend === 1, isFamily: r.is_family === 1, createdAt: r.created_at }));
  }

  async contact(ownerId: number, contactId: number): Promise<{ isFriend: boolean; isFamily: boolean } | undefined> {
    const row = await this.db.selectFrom("contacts").select(["is_friend", "is_family"]).where("owner_id", "=", ownerId).where("contact_id", "=", contactId).executeTakeFirst();
    return row ? { isFriend: row.is_friend === 1, isFamily: row.is_family === 1 } : undefined;
  }

  async countContactsAddedSince(ownerId: number, since: number): Promise<number> {
    const row = await this.db.selectFrom("contacts").select((eb) => eb.fn.countAll<number>().as("n")).where("owner_id", "=", ownerId).where("created_at", ">=", since).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
