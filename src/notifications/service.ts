import type { Clock } from "../clock.ts";
import type { Viewer } from "../users/service.ts";
import type { NewNotification, NotificationRow, NotificationsRepository } from "./repository.ts";
import { audienceOf } from "../photos/visibility.ts";

export const NOTIFICATIONS_PAGE_SIZE = 50;

/**
 * Records notifications for members: a comment or fave on their photo, a new contact, a group
 * invitation. Nobody is told about their own actions. Every domain that notifies goes through
 * here; the notifications page and API read them back.
 */
export class Notifier {
  constructor(private readonly deps: { notifications: NotificationsRepository; clock: Clock }) {}

  async notify(notification: NewNotification): Promise<void> {
    if (notification.actorId !== null && notification.actorId === notification.userId) return;
    await this.deps.notifications.add(notification, this.deps.clock.now());
  }

  /** Like notify, but not again when the member was already told (a fave taken back and given again). */
  async notifyOnce(notification: NewNotification): Promise<void> {
    if (notification.actorId !== null && notification.actorId === notification.userId) return;
    if (await this.deps.notifications.exists(notification)) return;
    await this.deps.notifications.add(notification, this.deps.clock.now());
  }

  /** One page, newest first; `markRead` marks the ones on it read (the page does, the API does not). */
  async page(viewer: Viewer, page: number, options: { markRead: boolean }): Promise<{ items: NotificationRow[]; page: number; hasMore: boolean; unread: number }> {
    const audience = audienceOf(viewer);
    const rows = await this.deps.notifications.list(audience, NOTIFICATIONS_PAGE_SIZE + 1, (page - 1) * NOTIFICATIONS_PAGE_SIZE);
    const items = rows.slice(0, NOTIFICATIONS_PAGE_SIZE);
    if (options.markRead) await this.deps.notifications.markRead(viewer.id, items.filter((n) => !n.read).map((n) => n.id), this.deps.clock.now());
    const unread = await this.deps.notifications.unreadCount(audience);
    return { items, page, hasMore: rows.length > NOTIFICATIONS_PAGE_SIZE, unread };
  }

  unreadCount(viewer: Pick<Viewer, "id" | "showsRestricted">): Promise<number> {
    return this.deps.notifications.unreadCount(audienceOf(viewer));
  }
}

