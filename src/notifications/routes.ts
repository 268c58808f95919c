import { messagesUsedBy } from "../i18n/request.ts";
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { htmlBeingSent, sendHtml } from "../web/forms.ts";
import { withUnreadCount } from "../web/layout.ts";
import type { NotificationRow } from "./repository.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

type Paging = { Querystring: Static<typeof schema.PageQuery> };

function present(n: NotificationRow, baseUrl: string) {
  const photo = n.photoId !== null && n.photoOwnerUsername !== null ? { id: String(n.photoId), title: n.photoTitle ?? "", pageUrl: `${baseUrl}/photos/${n.photoOwnerUsername}/${n.photoId}` } : null;
  return {
    id: String(n.id),
    kind: n.kind,
    actor: n.actorUsername ? { username: n.actorUsername } : null,
    photo,
    groupId: n.groupId === null ? null : String(n.groupId),
    read: n.read,
    createdAt: new Date(n.createdAt).toISOString(),
  };
}

/**
 * Fills the unread count into the nav of every HTML page a member gets. A failure to count
 * (the database going away mid-request) leaves the count out rather than failing the page.
 */
export function installUnreadCount(app: FastifyInstance, context: AppContext): void {
  app.addHook("onSend", async (request, reply, payload) => {
    const page = request.viewer && reply.statusCode < 500 ? htmlBeingSent(reply, payload) : null;
    if (!request.viewer || page === null) return payload;
    const unread = await context.notifier.unreadCount(request.viewer).catch(() => 0);
    return withUnreadCount(page, unread, messagesUsedBy(request));
  });
}

export function registerNotificationRoutes(app: FastifyInstance, context: AppContext): void {
  const { notifier, config } = context;

  app.get<Paging>(
    "/api/v1/notifications",
    {
      config: { access: "member" },
      schema: { tags: ["notifications"], security: [{ bearer: [] }], querystring: schema.PageQuery, response: withErrors({ 200: schema.NotificationListJson }, 400, 401) },
    },
    async (request) => {
      const list = await notifier.page(requireViewer(request), request.query.page ?? 1, { markRead: false });
      return { notifications: list.items.map((n) => present(n, config.baseUrl)), unread: list.unread, page: list.page, nextPage: list.hasMore ? list.page + 1 : null };
    },
  );

  // Viewing the page marks what it shows read; the lines still show which were new.
  app.get<Paging>("/notifications", { config: { access: "member" }, schema: { querystring: schema.PageQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const list = await notifier.page(viewer, request.query.page ?? 1, { markRead: true });
    return sendHtml(reply, views.notificationsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), items: list.items, page: list.page, hasMore: list.hasMore }));
  });
}
