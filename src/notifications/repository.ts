import { sql, type Kysely, type SqlBool } from "kysely";
import type { Database, NotificationsTable } from "../db/schema.ts";
import { ownerActive, visibleTo } from "../photos/repository.ts";
import type { Audience } from "../photos/visibility.ts";

export interface NewNotification {
  userId: number;
  kind: NotificationsTable["kind"];
  actorId: number | null;
  photoId?: number | null;
  groupId?: number | null;
  commentId?: number | null;
}

export interface NotificationRow {
  id: number;
  kind: NotificationsTable["kind"];
  actorUsername: string | null;
  photoId: number | null;
  photoTitle: string | null;
  photoOwnerUsername: string | null;
  groupId: number | null;
  groupSlug: string | null;
  groupName: string | null;
  createdAt: number;
  read: boolean;
}

/** Every query about in-site notifications. */
export class NotificationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async add(notification: NewNotification, now: number): Promise<void> {
    await this.db
      .insertInto("notifications")
      .values({
        user_id: notification.userId,
        kind: notification.kind,
        actor_id: notification.actorId,
        photo_id: notification.photoId ?? null,
        group_id: notification.groupId ?? null,
        comment_id: notification.commentId ?? null,
        created_at: now,
        read_at: null,
      })
      .execute();
  }

  /** Whether the member was already told this actor did this to this photo. */
  async exists(notification: NewNotification): Promise<boolean> {
    let query = this.db.selectFrom("notifications").select("id").where("user_id", "=", notification.userId).where("kind", "=", notification.kind);
    query = notification.actorId === null ? query.where("actor_id", "is", null) : query.where("actor_id", "=", notification.actorId);
    query = notification.photoId == null ? query.where("photo_id", "is", null) : query.where("photo_id", "=", notification.photoId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  /**
   * The member's notifications, newest first. One about a photo the member can no longer see
   * (hidden, made private, its owner suspended) is left out, so it reveals nothing.
   */
  private visibleOnes(audience: Audience & { viewerId: number }) {
    return this.db
      .selectFrom("notifications as n")
      .leftJoin("photos", "photos.id", "n.photo_id")
      .where("n.user_id", "=", audience.viewerId)
      .where(sql<SqlBool>`(n.photo_id is null or (${visibleTo(audience)} and ${ownerActive()}))`);
  }

  async list(audience: Audience & { viewerId: number }, limit: number, offset: number): Promise<NotificationRow[]> {
    const rows = await this.visibleOnes(audience)
      .leftJoin("users as actor", (join) => join.onRef("actor.id", "=", "n.actor_id").on("actor.suspended_at", "is", null))
      .leftJoin("users as photo_owner", "photo_owner.id", "photos.owner_id")
      .leftJoin("groups", "groups.id", "n.group_id")
      .select([
        "n.id",
        "n.kind",
        "actor.username as actor_username",
        "photos.id as photo_id",
        "photos.title as photo_title",
        "photo_owner.username as photo_owner_username",
        "groups.id as group_id",
        "groups.slug as group_slug",
        "groups.name as group_name",
        "n.created_at",
        "n.read_at",
      ])
      .orderBy("n.id", "desc")
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      actorUsername: r.actor_username,
      photoId: r.photo_id,
      photoTitle: r.photo_title,
      photoOwnerUsername: r.photo_owner_username,
      groupId: r.group_id === null ? null : Number(r.group_id),
      groupSlug: r.group_slug,
      groupName: r.group_name,
      createdAt: r.created_at,
      read: r.read_at !== null,
    }));
  }

  async unreadCount(audience: Audience & { viewerId: number }): Promise<number> {
    const row = await this.visibleOnes(audience)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("n.read_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async markRead(userId: number, ids: number[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable("notifications").set({ read_at: now }).where("user_id", "=", userId).where("id", "in", ids).where("read_at", "is", null).execute();
  }
}
