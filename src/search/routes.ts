import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { InvalidError } from "../errors.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const GRID_PAGE_SIZE = 60;

export function registerSearchRoutes(app: FastifyInstance, context: AppContext): void {
  const { search } = context;

  app.get<{ Querystring: Static<typeof schema.SearchQuery> }>(
    "/api/v1/search",
    {
      config: { access: "public" },
      schema: {
        tags: ["search"],
        description: "Photos you may see, by words, member, tags, dates, camera, licence and location (only locations you may see), a page at a time.",
        querystring: schema.SearchQuery,
        response: withErrors({ 200: schema.SearchJson }, 400),
      },
    },
    async (request) => search.search(request.viewer, request.query),
  );

  app.get<{ Querystring: Static<typeof schema.SearchQuery> }>("/search", { config: { access: "public" }, schema: { querystring: schema.SearchQuery } }, async (request, reply) => {
    const { cursor: _cursor, perPage: _perPage, ...values } = request.query;
    const shell = { viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), values };
    const asked = Object.values(values).some((v) => typeof v === "string" && v.trim() !== "");
    if (!asked) return sendHtml(reply, views.searchPage({ ...shell, result: null, error: null, nextHref: null }));
    try {
      const result = await search.search(request.viewer, request.query, GRID_PAGE_SIZE);
      const next = new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
      if (result.nextCursor) next.set("cursor", result.nextCursor);
      return sendHtml(reply, views.searchPage({ ...shell, result, error: null, nextHref: result.nextCursor ? `/search?${next.toString()}` : null }));
    } catch (error) {
      if (!(error instanceof InvalidError)) throw error;
      return sendHtml(reply, views.searchPage({ ...shell, result: null, error: error.in(shell.messages), nextHref: null }), 400);
    }
  });
}
