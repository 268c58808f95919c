import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { AppError } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import { allowanceFromForm } from "./service.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const ADMIN = { access: "admin" } as const;
const API = { tags: ["admin"], security: [{ bearer: [] }] };

type ReturnTo = { q?: string; page?: string };

/** Back to the same search and page of the member list, at the member just changed. */
function adminUrl(form: ReturnTo, username: string): string {
  const params = new URLSearchParams();
  if (form.q) params.set("q", form.q);
  if (form.page && /^\d+$/.test(form.page) && form.page !== "1") params.set("page", form.page);
  const query = params.toString();
  return `/admin${query ? `?${query}` : ""}#member-${username}`;
}

export function registerAdminRoutes(app: FastifyInstance, context: AppContext): void {
  const { admin } = context;

  /** The admin page, with a refusal shown above it (status 4xx) when a form's change was refused. */
  const renderPage = async (request: FastifyRequest, reply: FastifyReply, query: { search?: string; page?: number }, refusal?: AppError) => {
    const overview = await admin.overview(query);
    const messages = request.messages();
    const body = views.adminPage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages, overview, error: refusal?.in(messages) });
    return sendHtml(reply, body, refusal?.status ?? 200);
  };

  /** Runs a form's change, then sends the admin back to where they were; a 4xx is shown on the page. */
  const submitForm = async (request: FastifyRequest, reply: FastifyReply, form: ReturnTo, username: string, change: () => Promise<unknown>) => {
    try {
      await change();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return renderPage(request, reply, { search: form.q, page: Number(form.page) || 1 }, error);
    }
    return reply.redirect(adminUrl(form, username), 303);
  };

  // ---- Web pages ----
  app.get<{ Querystring: Static<typeof schema.MemberListQuery> }>("/admin", { config: ADMIN, schema: { querystring: schema.MemberListQuery } }, async (request, reply) =>
    renderPage(request, reply, { search: request.query.q, page: request.query.page }),
  );

  app.post<{ Params: Static<typeof schema.MemberParams>; Body: Static<typeof schema.SuspensionForm> }>(
    "/admin/members/:username/suspension",
    { config: ADMIN, schema: { params: schema.MemberParams, body: schema.SuspensionForm } },
    async (request, reply) =>
      submitForm(request, reply, request.body, request.params.username, () =>
        admin.setSuspended(requireViewer(request), request.params.username, request.body.suspended === "true"),
      ),
  );

  app.post<{ Params: Static<typeof schema.MemberParams>; Body: Static<typeof schema.AllowanceForm> }>(
    "/admin/members/:username",
    { config: ADMIN, schema: { params: schema.MemberParams, body: schema.AllowanceForm } },
    async (request, reply) =>
      submitForm(request, reply, request.body, request.params.username, async () =>
        admin.updateAllowance(request.params.username, allowanceFromForm(request.body)),
      ),
  );

  // ---- JSON API ----
  app.get<{ Querystring: Static<typeof schema.MemberListQuery> }>(
    "/api/v1/admin/members",
    { config: ADMIN, schema: { ...API, querystring: schema.MemberListQuery, response: withErrors({ 200: schema.MemberListJson }, 400, 401, 403) } },
    async (request) => {
      const { members, page, pages, total } = await admin.members({ search: request.query.q, page: request.query.page });
      return { members, page, pages, total };
    },
  );

  app.put<{ Params: Static<typeof schema.MemberParams>; Body: Static<typeof schema.SuspensionBody> }>(
    "/api/v1/admin/members/:username/suspension",
    {
      config: ADMIN,
      schema: {
        ...API,
        description: "Suspending ends the member's sessions and tokens, refuses their log-in and hides their photos; false lifts it. Admins cannot be suspended.",
        params: schema.MemberParams,
        body: schema.SuspensionBody,
        response: withErrors({ 200: schema.MemberJson }, 400, 401, 403, 404),
      },
    },
    async (request) => admin.setSuspended(requireViewer(request), request.params.username, request.body.suspended),
  );

  app.patch<{ Params: Static<typeof schema.MemberParams>; Body: Static<typeof schema.AllowanceBody> }>(
    "/api/v1/admin/members/:username",
    {
      config: ADMIN,
      schema: {
        ...API,
        description: "Sets Pro and the member's own quotas; a quota of null returns to the site's default for their kind.",
        params: schema.MemberParams,
        body: schema.AllowanceBody,
        response: withErrors({ 200: schema.MemberJson }, 400, 401, 403, 404),
      },
    },
    async (request) => admin.updateAllowance(request.params.username, request.body),
  );
}
