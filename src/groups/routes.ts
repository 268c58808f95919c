import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { InvalidError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, safeNextPath, sendHtml } from "../web/forms.ts";
import { PhotoListJson } from "../photos/schema.ts";
import type { GroupService, GroupView, ThreadView } from "./service.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

type IdParams = { Params: Static<typeof schema.GroupIdParams> };
type Body<T> = { Body: T };
const POOL_PAGE_SIZE = 60;

function threadJson(t: ThreadView) {
  return { id: t.id, title: t.title, text: t.text, author: t.author, createdAt: t.createdAt, lastReplyAt: t.lastReplyAt, replyCount: t.replyCount };
}

/** Groups through the JSON API (by id) and their pages and forms (by slug). */
export function registerGroupRoutes(app: FastifyInstance, context: AppContext, groups: GroupService): void {
  const { baseUrl } = context.config;
  const groupJson = (g: GroupView) => ({ ...g, pageUrl: `${baseUrl}/groups/${g.slug}` });
  const byId = (params: { id: string }) => ({ id: Number(params.id) });
  const tags = ["groups"];
  const member = { tags, security: [{ bearer: [] }] };

  // ---- JSON API ----
  app.get<{ Querystring: Static<typeof schema.PageQuery> }>(
    "/api/v1/groups",
    { config: { access: "public" }, schema: { tags, querystring: schema.PageQuery, response: withErrors({ 200: schema.GroupListJson }, 400) } },
    async (request) => ({ groups: (await groups.list(request.viewer, request.query.page ?? 1)).map(groupJson) }),
  );

  app.post<Body<Static<typeof schema.CreateGroupBody>>>(
    "/api/v1/groups",
    { config: { access: "member" }, schema: { ...member, body: schema.CreateGroupBody, response: withErrors({ 201: schema.GroupJson }, 400, 401, 409) } },
    async (request, reply) => reply.code(201).send(groupJson(await groups.create(requireViewer(request), request.body))),
  );

  app.get<IdParams>(
    "/api/v1/groups/:id",
    { config: { access: "public" }, schema: { tags, params: schema.GroupIdParams, response: withErrors({ 200: schema.GroupJson }, 404) } },
    async (request) => groupJson(await groups.get(byId(request.params), request.viewer)),
  );

  app.put<IdParams>(
    "/api/v1/groups/:id/members/me",
    { config: { access: "member" }, schema: { ...member, params: schema.GroupIdParams, response: withErrors({ 200: schema.MembershipJson, 201: schema.MembershipJson }, 401, 403, 404) } },
    async (request, reply) => {
      const { group, joined } = await groups.join(byId(request.params), requireViewer(request));
      return reply.code(joined ? 201 : 200).send({ group: groupJson(group), role: group.role });
    },
  );

  app.delete<IdParams>(
    "/api/v1/groups/:id/members/me",
    { config: { access: "member" }, schema: { ...member, params: schema.GroupIdParams, response: withErrors({ 204: { type: "null" } }, 401, 404, 409) } },
    async (request, reply) => {
      await groups.leave(byId(request.params), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.get<IdParams>(
    "/api/v1/groups/:id/members",
    { config: { access: "public" }, schema: { tags, params: schema.GroupIdParams, response: withErrors({ 200: schema.MemberListJson }, 403, 404) } },
    async (request) => ({ members: await groups.members(byId(request.params), request.viewer) }),
  );

  app.put<{ Params: Static<typeof schema.MemberParams> } & Body<Static<typeof schema.RoleBody>>>(
    "/api/v1/groups/:id/members/:username",
    { config: { access: "member" }, schema: { ...member, params: schema.MemberParams, body: schema.RoleBody, response: withErrors({ 200: schema.MemberJson }, 400, 401, 403, 404, 409) } },
    async (request) => groups.setRole(byId(request.params), requireViewer(request), request.params.username, request.body.role),
  );

  app.delete<{ Params: Static<typeof schema.MemberParams> }>(
    "/api/v1/groups/:id/members/:username",
    { config: { access: "member" }, schema: { ...member, params: schema.MemberParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404, 409) } },
    async (request, reply) => {
      await groups.removeMember(byId(request.params), requireViewer(request), request.params.username);
      return reply.code(204).send();
    },
  );

  app.post<IdParams & Body<Static<typeof schema.InviteBody>>>(
    "/api/v1/groups/:id/invitations",
    { config: { access: "member" }, schema: { ...member, params: schema.GroupIdParams, body: schema.InviteBody, response: withErrors({ 200: schema.InvitationJson, 201: schema.InvitationJson }, 400, 401, 403, 404, 409) } },
    async (request, reply) => {
      const { username, created } = await groups.invite(byId(request.params), requireViewer(request), request.body.username);
      return reply.code(created ? 201 : 200).send({ username });
    },
  );

  app.get<IdParams & { Querystring: Static<typeof schema.PoolQuery> }>(
    "/api/v1/groups/:id/pool",
    { config: { access: "public" }, schema: { tags, params: schema.GroupIdParams, querystring: schema.PoolQuery, response: withErrors({ 200: PhotoListJson }, 400, 403, 404) } },
    async (request) => groups.pool(byId(request.params), request.viewer, request.query.cursor, request.query.limit ?? 50),
  );

  app.post<IdParams & Body<Static<typeof schema.PoolBody>>>(
    "/api/v1/groups/:id/pool",
    { config: { access: "member" }, schema: { ...member, params: schema.GroupIdParams, body: schema.PoolBody, response: withErrors({ 200: { type: "null" }, 201: { type: "null" } }, 400, 401, 403, 404) } },
    async (request, reply) => {
      const { added } = await groups.addToPool(byId(request.params), requireViewer(request), Number(request.body.photoId));
      return reply.code(added ? 201 : 200).send();
    },
  );

  app.delete<{ Params: Static<typeof schema.PoolPhotoParams> }>(
    "/api/v1/groups/:id/pool/:photoId",
    { config: { access: "member" }, schema: { ...member, params: schema.PoolPhotoParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await groups.removeFromPool(byId(request.params), requireViewer(request), Number(request.params.photoId));
      return reply.code(204).send();
    },
  );

  app.get<IdParams & { Querystring: Static<typeof schema.PageQuery> }>(
    "/api/v1/groups/:id/threads",
    { config: { access: "public" }, schema: { tags, params: schema.GroupIdParams, querystring: schema.PageQuery, response: withErrors({ 200: schema.ThreadListJson }, 400, 403, 404) } },
    async (request) => ({ threads: (await groups.threads(byId(request.params), request.viewer, request.query.page ?? 1)).map(threadJson) }),
  );

  app.post<IdParams & Body<Static<typeof schema.ThreadBody>>>(
    "/api/v1/groups/:id/threads",
    { config: { access: "member" }, schema: { ...member, params: schema.GroupIdParams, body: schema.ThreadBody, response: withErrors({ 201: schema.ThreadJson }, 400, 401, 403, 404) } },
    async (request, reply) => reply.code(201).send(threadJson(await groups.createThread(byId(request.params), requireViewer(request), request.body))),
  );

  app.get<{ Params: Static<typeof schema.ThreadParams> }>(
    "/api/v1/groups/:id/threads/:threadId",
    { config: { access: "public" }, schema: { tags, params: schema.ThreadParams, response: withErrors({ 200: schema.ThreadWithRepliesJson }, 403, 404) } },
    async (request) => {
      const { thread, replies } = await groups.thread(byId(request.params), request.viewer, Number(request.params.threadId));
      return { thread: threadJson(thread), replies };
    },
  );

  app.delete<{ Params: Static<typeof schema.ThreadParams> }>(
    "/api/v1/groups/:id/threads/:threadId",
    { config: { access: "member" }, schema: { ...member, params: schema.ThreadParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await groups.deleteThread(byId(request.params), requireViewer(request), Number(request.params.threadId));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof schema.ThreadParams> }>(
    "/api/v1/groups/:id/threads/:threadId/replies",
    { config: { access: "public" }, schema: { tags, params: schema.ThreadParams, response: withErrors({ 200: schema.ReplyListJson }, 403, 404) } },
    async (request) => ({ replies: (await groups.thread(byId(request.params), request.viewer, Number(request.params.threadId))).replies }),
  );

  app.post<{ Params: Static<typeof schema.ThreadParams> } & Body<Static<typeof schema.ReplyBody>>>(
    "/api/v1/groups/:id/threads/:threadId/replies",
    { config: { access: "member" }, schema: { ...member, params: schema.ThreadParams, body: schema.ReplyBody, response: withErrors({ 201: schema.ReplyJson }, 400, 401, 403, 404) } },
    async (request, reply) => reply.code(201).send(await groups.reply(byId(request.params), requireViewer(request), Number(request.params.threadId), request.body)),
  );

  app.delete<{ Params: Static<typeof schema.ReplyParams> }>(
    "/api/v1/groups/:id/threads/:threadId/replies/:replyId",
    { config: { access: "member" }, schema: { ...member, params: schema.ReplyParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      const { id, threadId, replyId } = request.params;
      await groups.deleteReply({ id: Number(id) }, requireViewer(request), Number(threadId), Number(replyId));
      return reply.code(204).send();
    },
  );

  // ---- pages and their forms (no JavaScript needed; every form carries the CSRF token) ----
  type Slug = { Params: Static<typeof schema.SlugParams> };
  const bySlug = (params: { slug: string }) => ({ slug: params.slug });
  const shell = (request: FastifyRequest, csrfToken: string) => ({ viewer: request.viewer, csrfToken, messages: request.messages() });

  app.get<{ Querystring: Static<typeof schema.PageQuery> }>("/groups", { config: { access: "public" }, schema: { querystring: schema.PageQuery } }, async (request, reply) => {
    const [list, invitations] = await Promise.all([groups.list(request.viewer, request.query.page ?? 1), request.viewer ? groups.invitations(request.viewer) : []]);
    return sendHtml(reply, views.groupsPage({ ...shell(request, memberCsrfToken(request)), groups: list, invitations }));
  });

  app.post<Body<Static<typeof schema.CreateGroupForm>>>("/groups", { config: { access: "member" }, schema: { body: schema.CreateGroupForm } }, async (request, reply) => {
    const group = await groups.create(requireViewer(request), request.body);
    return reply.redirect(`/groups/${group.slug}`, 303);
  });

  // The photo page's "Add to group" form names the group in a field.
  app.post<Body<Static<typeof schema.PhotoPageAddForm>>>("/groups/pool", { config: { access: "member" }, schema: { body: schema.PhotoPageAddForm } }, async (request, reply) => {
    const group = await groups.addToPool({ slug: request.body.slug }, requireViewer(request), photoIdOf(request.body.photoId));
    return reply.redirect(safeNextPath(request.body.next, `/groups/${group.group.slug}`), 303);
  });

  app.get<Slug & { Querystring: Static<typeof schema.BeforeQuery> }>(
    "/groups/:slug",
    { config: { access: "public" }, schema: { params: schema.SlugParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const group = await groups.get(bySlug(request.params), request.viewer);
      const [pool, threads, members] = group.canRead
        ? await Promise.all([groups.pool(group, request.viewer, request.query.before, POOL_PAGE_SIZE), groups.threads(group, request.viewer, 1), groups.members(group, request.viewer)])
        : [null, null, null];
      return sendHtml(reply, views.groupPage({ ...shell(request, memberCsrfToken(request)), group, pool, threads, members }));
    },
  );

  const back = (slug: string, rest = "") => `/groups/${slug}${rest}`;

  app.post<Slug & Body<Static<typeof schema.CsrfForm>>>("/groups/:slug/join", { config: { access: "member" }, schema: { params: schema.SlugParams, body: schema.CsrfForm } }, async (request, reply) => {
    await groups.join(bySlug(request.params), requireViewer(request));
    return reply.redirect(back(request.params.slug), 303);
  });

  app.post<Slug & Body<Static<typeof schema.CsrfForm>>>("/groups/:slug/leave", { config: { access: "member" }, schema: { params: schema.SlugParams, body: schema.CsrfForm } }, async (request, reply) => {
    await groups.leave(bySlug(request.params), requireViewer(request));
    return reply.redirect(back(request.params.slug), 303);
  });

  app.post<Slug & Body<Static<typeof schema.InviteForm>>>("/groups/:slug/invitations", { config: { access: "member" }, schema: { params: schema.SlugParams, body: schema.InviteForm } }, async (request, reply) => {
    await groups.invite(bySlug(request.params), requireViewer(request), request.body.username);
    return reply.redirect(back(request.params.slug, "#members"), 303);
  });

  app.post<{ Params: Static<typeof schema.SlugMemberParams> } & Body<Static<typeof schema.RoleForm>>>(
    "/groups/:slug/members/:username/role",
    { config: { access: "member" }, schema: { params: schema.SlugMemberParams, body: schema.RoleForm } },
    async (request, reply) => {
      await groups.setRole(bySlug(request.params), requireViewer(request), request.params.username, request.body.role);
      return reply.redirect(back(request.params.slug, "#members"), 303);
    },
  );

  app.post<{ Params: Static<typeof schema.SlugMemberParams> } & Body<Static<typeof schema.CsrfForm>>>(
    "/groups/:slug/members/:username/remove",
    { config: { access: "member" }, schema: { params: schema.SlugMemberParams, body: schema.CsrfForm } },
    async (request, reply) => {
      await groups.removeMember(bySlug(request.params), requireViewer(request), request.params.username);
      return reply.redirect(back(request.params.slug, "#members"), 303);
    },
  );

  app.post<Slug & Body<Static<typeof schema.PoolForm>>>("/groups/:slug/pool", { config: { access: "member" }, schema: { params: schema.SlugParams, body: schema.PoolForm } }, async (request, reply) => {
    await groups.addToPool(bySlug(request.params), requireViewer(request), photoIdOf(request.body.photoId));
    return reply.redirect(safeNextPath(request.body.next, back(request.params.slug, "#pool")), 303);
  });

  app.post<{ Params: Static<typeof schema.SlugPhotoParams> } & Body<Static<typeof schema.NextForm>>>(
    "/groups/:slug/pool/:photoId/remove",
    { config: { access: "member" }, schema: { params: schema.SlugPhotoParams, body: schema.NextForm } },
    async (request, reply) => {
      await groups.removeFromPool(bySlug(request.params), requireViewer(request), Number(request.params.photoId));
      return reply.redirect(safeNextPath(request.body.next, back(request.params.slug, "#pool")), 303);
    },
  );

  app.get<Slug & { Querystring: Static<typeof schema.PageQuery> }>(
    "/groups/:slug/discuss",
    { config: { access: "public" }, schema: { params: schema.SlugParams, querystring: schema.PageQuery } },
    async (request, reply) => {
      const group = await groups.get(bySlug(request.params), request.viewer);
      const page = request.query.page ?? 1;
      const threads = await groups.threads(group, request.viewer, page);
      return sendHtml(reply, views.threadsPage({ ...shell(request, memberCsrfToken(request)), group, threads, page }));
    },
  );

  app.post<Slug & Body<Static<typeof schema.ThreadForm>>>("/groups/:slug/discuss", { config: { access: "member" }, schema: { params: schema.SlugParams, body: schema.ThreadForm } }, async (request, reply) => {
    const thread = await groups.createThread(bySlug(request.params), requireViewer(request), request.body);
    return reply.redirect(back(request.params.slug, `/discuss/${thread.id}`), 303);
  });

  app.get<{ Params: Static<typeof schema.SlugThreadParams> }>(
    "/groups/:slug/discuss/:threadId",
    { config: { access: "public" }, schema: { params: schema.SlugThreadParams } },
    async (request, reply) => {
      const { group, thread, replies } = await groups.thread(bySlug(request.params), request.viewer, Number(request.params.threadId));
      return sendHtml(reply, views.threadPage({ ...shell(request, memberCsrfToken(request)), group, thread, replies }));
    },
  );

  app.post<{ Params: Static<typeof schema.SlugThreadParams> } & Body<Static<typeof schema.ReplyForm>>>(
    "/groups/:slug/discuss/:threadId",
    { config: { access: "member" }, schema: { params: schema.SlugThreadParams, body: schema.ReplyForm } },
    async (request, reply) => {
      const created = await groups.reply(bySlug(request.params), requireViewer(request), Number(request.params.threadId), request.body);
      return reply.redirect(back(request.params.slug, `/discuss/${request.params.threadId}#reply-${created.id}`), 303);
    },
  );

  app.post<{ Params: Static<typeof schema.SlugThreadParams> } & Body<Static<typeof schema.CsrfForm>>>(
    "/groups/:slug/discuss/:threadId/delete",
    { config: { access: "member" }, schema: { params: schema.SlugThreadParams, body: schema.CsrfForm } },
    async (request, reply) => {
      await groups.deleteThread(bySlug(request.params), requireViewer(request), Number(request.params.threadId));
      return reply.redirect(back(request.params.slug, "/discuss"), 303);
    },
  );

  app.post<{ Params: Static<typeof schema.SlugReplyParams> } & Body<Static<typeof schema.CsrfForm>>>(
    "/groups/:slug/discuss/:threadId/replies/:replyId/delete",
    { config: { access: "member" }, schema: { params: schema.SlugReplyParams, body: schema.CsrfForm } },
    async (request, reply) => {
      const { slug, threadId, replyId } = request.params;
      await groups.deleteReply({ slug }, requireViewer(request), Number(threadId), Number(replyId));
      return reply.redirect(back(slug, `/discuss/${threadId}`), 303);
    },
  );
}

function photoIdOf(value: string): number {
  const id = /^[1-9][0-9]{0,17}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(id)) throw new InvalidError(wording("errors.group.photoNumber"), { field: "photoId" });
  return id;
}
