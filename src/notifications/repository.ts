import type { Kysely } from "kysely";
import type { Database, NotificationsTable } from "../db/schema.ts";

export interface NewNotification {
  userId: number;
  kind: NotificationsTable["kind"];
  actorId: number | null;
  photoId?: number | null;
  groupId?: number | null;
  commentId?: number | null;
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
}
