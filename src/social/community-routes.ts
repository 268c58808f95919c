import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { handleForm, memberCsrfToken, sendHtml } from "../web/forms.ts";
import type { CommentRow } from "./comments-repository.ts";
import { nextPage, presentComment, presentFaver } from "./presenter.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

type PhotoId = { Params: Static<typeof schema.PhotoIdParams> };
type CommentId = { Params: Static<typeof schema.CommentIdParams> };
type PhotoPage = { Params: Static<typeof schema.PhotoPageParams> };
type Paging = { Querystring: Static<typeof schema.PageQuery> };
type Username = { Params: Static<typeof schema.UsernameParams> };

/** Faves and comments: the JSON API, the forms on the photo page, and a member's faves page. */
export function registerCommunityRoutes(app: FastifyInstance, context: AppContext): void {
  const { faves, comments } = context;
  const memberFaves = { config: { access: "member" as const }, schema: { tags: ["faves"], security: [{ bearer: [] }], params: schema.PhotoIdParams, response: withErrors({ 200: schema.FaveStateJson }, 401, 403, 404) } };

  // ---- Faves API ----
  app.put<PhotoId>("/api/v1/photos/:id/fave", memberFaves, async (request) => faves.fave(requireViewer(request), Number(request.params.id)));
  app.delete<PhotoId>("/api/v1/photos/:id/fave", memberFaves, async (request) => faves.unfave(requireViewer(request), Number(request.params.id)));

  app.get<PhotoId & Paging>(
    "/api/v1/photos/:id/faves",
    { config: { access: "public" }, schema: { tags: ["faves"], params: schema.PhotoIdParams, querystring: schema.PageQuery, response: withErrors({ 200: schema.FaverListJson }, 400, 404) } },
    async (request) => {
      const list = await faves.favers(Number(request.params.id), request.viewer, request.query.page ?? 1);
      return { faveCount: list.faveCount, faves: list.items.map(presentFaver), page: list.page, nextPage: nextPage(list) };
    },
  );

  app.get<Username & Paging>(
    "/api/v1/users/:username/faves",
    { config: { access: "public" }, schema: { tags: ["faves"], params: schema.UsernameParams, querystring: schema.PageQuery, response: withErrors({ 200: schema.FavedPhotosJson }, 400, 404) } },
    async (request) => {
      const list = await faves.favedPhotos(request.params.username, request.viewer, request.query.page ?? 1);
      return { photos: list.items, page: list.page, nextPage: nextPage(list) };
    },
  );

  // ---- Comments API ----
  app.get<PhotoId & Paging>(
    "/api/v1/photos/:id/comments",
    { config: { access: "public" }, schema: { tags: ["comments"], params: schema.PhotoIdParams, querystring: schema.PageQuery, response: withErrors({ 200: schema.CommentListJson }, 400, 404) } },
    async (request) => {
      const list = await comments.list(Number(request.params.id), request.viewer, request.query.page ?? 1);
      return { comments: list.items.map(presentComment), page: list.page, nextPage: nextPage(list) };
    },
  );

  app.post<PhotoId & { Body: Static<typeof schema.CommentBody> }>(
    "/api/v1/photos/:id/comments",
    {
      config: { access: "member" },
      schema: { tags: ["comments"], security: [{ bearer: [] }], params: schema.PhotoIdParams, body: schema.CommentBody, response: withErrors({ 201: schema.CommentJson }, 400, 401, 403, 404, 429) },
    },
    async (request, reply) => reply.code(201).send(presentComment(await comments.add(requireViewer(request), Number(request.params.id), request.body.text))),
  );

  app.patch<CommentId & { Body: Static<typeof schema.CommentBody> }>(
    "/api/v1/comments/:id",
    {
      config: { access: "member" },
      schema: { tags: ["comments"], security: [{ bearer: [] }], params: schema.CommentIdParams, body: schema.CommentBody, response: withErrors({ 200: schema.CommentJson }, 400, 401, 403, 404) },
    },
    async (request) => presentComment(await comments.edit(requireViewer(request), Number(request.params.id), request.body.text)),
  );

  app.delete<CommentId>(
    "/api/v1/comments/:id",
    { config: { access: "member" }, schema: { tags: ["comments"], security: [{ bearer: [] }], params: schema.CommentIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await comments.delete(requireViewer(request), Number(request.params.id));
      return reply.code(204).send();
    },
  );

  // ---- Forms on the photo page (no JavaScript needed) ----
  const backToPhoto = (params: { username: string; id: string }, anchor: string) => `/photos/${encodeURIComponent(params.username)}/${params.id}#${anchor}`;

  app.post<PhotoPage>("/photos/:username/:id/fave", { config: { access: "member" }, schema: { params: schema.PhotoPageParams } }, async (request, reply) => {
    await faves.fave(requireViewer(request), Number(request.params.id));
    return reply.redirect(backToPhoto(request.params, "faves"), 303);
  });

  app.post<PhotoPage>("/photos/:username/:id/unfave", { config: { access: "member" }, schema: { params: schema.PhotoPageParams } }, async (request, reply) => {
    await faves.unfave(requireViewer(request), Number(request.params.id));
    return reply.redirect(backToPhoto(request.params, "faves"), 303);
  });

  app.post<PhotoPage & { Body: Static<typeof schema.CommentForm> }>(
    "/photos/:username/:id/comments",
    { config: { access: "member" }, schema: { params: schema.PhotoPageParams, body: schema.CommentForm } },
    async (request, reply) => {
      const comment = await comments.add(requireViewer(request), Number(request.params.id), request.body.text);
      return reply.redirect(backToPhoto(request.params, `comment-${comment.id}`), 303);
    },
  );

  app.post<CommentId>("/comments/:id/delete", { config: { access: "member" }, schema: { params: schema.CommentIdParams } }, async (request, reply) => {
    const { photoId, photoOwnerUsername } = await comments.delete(requireViewer(request), Number(request.params.id));
    return reply.redirect(`/photos/${encodeURIComponent(photoOwnerUsername)}/${photoId}#comments`, 303);
  });

  app.get<CommentId>("/comments/:id/edit", { config: { access: "member" }, schema: { params: schema.CommentIdParams } }, async (request, reply) => {
    const comment = await comments.forEditing(requireViewer(request), Number(request.params.id));
    return sendHtml(reply, views.editCommentPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), comment }));
  });

  // A refused edit (too long, too many links) shows the form again with what was typed.
  app.post<CommentId & { Body: Static<typeof schema.CommentForm> }>(
    "/comments/:id/edit",
    { config: { access: "member" }, schema: { params: schema.CommentIdParams, body: schema.CommentForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const id = Number(request.params.id);
      let edited: CommentRow | undefined;
      const done = await handleForm(
        reply,
        async () => (edited = await comments.edit(viewer, id, request.body.text)),
        async (message) => views.editCommentPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), comment: await comments.forEditing(viewer, id), message, text: request.body.text }),
      );
      if (done && edited) return reply.redirect(`/photos/${encodeURIComponent(edited.photoOwnerUsername)}/${edited.photoId}#comment-${edited.id}`, 303);
      return reply;
    },
  );

  // ---- A member's faves page ----
  app.get<Username & Paging>(
    "/photos/:username/favorites",
    { config: { access: "public" }, schema: { params: schema.UsernameParams, querystring: schema.PageQuery } },
    async (request, reply) => {
      const list = await faves.favedPhotos(request.params.username, request.viewer, request.query.page ?? 1);
      return sendHtml(reply, views.favoritesPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: list.username, photos: list.items, page: list.page, hasMore: list.hasMore }));
    },
  );
}
