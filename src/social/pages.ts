import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { ForbiddenError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

type Username = { Params: Static<typeof schema.UsernameParams> };
type Paging = { Querystring: Static<typeof schema.PageQuery> };

/** Contacts and blocks as pages and plain forms; every form goes back to the member's photostream. */
export function registerContactPages(app: FastifyInstance, context: AppContext): void {
  const { social } = context;
  const form = { config: { access: "member" as const }, schema: { params: schema.UsernameParams, body: schema.ContactForm } };
  const backTo = (username: string) => `/photos/${encodeURIComponent(username)}`;

  app.post<Username>("/people/:username/follow", form, async (request, reply) => {
    await social.setContact(requireViewer(request), request.params.username, {});
    return reply.redirect(backTo(request.params.username), 303);
  });

  app.post<Username>("/people/:username/unfollow", form, async (request, reply) => {
    await social.removeContact(requireViewer(request), request.params.username);
    return reply.redirect(backTo(request.params.username), 303);
  });

  // Unchecked boxes are not sent: a missing field means "no".
  app.post<Username & { Body: Static<typeof schema.ContactForm> }>("/people/:username/contact", form, async (request, reply) => {
    await social.setContact(requireViewer(request), request.params.username, { friend: request.body.friend === "on", family: request.body.family === "on" });
    return reply.redirect(backTo(request.params.username), 303);
  });

  app.post<Username>("/people/:username/block", form, async (request, reply) => {
    await social.block(requireViewer(request), request.params.username);
    return reply.redirect(backTo(request.params.username), 303);
  });

  app.post<Username>("/people/:username/unblock", form, async (request, reply) => {
    await social.unblock(requireViewer(request), request.params.username);
    return reply.redirect(backTo(request.params.username), 303);
  });

  app.get<Username & Paging>(
    "/people/:username/contacts",
    { config: { access: "member" }, schema: { params: schema.UsernameParams, querystring: schema.PageQuery } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      if (viewer.username.toLowerCase() !== request.params.username.toLowerCase()) throw new ForbiddenError(wording("errors.contact.listOwnOnly"));
      const list = await social.contactsPage(viewer, request.query.page ?? 1);
      return sendHtml(reply, views.contactsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), username: viewer.username, contacts: list.items, page: list.page, hasMore: list.hasMore }));
    },
  );
}
