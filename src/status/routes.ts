import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import type { MaintenanceState } from "../ops/maintenance.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { handleForm, sendHtml } from "../web/forms.ts";
import { atomFeed } from "./feed.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

/** Recent incidents on the admin page. */
const ADMIN_INCIDENTS = 50;

function maintenanceJson(state: MaintenanceState): Static<typeof schema.MaintenanceJson> {
  return { enabled: state.enabled, message: state.message, since: state.since === null ? null : new Date(state.since).toISOString() };
}

/**
 * The status page, its feed and the incidents API read no session ("no-session"), so they
 * answer while the database is down; the incidents then come from the copy on disk.
 * Admin writes here stay open in read-only maintenance: that is when they are needed.
 */
export function registerStatusRoutes(app: FastifyInstance, context: AppContext): void {
  const { status, maintenance, config } = context;

  // ---- JSON API ----
  app.get<{ Querystring: Static<typeof schema.IncidentListQuery> }>(
    "/api/v1/incidents",
    { config: { access: "no-session" }, schema: { tags: ["status"], querystring: schema.IncidentListQuery, response: withErrors({ 200: schema.IncidentListJson }, 400, 503) } },
    async (request, reply) => reply.header("cache-control", "no-cache").send(await status.listIncidents(request.query.limit)),
  );

  app.post<{ Body: Static<typeof schema.CreateIncidentBody> }>(
    "/api/v1/incidents",
    {
      config: { access: "admin", maintenance: "allowed" },
      schema: { tags: ["status"], security: [{ bearer: [] }], body: schema.CreateIncidentBody, response: withErrors({ 201: schema.IncidentJson }, 400, 401, 403) },
    },
    async (request, reply) => reply.code(201).send(await status.postIncident(requireViewer(request), request.body)),
  );

  app.post<{ Params: Static<typeof schema.IncidentIdParams>; Body: Static<typeof schema.IncidentUpdateBody> }>(
    "/api/v1/incidents/:id/updates",
    {
      config: { access: "admin", maintenance: "allowed" },
      schema: {
        tags: ["status"],
        security: [{ bearer: [] }],
        description: "A resolved incident takes only updates with the status resolved; post a new incident if the problem is back.",
        params: schema.IncidentIdParams,
        body: schema.IncidentUpdateBody,
        response: withErrors({ 201: schema.IncidentJson }, 400, 401, 403, 404, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await status.postUpdate(requireViewer(request), Number(request.params.id), request.body)),
  );

  app.get(
    "/api/v1/maintenance",
    { config: { access: "no-session" }, schema: { tags: ["maintenance"], response: { 200: schema.MaintenanceJson } } },
    async (_request, reply) => reply.header("cache-control", "no-cache").send(maintenanceJson(maintenance.current())),
  );

  app.put<{ Body: Static<typeof schema.MaintenanceBody> }>(
    "/api/v1/maintenance",
    {
      config: { access: "admin", maintenance: "allowed" },
      schema: {
        tags: ["maintenance"],
        security: [{ bearer: [] }],
        description: "Read-only maintenance for every server (within about 2 s): pages and the API keep answering reads; writes get 503 with the message.",
        body: schema.MaintenanceBody,
        response: withErrors({ 200: schema.MaintenanceJson }, 400, 401, 403),
      },
    },
    async (request) => maintenanceJson(await maintenance.set(request.body.enabled, request.body.message)),
  );

  // ---- Public pages ----
  // In the visitor's language from the lang cookie or Accept-Language: "no-session" reads no member, so none of their settings.
  app.get("/status", { config: { access: "no-session" } }, async (request, reply) => sendHtml(reply, views.statusPage({ ...(await status.page()), messages: request.messages() })));

  app.get("/status/feed.atom", { config: { access: "no-session" } }, async (_request, reply) => {
    const list = await status.listIncidents();
    const feed = atomFeed({ baseUrl: config.baseUrl, incidents: list.incidents, fallbackUpdated: new Date(0).toISOString() });
    return reply.type("application/atom+xml; charset=utf-8").header("cache-control", "no-cache").send(feed);
  });

  // ---- Admin pages ----
  const incidentsPage = async (request: FastifyRequest, extra: { error?: string; values?: views.IncidentFormValues } = {}) =>
    views.adminIncidentsPage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages: request.messages(), incidents: (await status.listIncidents(ADMIN_INCIDENTS)).incidents, ...extra });

  app.get("/admin/incidents", { config: { access: "admin" } }, async (request, reply) => sendHtml(reply, await incidentsPage(request)));

  app.post<{ Body: Static<typeof schema.IncidentForm> }>(
    "/admin/incidents",
    { config: { access: "admin", maintenance: "allowed" }, schema: { body: schema.IncidentForm } },
    async (request, reply) => {
      const { title, impact, status: state, body } = request.body;
      const done = await handleForm(reply, () => status.postIncident(requireViewer(request), { title, impact, status: state, body }), (error) =>
        incidentsPage(request, { error, values: { title, impact, status: state, body } }),
      );
      return done ? reply.redirect("/admin/incidents", 303) : reply;
    },
  );

  app.post<{ Params: Static<typeof schema.IncidentIdParams>; Body: Static<typeof schema.IncidentUpdateForm> }>(
    "/admin/incidents/:id/updates",
    { config: { access: "admin", maintenance: "allowed" }, schema: { params: schema.IncidentIdParams, body: schema.IncidentUpdateForm } },
    async (request, reply) => {
      const done = await handleForm(reply, () => status.postUpdate(requireViewer(request), Number(request.params.id), request.body), (error) => incidentsPage(request, { error }));
      return done ? reply.redirect(`/admin/incidents#incident-${request.params.id}`, 303) : reply;
    },
  );

  app.get("/admin/maintenance", { config: { access: "admin" } }, async (request, reply) =>
    sendHtml(reply, views.adminMaintenancePage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages: request.messages(), state: maintenance.current() })),
  );

  app.post<{ Body: Static<typeof schema.MaintenanceForm> }>(
    "/admin/maintenance",
    { config: { access: "admin", maintenance: "allowed" }, schema: { body: schema.MaintenanceForm } },
    async (request, reply) => {
      const state = await maintenance.set(request.body.enabled === "on", request.body.message);
      const messages = request.messages();
      const notice = messages.t(state.enabled ? "maintenance.switchedOn" : "maintenance.switchedOff");
      return sendHtml(reply, views.adminMaintenancePage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages, state, notice }));
    },
  );
}
