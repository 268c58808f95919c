import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const PAGE_SIZE = 30;

export function registerActivityRoutes(app: FastifyInstance, context: AppContext): void {
  const { activity } = context;

  app.get<{ Querystring: Static<typeof schema.ActivityQuery> }>(
    "/api/v1/activity",
    { config: { access: "member" }, schema: { tags: ["activity"], security: [{ bearer: [] }], querystring: schema.ActivityQuery, response: withErrors({ 200: schema.ActivityJson }, 400, 401) } },
    async (request) => activity.page(requireViewer(request), request.query.page ?? 1, request.query.limit ?? PAGE_SIZE),
  );

  app.get<{ Querystring: Static<typeof schema.ActivityPageQuery> }>(
    "/activity",
    { config: { access: "member" }, schema: { querystring: schema.ActivityPageQuery } },
    async (request, reply) => {
      const page = request.query.page ?? 1;
      const result = await activity.page(requireViewer(request), page, PAGE_SIZE);
      return sendHtml(reply, views.activityPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), activity: result, page }));
    },
  );
}
