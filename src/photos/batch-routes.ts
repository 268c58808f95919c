import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { InvalidError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import type { BatchEdit } from "./batch.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

/** Flickr's Organizr showed a hundred photos at a time; so does this page. */
const ORGANIZE_PAGE_SIZE = 100;

type OrganizeForm = Static<typeof schema.OrganizeForm>;

/** The Organizr form, read into the same batch the API takes; empty fields leave things as they are. */
function batchFromForm(form: OrganizeForm): BatchEdit {
  const photoIds = form.photoIds === undefined ? [] : Array.isArray(form.photoIds) ? form.photoIds : [form.photoIds];
  if (form.intent === "delete") {
    if (form.confirmDelete !== "1") throw new InvalidError(wording("errors.batch.confirmDelete"), { field: "confirmDelete" });
    return { photoIds, delete: true };
  }
  const edit: BatchEdit = { photoIds, addTags: form.addTags, removeTags: form.removeTags, visibility: form.visibility, license: form.license, locationVisibility: form.locationVisibility, albumId: form.albumId };
  if (form.restricted === "yes" || form.restricted === "no") edit.restricted = form.restricted === "yes";
  if (form.location === "remove") edit.location = null;
  if (form.location === "set") {
    const latitude = Number(form.latitude ?? "");
    const longitude = Number(form.longitude ?? "");
    if (form.latitude?.trim() === "" || form.longitude?.trim() === "" || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
      throw new InvalidError(wording("errors.batch.needCoordinates"), { field: "latitude" });
    }
    edit.location = { latitude, longitude };
  }
  return edit;
}

export function registerBatchRoutes(app: FastifyInstance, context: AppContext): void {
  const { photos, photoBatch, albums } = context;

  app.post<{ Body: Static<typeof schema.BatchBody> }>(
    "/api/v1/photos/batch",
    {
      config: { access: "member" },
      schema: {
        tags: ["photos"],
        security: [{ bearer: [] }],
        description: "Changes many of your photos at once, all or none: add and remove tags, set visibility, restriction, licence, download choice, location or who sees it — or delete them. A photo that is not yours fails the whole batch with 404.",
        body: schema.BatchBody,
        response: withErrors({ 200: schema.BatchJson }, 400, 401, 404, 409),
      },
    },
    async (request) => photoBatch.apply(requireViewer(request), request.body),
  );

  app.get<{ Querystring: Static<typeof schema.OrganizeQuery> }>("/organize", { config: { access: "member" }, schema: { querystring: schema.OrganizeQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const { before, changed, deleted } = request.query;
    const list = await photos.list({ viewer, ownerId: viewer.id, before, limit: ORGANIZE_PAGE_SIZE });
    const done = changed !== undefined ? { count: Number(changed), deleted: false } : deleted !== undefined ? { count: Number(deleted), deleted: true } : null;
    return sendHtml(reply, views.organizePage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), list, albums: await albums.handMadeAlbums(viewer.id), before: before ?? null, done }));
  });

  app.post<{ Body: OrganizeForm }>("/organize", { config: { access: "member" }, schema: { body: schema.OrganizeForm } }, async (request, reply) => {
    const result = await photoBatch.apply(requireViewer(request), batchFromForm(request.body));
    const before = request.body.before && /^[0-9]{1,18}$/.test(request.body.before) ? `&before=${request.body.before}` : "";
    return reply.redirect(`/organize?${result.deleted ? "deleted" : "changed"}=${result.photoIds.length}${before}`, 303);
  });
}
