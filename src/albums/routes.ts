import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { InvalidError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, safeNextPath, sendHtml } from "../web/forms.ts";
import { ruleFromForm } from "./rules.ts";
import type { AlbumService } from "./service.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";
import { albumPreviewHead } from "../embeds/views.ts";

type IdParams = { Params: Static<typeof schema.AlbumIdParams> };
type Body<T> = { Body: T };
const PAGE_SIZE = 60;
/** The owner's page shows the whole album (up to this many), so it can be reordered at once. */
const OWNER_PAGE_SIZE = 500;

function idOf(value: string, field: string): number {
  const id = /^[1-9][0-9]{0,17}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(id)) throw new InvalidError(wording("errors.field.number", { field }), { field });
  return id;
}

/** Albums and collections: the JSON API, the pages under /photos/{username}/, and their forms. */
export function registerAlbumRoutes(app: FastifyInstance, context: AppContext, albums: AlbumService): void {
  const { photos } = context;
  const tags = ["albums"];
  const member = { tags, security: [{ bearer: [] }] };
  const visibleTo = (request: FastifyRequest) => (photoId: number) => photos.isVisible(photoId, request.viewer);

  // ---- JSON API: albums ----
  app.post<Body<Static<typeof schema.CreateAlbumBody>>>(
    "/api/v1/albums",
    { config: { access: "member" }, schema: { ...member, description: "With `rule`, a smart album: its photos are those of yours the rule matches, whenever it is read.", body: schema.CreateAlbumBody, response: withErrors({ 201: schema.AlbumJson }, 400, 401, 409) } },
    async (request, reply) => reply.code(201).send(await albums.create(requireViewer(request), request.body)),
  );

  app.get<IdParams & { Querystring: Static<typeof schema.AlbumPageQuery> }>(
    "/api/v1/albums/:id",
    { config: { access: "public" }, schema: { tags, params: schema.AlbumIdParams, querystring: schema.AlbumPageQuery, response: withErrors({ 200: schema.AlbumWithPhotosJson }, 400, 404) } },
    async (request) => albums.page(Number(request.params.id), request.viewer, request.query.cursor, request.query.limit ?? 50),
  );

  app.patch<IdParams & Body<Static<typeof schema.PatchAlbumBody>>>(
    "/api/v1/albums/:id",
    { config: { access: "member" }, schema: { ...member, params: schema.AlbumIdParams, body: schema.PatchAlbumBody, response: withErrors({ 200: schema.AlbumJson }, 400, 401, 403, 404, 409) } },
    async (request) => albums.update(Number(request.params.id), requireViewer(request), request.body),
  );

  app.delete<IdParams>(
    "/api/v1/albums/:id",
    { config: { access: "member" }, schema: { ...member, description: "The album goes; its photos stay.", params: schema.AlbumIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await albums.delete(Number(request.params.id), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.post<IdParams & Body<Static<typeof schema.PhotoIdsBody>>>(
    "/api/v1/albums/:id/photos",
    {
      config: { access: "member" },
      schema: { ...member, description: "Adds your photos at the end, all or none; photos already in the album stay where they are.", params: schema.AlbumIdParams, body: schema.PhotoIdsBody, response: withErrors({ 200: schema.AddedJson }, 400, 401, 403, 404, 409) },
    },
    async (request) => albums.addPhotos(Number(request.params.id), requireViewer(request), request.body.photoIds, visibleTo(request)),
  );

  app.delete<IdParams & Body<Static<typeof schema.PhotoIdsBody>>>(
    "/api/v1/albums/:id/photos",
    {
      config: { access: "member" },
      schema: { ...member, description: "Removes your photos from the album, all or none (the photos stay in your photostream).", params: schema.AlbumIdParams, body: schema.PhotoIdsBody, response: withErrors({ 204: { type: "null" } }, 400, 401, 403, 404, 409) },
    },
    async (request, reply) => {
      await albums.removePhotos(Number(request.params.id), requireViewer(request), request.body.photoIds, visibleTo(request));
      return reply.code(204).send();
    },
  );

  app.put<IdParams & Body<Static<typeof schema.OrderBody>>>(
    "/api/v1/albums/:id/order",
    { config: { access: "member" }, schema: { ...member, params: schema.AlbumIdParams, body: schema.OrderBody, response: withErrors({ 204: { type: "null" } }, 400, 401, 403, 404, 409) } },
    async (request, reply) => {
      await albums.reorder(Number(request.params.id), requireViewer(request), request.body.photoIds);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams> }>(
    "/api/v1/users/:username/albums",
    { config: { access: "public" }, schema: { tags, description: "The member's albums you may see, newest first.", params: schema.UsernameParams, response: withErrors({ 200: schema.AlbumListJson }, 404) } },
    async (request) => ({ albums: await albums.listForMember(request.params.username, request.viewer) }),
  );

  // ---- JSON API: collections ----
  type CollectionParams = { Params: Static<typeof schema.CollectionIdParams> };
  app.post<Body<Static<typeof schema.CreateCollectionBody>>>(
    "/api/v1/collections",
    { config: { access: "member" }, schema: { ...member, body: schema.CreateCollectionBody, response: withErrors({ 201: schema.CollectionJson }, 400, 401) } },
    async (request, reply) => reply.code(201).send(await albums.createCollection(requireViewer(request), request.body)),
  );

  app.get<CollectionParams>(
    "/api/v1/collections/:id",
    { config: { access: "public" }, schema: { tags, params: schema.CollectionIdParams, response: withErrors({ 200: schema.CollectionJson }, 404) } },
    async (request) => albums.getCollection(Number(request.params.id), request.viewer),
  );

  app.patch<CollectionParams & Body<Static<typeof schema.PatchCollectionBody>>>(
    "/api/v1/collections/:id",
    { config: { access: "member" }, schema: { ...member, params: schema.CollectionIdParams, body: schema.PatchCollectionBody, response: withErrors({ 200: schema.CollectionJson }, 400, 401, 403, 404) } },
    async (request) => albums.updateCollection(Number(request.params.id), requireViewer(request), request.body),
  );

  app.delete<CollectionParams>(
    "/api/v1/collections/:id",
    { config: { access: "member" }, schema: { ...member, description: "The collection goes; its albums stay.", params: schema.CollectionIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await albums.deleteCollection(Number(request.params.id), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams> }>(
    "/api/v1/users/:username/collections",
    { config: { access: "public" }, schema: { tags, description: "The member's collections you may see, each with the albums you may see.", params: schema.UsernameParams, response: withErrors({ 200: schema.CollectionListJson }, 404) } },
    async (request) => ({ collections: await albums.listCollections(request.params.username, request.viewer) }),
  );

  // ---- pages ----
  app.get<{ Params: Static<typeof schema.UsernameParams> }>("/photos/:username/albums", { config: { access: "public" }, schema: { params: schema.UsernameParams } }, async (request, reply) => {
    const list = await albums.listForMember(request.params.username, request.viewer);
    const owner = await context.users.findPublicUser(request.params.username);
    const username = owner?.username ?? request.params.username;
    return sendHtml(reply, views.albumsPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username, albums: list, isOwner: request.viewer?.id === owner?.id }));
  });

  app.get<{ Params: Static<typeof schema.AlbumPageParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username/albums/:id",
    { config: { access: "public" }, schema: { params: schema.AlbumPageParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const isOwner = request.viewer?.username.toLowerCase() === request.params.username.toLowerCase();
      const albumPage = await albums.page(Number(request.params.id), request.viewer, request.query.before, isOwner ? OWNER_PAGE_SIZE : PAGE_SIZE, request.params.username);
      const previewHead = albumPreviewHead(albumPage.album, `${context.config.baseUrl}/photos/${albumPage.album.owner.username}/albums/${albumPage.album.id}`, albumPage.photos, context.config.baseUrl);
      return sendHtml(reply, views.albumPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), page: albumPage, previewHead }));
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams> }>("/photos/:username/collections", { config: { access: "public" }, schema: { params: schema.UsernameParams } }, async (request, reply) => {
    const collections = await albums.listCollections(request.params.username, request.viewer);
    const owner = await context.users.findPublicUser(request.params.username);
    const isOwner = request.viewer !== null && request.viewer.id === owner?.id;
    const ownAlbums = isOwner ? await albums.listForMember(request.params.username, request.viewer) : [];
    return sendHtml(reply, views.collectionsPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner?.username ?? request.params.username, collections, isOwner, ownAlbums }));
  });

  app.get<{ Params: Static<typeof schema.CollectionPageParams> }>(
    "/photos/:username/collections/:id",
    { config: { access: "public" }, schema: { params: schema.CollectionPageParams } },
    async (request, reply) => {
      const collection = await albums.getCollection(Number(request.params.id), request.viewer, request.params.username);
      const ownAlbums = collection.canEdit ? await albums.listForMember(request.params.username, request.viewer) : [];
      return sendHtml(reply, views.collectionPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), collection, ownAlbums }));
    },
  );

  // ---- forms (no JavaScript needed; each carries the CSRF token) ----
  const albumPath = (username: string, id: number) => `/photos/${username}/albums/${id}`;

  app.post<Body<Static<typeof schema.NewAlbumForm>>>("/albums/new", { config: { access: "member" }, schema: { body: schema.NewAlbumForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const { title, description, photoId, next } = request.body;
    // The photo is checked before the album exists, so a bad one leaves nothing behind.
    const photo = photoId ? idOf(photoId, "photoId") : null;
    if (photo !== null && !(await photos.get(photo, viewer)).canEdit) throw new InvalidError(wording("errors.album.ownPhotosOnly"), { field: "photoId" });
    const album = await albums.create(viewer, { title, description });
    if (photo !== null) await albums.addPhotos(album.id, viewer, [photo], visibleTo(request));
    return reply.redirect(safeNextPath(next, albumPath(viewer.username, album.id)), 303);
  });

  app.post<Body<Static<typeof schema.NewSmartAlbumForm>>>("/albums/new-smart", { config: { access: "member" }, schema: { body: schema.NewSmartAlbumForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const album = await albums.create(viewer, { title: request.body.title, description: request.body.description, rule: ruleFromForm(request.body) });
    return reply.redirect(albumPath(viewer.username, album.id), 303);
  });

  app.post<IdParams & Body<Static<typeof schema.RuleEditForm>>>("/albums/:id/rule", { config: { access: "member" }, schema: { params: schema.AlbumIdParams, body: schema.RuleEditForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const album = await albums.update(Number(request.params.id), viewer, { rule: ruleFromForm(request.body) });
    return reply.redirect(albumPath(viewer.username, album.id), 303);
  });

  app.post<Body<Static<typeof schema.AddToAlbumForm>>>("/albums/add", { config: { access: "member" }, schema: { body: schema.AddToAlbumForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const albumId = idOf(request.body.albumId, "albumId");
    await albums.addPhotos(albumId, viewer, [idOf(request.body.photoId, "photoId")], visibleTo(request));
    return reply.redirect(safeNextPath(request.body.next, albumPath(viewer.username, albumId)), 303);
  });

  app.post<IdParams & Body<Static<typeof schema.EditAlbumForm>>>("/albums/:id/edit", { config: { access: "member" }, schema: { params: schema.AlbumIdParams, body: schema.EditAlbumForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const { title, description, coverPhotoId } = request.body;
    const album = await albums.update(Number(request.params.id), viewer, { title, description, coverPhotoId: coverPhotoId === undefined ? undefined : coverPhotoId || null });
    return reply.redirect(albumPath(viewer.username, album.id), 303);
  });

  app.post<IdParams & Body<Static<typeof schema.CsrfForm>>>("/albums/:id/delete", { config: { access: "member" }, schema: { params: schema.AlbumIdParams, body: schema.CsrfForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    await albums.delete(Number(request.params.id), viewer);
    return reply.redirect(`/photos/${viewer.username}/albums`, 303);
  });

  app.post<{ Params: Static<typeof schema.AlbumPhotoParams> } & Body<Static<typeof schema.MoveForm>>>(
    "/albums/:id/photos/:photoId/move",
    { config: { access: "member" }, schema: { params: schema.AlbumPhotoParams, body: schema.MoveForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const id = Number(request.params.id);
      await albums.move(id, viewer, Number(request.params.photoId), request.body.direction);
      return reply.redirect(albumPath(viewer.username, id), 303);
    },
  );

  app.post<{ Params: Static<typeof schema.AlbumPhotoParams> } & Body<Static<typeof schema.CsrfForm>>>(
    "/albums/:id/photos/:photoId/remove",
    { config: { access: "member" }, schema: { params: schema.AlbumPhotoParams, body: schema.CsrfForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const id = Number(request.params.id);
      await albums.removePhotos(id, viewer, [request.params.photoId], visibleTo(request));
      return reply.redirect(albumPath(viewer.username, id), 303);
    },
  );

  const albumIdsOf = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

  app.post<Body<Static<typeof schema.CollectionForm>>>("/collections/new", { config: { access: "member" }, schema: { body: schema.CollectionForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const collection = await albums.createCollection(viewer, { title: request.body.title, description: request.body.description, albumIds: albumIdsOf(request.body.albumIds) });
    return reply.redirect(`/photos/${viewer.username}/collections/${collection.id}`, 303);
  });

  app.post<{ Params: Static<typeof schema.CollectionIdParams> } & Body<Static<typeof schema.CollectionForm>>>(
    "/collections/:id/edit",
    { config: { access: "member" }, schema: { params: schema.CollectionIdParams, body: schema.CollectionForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const collection = await albums.updateCollection(Number(request.params.id), viewer, { title: request.body.title, description: request.body.description, albumIds: albumIdsOf(request.body.albumIds) });
      return reply.redirect(`/photos/${viewer.username}/collections/${collection.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof schema.CollectionIdParams> } & Body<Static<typeof schema.CsrfForm>>>(
    "/collections/:id/delete",
    { config: { access: "member" }, schema: { params: schema.CollectionIdParams, body: schema.CsrfForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await albums.deleteCollection(Number(request.params.id), viewer);
      return reply.redirect(`/photos/${viewer.username}/collections`, 303);
    },
  );
}
