import { sql, type Kysely } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database } from "../db/schema.ts";
import { visibleTo } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export type WebmentionPolicy = "show" | "approve" | "off";

export interface WebmentionRow {
  id: number;
  photoId: number;
  photoOwnerId: number;
  source: string;
  status: "pending" | "approved";
  title: string;
  authorName: string | null;
  authorUrl: string | null;
  verifiedAt: number;
}

/** A photo a mention may point at: one anyone may see, with its owner's policy. */
export interface MentionTarget {
  photoId: number;
  ownerId: number;
  ownerUsername: string;
  policy: WebmentionPolicy;
}

const ANONYMOUS: Audience = { viewerId: null, showsRestricted: false };

function toRow(row: { id: number; photo_id: number; photo_owner_id: number; source: string; status: "pending" | "approved"; title: string; author_name: string | null; author_url: string | null; verified_at: number }): WebmentionRow {
  return { id: Number(row.id), photoId: Number(row.photo_id), photoOwnerId: Number(row.photo_owner_id), source: row.source, status: row.status, title: row.title, authorName: row.author_name, authorUrl: row.author_url, verifiedAt: Number(row.verified_at) };
}

/** For the photo page: has the photo any webmentions (pending ones too)? */
export const photoHasMentions: PhotoProbe = sql<boolean>`exists (select 1 from webmentions where webmentions.photo_id = photos.id)`;

export class WebmentionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The photo if anyone may see it (public, not restricted or hidden, its owner not suspended). */
  async target(photoId: number): Promise<MentionTarget | undefined> {
    const row = await this.db
      .selectFrom("photos")
      .innerJoin("users", "users.id", "photos.owner_id")
      .select(["photos.id", "photos.owner_id", "users.username", "users.webmention_policy"])
      .where("photos.id", "=", photoId)
      .where("users.suspended_at", "is", null)
      .where(visibleTo(ANONYMOUS, "photos"))
      .executeTakeFirst();
    return row ? { photoId: Number(row.id), ownerId: Number(row.owner_id), ownerUsername: row.username, policy: row.webmention_policy as WebmentionPolicy } : undefined;
  }

  /** Keeps a verified mention: new ones with the status given, known ones refreshed and never demoted from approved. */
  async upsert(mention: { photoId: number; photoOwnerId: number; source: string; status: "pending" | "approved"; title: string; authorName: string | null; authorUrl: string | null; now: number }): Promise<void> {
    await this.db
      .insertInto("webmentions")
      .values({ photo_id: mention.photoId, photo_owner_id: mention.photoOwnerId, source: mention.source, status: mention.status, title: mention.title, author_name: mention.authorName, author_url: mention.authorUrl, received_at: mention.now, verified_at: mention.now })
      .onConflict((oc) => oc.columns(["photo_id", "source"]).doUpdateSet({ title: mention.title, author_name: mention.authorName, author_url: mention.authorUrl, verified_at: mention.now }))
      .execute();
  }

  async removeBySource(photoId: number, source: string): Promise<void> {
    await this.db.deleteFrom("webmentions").where("photo_id", "=", photoId).where("source", "=", source).execute();
  }

  async forPhoto(photoId: number, includePending: boolean, limit: number): Promise<WebmentionRow[]> {
    let query = this.db.selectFrom("webmentions").selectAll().where("photo_id", "=", photoId);
    if (!includePending) query = query.where("status", "=", "approved");
    const rows = await query.orderBy("verified_at", "desc").orderBy("id", "desc").limit(limit).execute();
    return rows.map(toRow);
  }

  async find(id: number): Promise<WebmentionRow | undefined> {
    const row = await this.db.selectFrom("webmentions").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  async approve(id: number): Promise<void> {
    await this.db.updateTable("webmentions").set({ status: "approved" }).where("id", "=", id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("webmentions").where("id", "=", id).execute();
  }

  async policy(userId: number): Promise<WebmentionPolicy> {
    const row = await this.db.selectFrom("users").select("webmention_policy").where("id", "=", userId).executeTakeFirstOrThrow();
    return row.webmention_policy as WebmentionPolicy;
  }

  async setPolicy(userId: number, policy: WebmentionPolicy): Promise<void> {
    await this.db.updateTable("users").set({ webmention_policy: policy }).where("id", "=", userId).execute();
  }
}
