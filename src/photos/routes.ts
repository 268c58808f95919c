import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { AppError, NotFoundError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, sendHtml } from "../web/forms.ts";
import { PhotoPages } from "./photo-page.ts";
import { normalizeTag } from "./tags.ts";
import { receiveUpload } from "./upload-receiver.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";
import { memberPreviewHead } from "../embeds/views.ts";
import { removeTempFile } from "../storage/scratch.ts";

const GRID_PAGE_SIZE = 60;
const ORIGINAL_TYPES: Record<string, string> = {
  jpeg: "image/jpeg", png: "image/png", gif: "image/gif", webp: "image/webp", avif: "image/avif", heif: "image/heif", tiff: "image/tiff",
};

export function registerPhotoRoutes(app: FastifyInstance, context: AppContext): void {
  const { photos, users, config, store, quotas, metrics } = context;
  const maxUploadMb = Math.round(config.maxUploadBytes / 1024 / 1024);
  const photoPages = new PhotoPages({ photos, sections: context.photoPageSections, cache: context.photoPageCache, counted: (outcome) => metrics.countPhotoPage(outcome) });

  // The quota is checked before the body is read (its declared length bounds the file's size),
  // then with the file's real size before anything is stored: over quota, nothing is kept.
  const uploadWithinQuota = async (request: FastifyRequest) => {
    const viewer = requireViewer(request);
    const hold = await quotas.admit(viewer.id, declaredLength(request));
    try {
      const upload = await receiveUpload(request, store.scratchDir, config.maxUploadBytes);
      const quota = await hold.confirm(upload.bytes).catch(async (error: unknown) => {
        await removeTempFile(upload.tempPath);
        throw error;
      });
      return await photos.upload(viewer, upload, quota);
    } finally {
      hold.release();
    }
  };

  /** Every upload's outcome is counted for /metrics, refusals (quota included) and failures alike. */
  const upload = async (request: FastifyRequest) => {
    try {
      const result = await uploadWithinQuota(request);
      metrics.countUpload(result.created ? "created" : "duplicate");
      return result;
    } catch (error) {
      const status = error instanceof AppError ? error.status : ((error as { statusCode?: number }).statusCode ?? 500);
      metrics.countUpload(status < 500 ? "rejected" : "failed");
      throw error;
    }
  };

  const ownerOf = async (username: string) => {
    const owner = await users.findPublicUser(username);
    if (!owner) throw new NotFoundError(wording("errors.memberNotFound"));
    return owner;
  };

  // ---- JSON API ----
  app.post(
    "/api/v1/photos",
    {
      config: { access: "member" },
      schema: {
        tags: ["photos"],
        security: [{ bearer: [] }],
        consumes: ["multipart/form-data"],
        description: "Multipart fields: file (required), title, description, altText (your own text alternative), tags (space-separated, \"quoted phrases\"), visibility, restricted (true or false), license (a licence id; default: your default licence), downloadAllowed (true or false; default: your default).",
        response: withErrors({ 200: schema.PhotoJson, 201: schema.PhotoJson }, 400, 401, 403, 413, 415, 422, 507),
      },
    },
    async (request, reply) => {
      const { photo, created } = await upload(request);
      return reply.code(created ? 201 : 200).send(photo);
    },
  );

  app.get(
    "/api/v1/me/settings/photos",
    { config: { access: "member" }, schema: { tags: ["settings"], security: [{ bearer: [] }], response: withErrors({ 200: schema.PhotoDefaultsJson }, 401) } },
    async (request) => photos.defaults(requireViewer(request)),
  );

  app.put<{ Body: Static<typeof schema.PhotoDefaultsBody> }>(
    "/api/v1/me/settings/photos",
    {
      config: { access: "member" },
      schema: {
        tags: ["settings"],
        security: [{ bearer: [] }],
        description: "The licence, download choice and location audience your new uploads get; photos already uploaded keep theirs.",
        body: schema.PhotoDefaultsBody,
        response: withErrors({ 200: schema.PhotoDefaultsJson }, 400, 401),
      },
    },
    async (request) => photos.setDefaults(requireViewer(request), request.body),
  );

  app.put<{ Params: Static<typeof schema.PhotoIdParams>; Body: Static<typeof schema.LocationBody> }>(
    "/api/v1/photos/:id/location",
    {
      config: { access: "member" },
      schema: { tags: ["photos"], security: [{ bearer: [] }], params: schema.PhotoIdParams, body: schema.LocationBody, response: withErrors({ 200: schema.PhotoJson }, 400, 401, 403, 404) },
    },
    async (request) => photos.setLocation(Number(request.params.id), requireViewer(request), request.body),
  );

  app.delete<{ Params: Static<typeof schema.PhotoIdParams> }>(
    "/api/v1/photos/:id/location",
    { config: { access: "member" }, schema: { tags: ["photos"], security: [{ bearer: [] }], params: schema.PhotoIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await photos.removeLocation(Number(request.params.id), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof schema.PhotoPageParams>; Body: Static<typeof schema.LocationForm> }>(
    "/photos/:username/:id/location",
    { config: { access: "member" }, schema: { params: schema.PhotoPageParams, body: schema.LocationForm } },
    async (request, reply) => {
      const { latitude, longitude, visibility } = request.body;
      const viewer = requireViewer(request);
      const id = Number(request.params.id);
      if (latitude.trim() === "" && longitude.trim() === "") await photos.removeLocation(id, viewer);
      else await photos.setLocation(id, viewer, { latitude: Number(latitude), longitude: Number(longitude), visibility });
      return reply.redirect(`/photos/${viewer.username}/${id}`, 303);
    },
  );

  app.get<{ Querystring: Static<typeof schema.SavedQuery> }>("/settings/photos", { config: { access: "member" }, schema: { querystring: schema.SavedQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, views.photoDefaultsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), defaults: await photos.defaults(viewer), saved: request.query.saved === "1" }));
  });

  app.post<{ Body: Static<typeof schema.PhotoDefaultsForm> }>("/settings/photos", { config: { access: "member" }, schema: { body: schema.PhotoDefaultsForm } }, async (request, reply) => {
    await photos.setDefaults(requireViewer(request), { license: request.body.license, downloadAllowed: request.body.downloadAllowed ?? false, locationVisibility: request.body.locationVisibility });
    return reply.redirect("/settings/photos?saved=1", 303);
  });

  app.get<{ Params: Static<typeof schema.PhotoIdParams> }>(
    "/api/v1/photos/:id",
    { config: { access: "public" }, schema: { tags: ["photos"], params: schema.PhotoIdParams, response: withErrors({ 200: schema.PhotoJson }, 404) } },
    async (request) => photos.get(Number(request.params.id), request.viewer),
  );

  app.patch<{ Params: Static<typeof schema.PhotoIdParams>; Body: Static<typeof schema.PhotoPatchBody> }>(
    "/api/v1/photos/:id",
    {
      config: { access: "member" },
      schema: { tags: ["photos"], security: [{ bearer: [] }], params: schema.PhotoIdParams, body: schema.PhotoPatchBody, response: withErrors({ 200: schema.PhotoJson }, 400, 401, 403, 404) },
    },
    async (request) => photos.update(Number(request.params.id), requireViewer(request), request.body),
  );

  app.put<{ Params: Static<typeof schema.PhotoIdParams> }>(
    "/api/v1/photos/:id/file",
    {
      config: { access: "member" },
      schema: {
        tags: ["photos"],
        security: [{ bearer: [] }],
        consumes: ["multipart/form-data"],
        description:
          "Replaces the photo's file (multipart field file). Title, description, tags, visibility, licence, comments, faves and albums stay; size, camera, exposure and date taken follow the new file, and so does the location unless the photo has one. The image URLs change (the old ones named the old picture). The same file again changes nothing; a file that is already another of your photos is a 409.",
        params: schema.PhotoIdParams,
        response: withErrors({ 200: schema.PhotoJson }, 400, 401, 403, 404, 409, 413, 415, 422, 507),
      },
    },
    async (request) => {
      const viewer = requireViewer(request);
      const received = await receiveUpload(request, store.scratchDir, config.maxUploadBytes);
      try {
        const photo = await photos.replaceFile(Number(request.params.id), viewer, received, (delta) => quotas.checkReplacement(viewer.id, delta));
        metrics.countUpload("created");
        return photo;
      } catch (error) {
        metrics.countUpload(error instanceof AppError && error.status < 500 ? "rejected" : "failed");
        throw error;
      }
    },
  );

  app.delete<{ Params: Static<typeof schema.PhotoIdParams> }>(
    "/api/v1/photos/:id",
    { config: { access: "member" }, schema: { tags: ["photos"], security: [{ bearer: [] }], params: schema.PhotoIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await photos.delete(Number(request.params.id), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams>; Querystring: Static<typeof schema.MemberPhotosQuery> }>(
    "/api/v1/users/:username/photos",
    {
      config: { access: "public" },
      schema: { tags: ["photos"], params: schema.UsernameParams, querystring: schema.MemberPhotosQuery, response: withErrors({ 200: schema.PhotoListJson }, 400, 404) },
    },
    async (request) => {
      const owner = await ownerOf(request.params.username);
      const { cursor, limit, taken, undated } = request.query;
      return photos.list({ viewer: request.viewer, ownerId: owner.id, takenIn: taken, undated, before: cursor, limit: limit ?? 50 });
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams>; Querystring: Static<typeof schema.ArchiveQuery> }>(
    "/api/v1/users/:username/archive",
    {
      config: { access: "public" },
      schema: {
        tags: ["photos"],
        description: "How many of the member's photos you may see were taken in each year, each month of a year, or each day of a month.",
        params: schema.UsernameParams,
        querystring: schema.ArchiveQuery,
        response: withErrors({ 200: schema.ArchiveJson }, 400, 404),
      },
    },
    async (request) => {
      const owner = await ownerOf(request.params.username);
      const within = request.query.within ?? null;
      return { within, ...(await photos.archive(owner.id, request.viewer, within)) };
    },
  );

  app.get<{ Params: Static<typeof schema.CameraParams>; Querystring: Static<typeof schema.PhotoListQuery> }>(
    "/api/v1/cameras/:model/photos",
    { config: { access: "public" }, schema: { tags: ["photos"], params: schema.CameraParams, querystring: schema.PhotoListQuery, response: withErrors({ 200: schema.PhotoListJson }, 400) } },
    async (request) => photos.list({ viewer: request.viewer, cameraModel: request.params.model, before: request.query.cursor, limit: request.query.limit ?? 50 }),
  );

  // ---- Web pages ----
  app.get<{ Querystring: Static<typeof schema.BeforeQuery> }>("/", { config: { access: "public" }, schema: { querystring: schema.BeforeQuery } }, async (request, reply) => {
    const list = await photos.list({ viewer: null, before: request.query.before, limit: GRID_PAGE_SIZE });
    return sendHtml(reply, views.homePage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), list }));
  });

  app.get("/upload", { config: { access: "member" } }, async (request, reply) => {
    const quota = await quotas.usage(requireViewer(request).id);
    return sendHtml(reply, views.uploadPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), maxUploadMb, quota }));
  });

  // The uploader without JavaScript: one photo per post, then its page.
  app.post("/upload", { config: { access: "member" }, schema: { querystring: schema.CsrfQuery } }, async (request, reply) => {
    const { photo } = await upload(request);
    return reply.redirect(`/photos/${photo.owner.username}/${photo.id}`, 303);
  });

  app.get<{ Params: Static<typeof schema.TagParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/tags/:tag",
    { config: { access: "public" }, schema: { params: schema.TagParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const tag = normalizeTag(request.params.tag);
      const list = await photos.list({ viewer: request.viewer, tag, before: request.query.before, limit: GRID_PAGE_SIZE });
      return sendHtml(reply, views.tagPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), tag, username: null, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.UsernameParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username",
    { config: { access: "public" }, schema: { params: schema.UsernameParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const owner = await ownerOf(request.params.username);
      const list = await photos.list({ viewer: request.viewer, ownerId: owner.id, before: request.query.before, limit: GRID_PAGE_SIZE });
      const isOwner = request.viewer?.id === owner.id;
      const csrfToken = memberCsrfToken(request);
      const sections = await context.photostreamSections.render({ owner: { id: owner.id, username: owner.username }, viewer: request.viewer, csrfToken, request });
      const previewHead = memberPreviewHead(owner.username, list.photos, config.baseUrl);
      return sendHtml(reply, views.photostreamPage({ viewer: request.viewer, csrfToken, messages: request.messages(), username: owner.username, list, isOwner, sections, previewHead }));
    },
  );

  // The archive: years → months → a month's calendar → a day, by date taken.
  app.get<{ Params: Static<typeof schema.UsernameParams> }>("/photos/:username/archives", { config: { access: "public" }, schema: { params: schema.UsernameParams } }, async (request, reply) => {
    const owner = await ownerOf(request.params.username);
    const archive = await photos.archive(owner.id, request.viewer, null);
    return sendHtml(reply, views.archiveYearsPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner.username, archive }));
  });

  app.get<{ Params: Static<typeof schema.UsernameParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username/archives/undated",
    { config: { access: "public" }, schema: { params: schema.UsernameParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const owner = await ownerOf(request.params.username);
      const list = await photos.list({ viewer: request.viewer, ownerId: owner.id, undated: true, before: request.query.before, limit: GRID_PAGE_SIZE });
      return sendHtml(reply, views.archivePeriodPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner.username, period: null, counts: null, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.ArchiveYearParams> }>("/photos/:username/archives/:year", { config: { access: "public" }, schema: { params: schema.ArchiveYearParams } }, async (request, reply) => {
    const owner = await ownerOf(request.params.username);
    const counts = await photos.archive(owner.id, request.viewer, request.params.year);
    return sendHtml(reply, views.archiveYearPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner.username, year: request.params.year, counts: counts.periods }));
  });

  app.get<{ Params: Static<typeof schema.ArchiveMonthParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username/archives/:year/:month",
    { config: { access: "public" }, schema: { params: schema.ArchiveMonthParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const owner = await ownerOf(request.params.username);
      const period = `${request.params.year}-${request.params.month}`;
      const [counts, list] = await Promise.all([
        photos.archive(owner.id, request.viewer, period),
        photos.list({ viewer: request.viewer, ownerId: owner.id, takenIn: period, before: request.query.before, limit: GRID_PAGE_SIZE }),
      ]);
      return sendHtml(reply, views.archivePeriodPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner.username, period, counts: counts.periods, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.ArchiveDayParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username/archives/:year/:month/:day",
    { config: { access: "public" }, schema: { params: schema.ArchiveDayParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const owner = await ownerOf(request.params.username);
      const period = `${request.params.year}-${request.params.month}-${request.params.day}`;
      const list = await photos.list({ viewer: request.viewer, ownerId: owner.id, takenIn: period, before: request.query.before, limit: GRID_PAGE_SIZE });
      return sendHtml(reply, views.archivePeriodPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), username: owner.username, period, counts: null, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.CameraParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/cameras/:model",
    { config: { access: "public" }, schema: { params: schema.CameraParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const list = await photos.list({ viewer: request.viewer, cameraModel: request.params.model, before: request.query.before, limit: GRID_PAGE_SIZE });
      return sendHtml(reply, views.cameraPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), model: request.params.model, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.UserTagParams>; Querystring: Static<typeof schema.BeforeQuery> }>(
    "/photos/:username/tags/:tag",
    { config: { access: "public" }, schema: { params: schema.UserTagParams, querystring: schema.BeforeQuery } },
    async (request, reply) => {
      const owner = await ownerOf(request.params.username);
      const tag = normalizeTag(request.params.tag);
      const list = await photos.list({ viewer: request.viewer, ownerId: owner.id, tag, before: request.query.before, limit: GRID_PAGE_SIZE });
      return sendHtml(reply, views.tagPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), tag, username: owner.username, list }));
    },
  );

  app.get<{ Params: Static<typeof schema.PhotoPageParams> }>(
    "/photos/:username/:id",
    { config: { access: "public" }, schema: { params: schema.PhotoPageParams } },
    async (request, reply) => sendHtml(reply, await photoPages.render(request, request.params.username, Number(request.params.id))),
  );

  app.post<{ Params: Static<typeof schema.PhotoPageParams>; Body: Static<typeof schema.EditForm> }>(
    "/photos/:username/:id/edit",
    { config: { access: "member" }, schema: { params: schema.PhotoPageParams, body: schema.EditForm } },
    async (request, reply) => {
      const { title, description, altText, tags, visibility, license } = request.body;
      // The edit form always shows the boxes: not sent means not ticked.
      const restricted = request.body.restricted ?? false;
      const downloadAllowed = request.body.downloadAllowed ?? false;
      const photo = await photos.update(Number(request.params.id), requireViewer(request), { title, description, altText, tags, visibility, restricted, license, downloadAllowed });
      return reply.redirect(`/photos/${photo.owner.username}/${photo.id}`, 303);
    },
  );

  app.post<{ Params: Static<typeof schema.PhotoPageParams> }>(
    "/photos/:username/:id/delete",
    { config: { access: "member" }, schema: { params: schema.PhotoPageParams } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      await photos.delete(Number(request.params.id), viewer);
      return reply.redirect(`/photos/${viewer.username}`, 303);
    },
  );

  // The edit form's "Replace": multipart, so the CSRF token rides in the query as for /upload.
  app.post<{ Params: Static<typeof schema.PhotoPageParams> }>(
    "/photos/:username/:id/replace",
    { config: { access: "member" }, schema: { params: schema.PhotoPageParams, querystring: schema.CsrfQuery } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const received = await receiveUpload(request, store.scratchDir, config.maxUploadBytes);
      const photo = await photos.replaceFile(Number(request.params.id), viewer, received, (delta) => quotas.checkReplacement(viewer.id, delta));
      return reply.redirect(`/photos/${photo.owner.username}/${photo.id}`, 303);
    },
  );

  app.get<{ Params: Static<typeof schema.PhotoPageParams> }>(
    "/photos/:username/:id/original",
    { config: { access: "public" }, schema: { params: schema.PhotoPageParams } },
    async (request, reply: FastifyReply) => {
      const original = await photos.original(Number(request.params.id), request.viewer);
      // Attachment, exact image type, nosniff and a sandbox: a polyglot file can never run as a page.
      return reply
        .type(ORIGINAL_TYPES[original.format] ?? "application/octet-stream")
        .header("content-length", String(original.size))
        .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(original.name)}`)
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("cache-control", "private, no-store")
        .send(original.body);
    },
  );
}

/** The request's Content-Length: an upper bound of the uploaded file's size; null when chunked. */
function declaredLength(request: FastifyRequest): number | null {
  const raw = request.headers["content-length"];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}
