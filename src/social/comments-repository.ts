import { sql, type Kysely } from "kysely";
import type { PhotoProbe } from "../db/photo-probes.ts";
import type { Database } from "../db/schema.ts";
import { visibleTo } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export interface CommentRow {
  id: number;
  photoId: number;
  authorId: number;
  authorUsername: string;
  /** For a comment imported from another site: its author's name there (the row's author is the photo's owner). */
  importedAuthor: string | null;
  photoOwnerUsername: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

export interface CommentRef {
  id: number;
  photoId: number;
  authorId: number;
  photoOwnerId: number;
  photoOwnerUsername: string;
  hidden: boolean;
}

/** For the photo page: has the photo any comments (hidden ones too)? */
export const photoHasComments: PhotoProbe = sql<boolean>`exists (select 1 from comments where comments.photo_id = photos.id)`;

/** Every query about comments; photos.comment_count moves in the same transaction as the row. */
export class CommentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async photoOwner(photoId: number): Promise<number | undefined> {
    const row = await this.db.selectFrom("photos").select("owner_id").where("id", "=", photoId).executeTakeFirst();
    return row?.owner_id;
  }

  async add(photoId: number, authorId: number, body: string, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("comments")
        .values((eb) => ({ photo_id: photoId, photo_owner_id: eb.selectFrom("photos").select("owner_id").where("id", "=", photoId), author_id: authorId, body, created_at: now, updated_at: now, hidden_at: null }))
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx.updateTable("photos").set((eb) => ({ comment_count: eb("comment_count", "+", 1) })).where("id", "=", photoId).execute();
      return Number(row.id);
    });
  }

  async find(id: number): Promise<CommentRef | undefined> {
    const row = await this.db
      .selectFrom("comments")
      .innerJoin("photos", "photos.id", "comments.photo_id")
      .innerJoin("users as owner", "owner.id", "photos.owner_id")
      .select(["comments.id", "comments.photo_id", "comments.author_id", "comments.hidden_at", "photos.owner_id", "owner.username"])
      .where("comments.id", "=", id)
      .executeTakeFirst();
    return row ? { id: Number(row.id), photoId: row.photo_id, authorId: row.author_id, photoOwnerId: row.owner_id, photoOwnerUsername: row.username, hidden: row.hidden_at !== null } : undefined;
  }

  async get(id: number): Promise<CommentRow | undefined> {
    const row = await this.selectComments().where("comments.id", "=", id).executeTakeFirst();
    return row ? toComment(row) : undefined;
  }

  async update(id: number, body: string, now: number): Promise<void> {
    await this.db.updateTable("comments").set({ body, updated_at: now }).where("id", "=", id).execute();
  }

  /** A hidden comment was already left out of the count when it was hidden. */
  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const gone = await trx.deleteFrom("comments").where("id", "=", id).returning(["photo_id", "hidden_at"]).executeTakeFirst();
      if (gone && gone.hidden_at === null) {
        await trx.updateTable("photos").set((eb) => ({ comment_count: eb("comment_count", "-", 1) })).where("id", "=", gone.photo_id).execute();
      }
    });
  }

  /** The photo's shown comments, oldest first: not hidden, author not suspended. */
  async forPhoto(photoId: number, limit: number, offset: number): Promise<CommentRow[]> {
    const rows = await this.selectComments().where("comments.photo_id", "=", photoId).where("comments.hidden_at", "is", null).orderBy("comments.id").limit(limit).offset(offset).execute();
    return rows.map(toComment);
  }

  /**
   * The latest comments on a member's photos that the audience may see, newest first, each with
   * its photo's title (read by the photo's owner and time, migration 0005).
   */
  async recentOnPhotosOf(ownerId: number, audience: Audience, limit: number): Promise<Array<CommentRow & { photoTitle: string }>> {
    const rows = await this.selectComments()
      .select("photos.title as photo_title")
      .where("comments.photo_owner_id", "=", ownerId)
      .where("comments.hidden_at", "is", null)
      .where("owner.suspended_at", "is", null)
      .where(visibleTo(audience, "photos"))
      .orderBy("comments.created_at", "desc")
      .orderBy("comments.id", "desc")
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...toComment(row), photoTitle: row.photo_title }));
  }

  /** Comments the member wrote since `since`, and the time of the oldest of them. */
  async recentBy(authorId: number, since: number): Promise<{ count: number; oldest: number | null }> {
    const row = await this.db
      .selectFrom("comments")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("created_at").as("oldest")])
      .where("author_id", "=", authorId)
      .where("created_at", ">=", since)
      .executeTakeFirstOrThrow();
    return { count: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
  }

  private selectComments() {
    return this.db
      .selectFrom("comments")
      .innerJoin("users", "users.id", "comments.author_id")
      .innerJoin("photos", "photos.id", "comments.photo_id")
      .innerJoin("users as owner", "owner.id", "photos.owner_id")
      .select(["comments.id", "comments.photo_id", "comments.author_id", "users.username", "owner.username as owner_username", "comments.body", "comments.created_at", "comments.updated_at", "comments.imported_author"])
      .where("users.suspended_at", "is", null);
  }
}

function toComment(row: { id: number; photo_id: number; author_id: number; username: string; owner_username: string; body: string; created_at: number; updated_at: number; imported_author: string | null }): CommentRow {
  return { id: Number(row.id), photoId: row.photo_id, authorId: row.author_id, authorUsername: row.username, importedAuthor: row.imported_author, photoOwnerUsername: row.owner_username, body: row.body, createdAt: row.created_at, updatedAt: row.updated_at };
}
