import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const PAGE_SIZE = 60;

export function registerExploreRoutes(app: FastifyInstance, context: AppContext): void {
  const { explore } = context;

  app.get<{ Querystring: Static<typeof schema.ExploreQuery> }>(
    "/api/v1/explore",
    { config: { access: "public" }, schema: { tags: ["explore"], querystring: schema.ExploreQuery, response: withErrors({ 200: schema.ExploreJson }, 400) } },
    async (request) => explore.page(Number(request.query.after ?? 0), request.query.limit ?? 50),
  );

  app.get<{ Querystring: Static<typeof schema.ExplorePageQuery> }>(
    "/explore",
    { config: { access: "public" }, schema: { querystring: schema.ExplorePageQuery } },
    async (request, reply) => {
      const page = await explore.page(Number(request.query.after ?? 0), PAGE_SIZE);
      return sendHtml(reply, views.explorePage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), explore: page }));
    },
  );
}
