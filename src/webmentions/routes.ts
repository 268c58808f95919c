import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import { html } from "../web/html.ts";
import { photoHasMentions } from "./repository.ts";
import * as schema from "./schema.ts";
import type { WebmentionService } from "./service.ts";
import { mentionsSection, policyPage, presentMention } from "./views.ts";

type MentionId = { Params: Static<typeof schema.MentionIdParams> };
const PHOTO_PAGE_ROUTE = "/photos/:username/:id";

export function registerWebmentionRoutes(app: FastifyInstance, context: AppContext, mentions: WebmentionService): void {
  const endpoint = `${context.config.baseUrl}/webmention`;

  app.post<{ Body: Static<typeof schema.ReceiveBody> }>(
    "/webmention",
    {
      // Sent by other servers: no session, no CSRF token, and nothing done but a queued check.
      config: { access: "no-session" },
      schema: {
        tags: ["webmentions"],
        consumes: ["application/x-www-form-urlencoded"],
        description: "W3C Webmention: source (a page) links to target (a public photo page here). Answers 202; the source is fetched and checked later.",
        body: schema.ReceiveBody,
        response: withErrors({ 202: schema.AcceptedJson }, 400, 429),
      },
    },
    async (request, reply) => {
      await mentions.receive(request.body.source, request.body.target, request.ip);
      return reply.code(202).send({ status: "queued", message: "The source will be fetched and checked for a link to the target shortly." });
    },
  );

  // Discovery: the endpoint on every photo page, as a Link header and a <link> element.
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.url === PHOTO_PAGE_ROUTE && request.method === "GET" && reply.statusCode === 200) reply.header("link", `<${endpoint}>; rel="webmention"`);
    return payload;
  });
  const hasMentions = context.photoPageSections.probe(photoHasMentions);
  context.photoPageSections.add(async ({ photo, viewer, csrfToken, request, has }) => {
    const isOwner = viewer?.id !== undefined && photo.canEdit;
    // The page has already let the viewer see the photo.
    const list = has(hasMentions) ? await mentions.forShownPhoto(Number(photo.id), isOwner) : [];
    const messages = request.messages();
    return { head: html`<link rel="webmention" href="${endpoint}">`, body: mentionsSection(list, isOwner, csrfToken, messages), lang: messages.locale };
  }, { sameForVisitors: true });

  app.get<{ Params: Static<typeof schema.PhotoIdParams> }>(
    "/api/v1/photos/:id/webmentions",
    { config: { access: "public" }, schema: { tags: ["webmentions"], params: schema.PhotoIdParams, response: withErrors({ 200: schema.MentionListJson }, 404) } },
    async (request) => {
      const id = Number(request.params.id);
      const isOwner = request.viewer !== null && (await context.photos.get(id, request.viewer)).canEdit;
      return { mentions: (await mentions.forPhoto(id, request.viewer, isOwner)).map(presentMention) };
    },
  );

  const member = { tags: ["webmentions"], security: [{ bearer: [] }] };
  app.post<MentionId>("/api/v1/webmentions/:id/approve", { config: { access: "member" }, schema: { ...member, params: schema.MentionIdParams, response: withErrors({ 200: schema.MentionJson }, 401, 403, 404) } }, async (request) =>
    presentMention(await mentions.approve(Number(request.params.id), requireViewer(request))),
  );
  app.delete<MentionId>("/api/v1/webmentions/:id", { config: { access: "member" }, schema: { ...member, params: schema.MentionIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } }, async (request, reply) => {
    await mentions.delete(Number(request.params.id), requireViewer(request));
    return reply.code(204).send();
  });

  const backToPhoto = async (viewerUsername: string, photoId: number) => `/photos/${viewerUsername}/${photoId}#webmentions`;
  app.post<MentionId & { Body: Static<typeof schema.CsrfForm> }>("/webmentions/:id/approve", { config: { access: "member" }, schema: { params: schema.MentionIdParams, body: schema.CsrfForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const mention = await mentions.approve(Number(request.params.id), viewer);
    return reply.redirect(await backToPhoto(viewer.username, mention.photoId), 303);
  });
  app.post<MentionId & { Body: Static<typeof schema.CsrfForm> }>("/webmentions/:id/delete", { config: { access: "member" }, schema: { params: schema.MentionIdParams, body: schema.CsrfForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const mention = await mentions.delete(Number(request.params.id), viewer);
    return reply.redirect(await backToPhoto(viewer.username, mention.photoId), 303);
  });

  app.get("/api/v1/me/settings/webmentions", { config: { access: "member" }, schema: { ...member, tags: ["settings"], response: withErrors({ 200: schema.PolicyJson }, 401) } }, async (request) => ({
    policy: await mentions.policy(requireViewer(request)),
  }));
  app.put<{ Body: Static<typeof schema.PolicyJson> }>(
    "/api/v1/me/settings/webmentions",
    { config: { access: "member" }, schema: { ...member, tags: ["settings"], body: schema.PolicyJson, response: withErrors({ 200: schema.PolicyJson }, 400, 401) } },
    async (request) => ({ policy: await mentions.setPolicy(requireViewer(request), request.body.policy) }),
  );
  app.get<{ Querystring: Static<typeof schema.SavedQuery> }>("/settings/webmentions", { config: { access: "member" }, schema: { querystring: schema.SavedQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, policyPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), policy: await mentions.policy(viewer), saved: request.query.saved === "1" }));
  });
  app.post<{ Body: Static<typeof schema.PolicyForm> }>("/settings/webmentions", { config: { access: "member" }, schema: { body: schema.PolicyForm } }, async (request, reply) => {
    await mentions.setPolicy(requireViewer(request), request.body.policy);
    return reply.redirect("/settings/webmentions?saved=1", 303);
  });
}
