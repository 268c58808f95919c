import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { PhotoIdParams } from "../photos/schema.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

type PhotoId = { Params: Static<typeof PhotoIdParams> };
type NoteId = { Params: Static<typeof schema.NoteIdParams> };

/** Notes on photos, and who may add them to the member's own photos. */
export function registerNoteRoutes(app: FastifyInstance, context: AppContext): void {
  const { notes } = context;
  const writer = { tags: ["notes"], security: [{ bearer: [] }] };

  app.get<PhotoId>(
    "/api/v1/photos/:id/notes",
    { config: { access: "public" }, schema: { tags: ["notes"], params: PhotoIdParams, response: withErrors({ 200: schema.NoteListJson }, 404) } },
    async (request) => {
      const photoId = Number(request.params.id);
      const list = await notes.list(photoId, request.viewer);
      return { notes: list, canAdd: await notes.mayAdd(photoId, request.viewer) };
    },
  );

  app.post<PhotoId & { Body: Static<typeof schema.NoteBody> }>(
    "/api/v1/photos/:id/notes",
    { config: { access: "member" }, schema: { ...writer, params: PhotoIdParams, body: schema.NoteBody, response: withErrors({ 201: schema.NoteJson }, 400, 401, 403, 404) } },
    async (request, reply) => reply.code(201).send(await notes.add(Number(request.params.id), requireViewer(request), request.body)),
  );

  app.patch<NoteId & { Body: Static<typeof schema.NotePatchBody> }>(
    "/api/v1/notes/:id",
    { config: { access: "member" }, schema: { ...writer, params: schema.NoteIdParams, body: schema.NotePatchBody, response: withErrors({ 200: schema.NoteJson }, 400, 401, 403, 404) } },
    async (request) => notes.update(Number(request.params.id), requireViewer(request), request.body),
  );

  app.delete<NoteId>(
    "/api/v1/notes/:id",
    { config: { access: "member" }, schema: { ...writer, params: schema.NoteIdParams, response: withErrors({ 204: { type: "null" } }, 401, 403, 404) } },
    async (request, reply) => {
      await notes.delete(Number(request.params.id), requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/me/settings/notes",
    { config: { access: "member" }, schema: { ...writer, tags: ["settings"], response: withErrors({ 200: schema.NotePermissionJson }, 401) } },
    async (request) => ({ permission: await notes.permission(requireViewer(request)) }),
  );

  app.put<{ Body: Static<typeof schema.NotePermissionJson> }>(
    "/api/v1/me/settings/notes",
    {
      config: { access: "member" },
      schema: {
        ...writer,
        tags: ["settings"],
        description: "Who may add notes to your photos: owner (only you), contacts (members you added), friends (contacts you marked friend or family), everyone.",
        body: schema.NotePermissionJson,
        response: withErrors({ 200: schema.NotePermissionJson }, 400, 401),
      },
    },
    async (request) => ({ permission: await notes.setPermission(requireViewer(request), request.body.permission) }),
  );

  // ---- Web pages ----
  app.get<{ Querystring: Static<typeof schema.SavedQuery> }>("/settings/notes", { config: { access: "member" }, schema: { querystring: schema.SavedQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, views.noteSettingsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), permission: await notes.permission(viewer), saved: request.query.saved === "1" }));
  });

  app.post<{ Body: Static<typeof schema.NoteSettingsForm> }>("/settings/notes", { config: { access: "member" }, schema: { body: schema.NoteSettingsForm } }, async (request, reply) => {
    await notes.setPermission(requireViewer(request), request.body.permission);
    return reply.redirect("/settings/notes?saved=1", 303);
  });
}
