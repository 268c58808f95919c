import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import { receiveUpload } from "../photos/upload-receiver.ts";
import type { ExportService } from "./export.ts";
import type { ImportService, ImportView } from "./import.ts";
import { sayImportText } from "./import-text.ts";
import { english } from "../i18n/messages.ts";
import type { AccountRow } from "./repository.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const API = { tags: ["transfer"], security: [{ bearer: [] }] };

/** An import for JSON clients: its notices, reasons and error in English words, as the API's messages are. */
function importJson(item: ImportView) {
  const m = english();
  return {
    ...item,
    error: item.error === null ? null : sayImportText(item.error, m),
    entries: item.entries.map((e) => ({ ...e, reason: e.reason === null ? null : sayImportText(e.reason, m) })),
    notices: item.notices.map((notice) => views.noticeText(notice, m)),
  };
}

export function registerTransferRoutes(app: FastifyInstance, context: AppContext, exports: ExportService, imports: ImportService): void {
  const { config, store } = context;
  const maxImportMb = Math.round(config.maxImportBytes / 1024 / 1024);

  /** Streams the zip; a client that goes away stops the reading of originals at once. */
  const sendExport = (reply: FastifyReply, account: AccountRow) => {
    const controller = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    return reply
      .header("content-type", "application/zip")
      .header("content-disposition", `attachment; filename="${exports.fileName(account)}"`)
      .header("cache-control", "private, no-store")
      .send(exports.stream(account, controller.signal));
  };

  const receive = async (request: FastifyRequest) => {
    const upload = await receiveUpload(request, store.scratchDir, config.maxImportBytes, "zip");
    return imports.start(requireViewer(request), upload);
  };

  app.get(
    "/api/v1/me/export",
    {
      config: { access: "member" },
      schema: { ...API, produces: ["application/zip"], description: "Your whole account as one zip, streamed: every original, a JSON file per photo, account, contacts, faves and albums (README.txt inside describes the layout).", response: withErrors({ 200: schema.ZipResponse }, 401) },
    },
    async (request, reply) => sendExport(reply, await exports.account(requireViewer(request).username)),
  );

  app.get<{ Params: Static<typeof schema.MemberParams> }>(
    "/api/v1/admin/members/:username/export",
    {
      config: { access: "admin" },
      schema: { ...API, tags: ["admin"], produces: ["application/zip"], description: "A member's whole account as one zip, as the member would get it.", params: schema.MemberParams, response: withErrors({ 200: schema.ZipResponse }, 401, 403, 404) },
    },
    async (request, reply) => sendExport(reply, await exports.account(request.params.username)),
  );

  app.post(
    "/api/v1/imports",
    {
      config: { access: "member" },
      schema: {
        ...API,
        consumes: ["multipart/form-data"],
        description: `Multipart field file: a zip of a Flickr data export (any of its zips; send each) or of a Pinhole export, up to ${maxImportMb} MB (PINHOLE_MAX_IMPORT_MB). Answers 202 at once; the import runs as a job: follow it at GET /api/v1/imports/{id}.`,
        response: withErrors({ 202: schema.ImportJson }, 400, 401, 403, 413, 422, 507),
      },
    },
    async (request, reply) => {
      const started = await receive(request);
      return reply.code(202).header("location", `/api/v1/imports/${started.id}`).send(importJson(started));
    },
  );

  app.get(
    "/api/v1/imports",
    { config: { access: "member" }, schema: { ...API, description: "Your latest imports, newest first.", response: withErrors({ 200: schema.ImportListJson }, 401) } },
    async (request) => ({ imports: (await imports.list(requireViewer(request))).map(importJson) }),
  );

  app.get<{ Params: Static<typeof schema.ImportParams> }>(
    "/api/v1/imports/:id",
    { config: { access: "member" }, schema: { ...API, description: "An import's progress: photo files in all, imported, already here, failed (with reasons).", params: schema.ImportParams, response: withErrors({ 200: schema.ImportJson }, 400, 401, 404) } },
    async (request) => importJson(await imports.get(requireViewer(request), Number(request.params.id))),
  );

  // ---- Web pages ----
  app.get("/imports", { config: { access: "member" } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, views.importsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), maxImportMb, imports: await imports.list(viewer) }));
  });

  app.post("/imports", { config: { access: "member" }, schema: { querystring: schema.CsrfQuery } }, async (request, reply) => {
    const started = await receive(request);
    return reply.redirect(`/imports/${started.id}`, 303);
  });

  app.get<{ Params: Static<typeof schema.ImportParams> }>("/imports/:id", { config: { access: "member" }, schema: { params: schema.ImportParams } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, views.importPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), item: await imports.get(viewer, Number(request.params.id)) }));
  });
}
