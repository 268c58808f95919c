import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { AppError, InvalidError, wording } from "../errors.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { handleForm, sendHtml } from "../web/forms.ts";
import { isModerationAction, TARGET_KINDS, type NewReport } from "./service.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const ADMIN = { access: "admin" } as const;
const ADMIN_API = { tags: ["moderation"], security: [{ bearer: [] }] };

function targetOf(fields: { targetKind?: string; targetId?: string; username?: string }): views.ReportTarget {
  const kind = (TARGET_KINDS as readonly string[]).includes(fields.targetKind ?? "") ? (fields.targetKind as views.ReportTarget["kind"]) : null;
  if (!kind) throw new InvalidError(wording("moderation.errors.chooseKind"), { field: "targetKind" });
  return { kind, id: fields.targetId || undefined, username: fields.username || undefined };
}

/** Where the member goes back to after reporting. */
function backTo(target: views.ReportTarget, report: { target: { url: string | null } }): string | null {
  if (target.kind === "member" && target.username) return `/photos/${encodeURIComponent(target.username)}`;
  return report.target.url;
}

/** Reports from members; the admins' queue of them and its actions. */
export function registerModerationRoutes(app: FastifyInstance, context: AppContext): void {
  const { moderation } = context;

  // ---- JSON API ----
  app.post<{ Body: Static<typeof schema.ReportBody> }>(
    "/api/v1/reports",
    {
      config: { access: "member" },
      schema: {
        tags: ["moderation"],
        security: [{ bearer: [] }],
        description: `Report a photo or comment (targetId) or a member (username) to the site's admins. Only what you can see; at most 20 reports a day.`,
        body: schema.ReportBody,
        response: withErrors({ 201: schema.ReportReceiptJson }, 400, 401, 404, 429),
      },
    },
    async (request, reply) => {
      const { id, targetKind, targetId, reason, createdAt } = await moderation.report(requireViewer(request), request.body as NewReport);
      return reply.code(201).send({ id, targetKind, targetId, reason, createdAt });
    },
  );

  app.get(
    "/api/v1/admin/reports",
    { config: ADMIN, schema: { ...ADMIN_API, description: "Open reports, newest first.", response: withErrors({ 200: schema.ReportListJson }, 401, 403) } },
    async () => ({ reports: await moderation.queue() }),
  );

  app.post<{ Params: Static<typeof schema.ReportParams>; Body: Static<typeof schema.ResolutionBody> }>(
    "/api/v1/admin/reports/:id/resolution",
    {
      config: ADMIN,
      schema: {
        ...ADMIN_API,
        description: "Act on a report and resolve it: hide the photo or comment, suspend the member (or the photo's owner, the comment's author), or dismiss it.",
        params: schema.ReportParams,
        body: schema.ResolutionBody,
        response: withErrors({ 200: schema.ReportJson }, 400, 401, 403, 404, 409),
      },
    },
    async (request) => moderation.resolve(requireViewer(request), Number(request.params.id), request.body.action),
  );

  // ---- Web pages ----
  app.get<{ Querystring: Static<typeof schema.NewReportQuery> }>(
    "/reports/new",
    { config: { access: "member" }, schema: { querystring: schema.NewReportQuery } },
    async (request, reply) => sendHtml(reply, views.reportPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), target: targetOf(request.query) })),
  );

  app.post<{ Body: Static<typeof schema.ReportForm> }>("/reports", { config: { access: "member" }, schema: { body: schema.ReportForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const target = targetOf(request.body);
    const reason = request.body.reason ?? "";
    let back: string | null = null;
    const done = await handleForm(
      reply,
      async () => {
        const report = await moderation.report(viewer, { targetKind: target.kind, targetId: target.id, username: target.username, reason });
        back = backTo(target, report);
      },
      (error) => views.reportPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), target, reason, error }),
    );
    return done ? sendHtml(reply, views.reportedPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), back }), 201) : reply;
  });

  /** The queue, with a refused action's message above it in the page's language. */
  const renderQueue = async (request: FastifyRequest, reply: FastifyReply, refusal?: AppError) => {
    const messages = request.messages();
    return sendHtml(reply, views.queuePage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages, reports: await moderation.queue(), error: refusal?.in(messages) }), refusal?.status ?? 200);
  };

  app.get("/admin/reports", { config: ADMIN }, async (request, reply) => renderQueue(request, reply));

  app.post<{ Params: Static<typeof schema.ReportParams>; Body: Static<typeof schema.ResolutionForm> }>(
    "/admin/reports/:id/resolution",
    { config: ADMIN, schema: { params: schema.ReportParams, body: schema.ResolutionForm } },
    async (request, reply) => {
      try {
        const action = request.body.action;
        if (!isModerationAction(action)) throw new InvalidError(wording("moderation.errors.chooseAction"), { field: "action" });
        await moderation.resolve(requireViewer(request), Number(request.params.id), action);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        return renderQueue(request, reply, error);
      }
      return reply.redirect("/admin/reports", 303);
    },
  );
}
