import type { Clock } from "../clock.ts";
import type { NewNotification, NotificationsRepository } from "./repository.ts";

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
}
