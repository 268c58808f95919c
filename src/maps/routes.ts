import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { NotFoundError, wording } from "../errors.ts";
import { withErrors } from "../web/api-schema.ts";
import { memberCsrfToken, sendHtml } from "../web/forms.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const RECENT_ON_PAGE = 60;

export function registerMapRoutes(app: FastifyInstance, context: AppContext): void {
  const { maps, users, config } = context;
  const settings = { tiles: config.mapTiles };

  const ownerOf = async (username: string) => {
    const owner = await users.findPublicUser(username);
    if (!owner) throw new NotFoundError(wording("errors.memberNotFound"));
    return owner;
  };

  app.get<{ Querystring: Static<typeof schema.MapQuery> }>(
    "/api/v1/map",
    {
      config: { access: "public" },
      schema: {
        tags: ["maps"],
        description:
          "Photos on the map within a box, as you may see them (their photo and their location): clusters (grid cells of about 64 pixels at the zoom, placed at the mean of their photos) at low zoom, single photos from zoom 17 or when the box holds at most 250. At most 500 photos or 1,024 clusters per answer. With `user`, only that member's photos.",
        querystring: schema.MapQuery,
        response: withErrors({ 200: schema.MapJson }, 400, 404),
      },
    },
    async (request) => {
      const { bbox, zoom, user } = request.query;
      const ownerId = user === undefined ? undefined : (await ownerOf(user)).id;
      return maps.map({ bbox, zoom, ownerId }, request.viewer);
    },
  );

  app.get("/map", { config: { access: "public" } }, async (request, reply) => {
    const recent = await maps.recent({}, request.viewer, RECENT_ON_PAGE);
    return sendHtml(reply, views.mapPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), settings, username: null, recent }));
  });

  app.get<{ Params: Static<typeof schema.MapUserParams> }>("/photos/:username/map", { config: { access: "public" }, schema: { params: schema.MapUserParams } }, async (request, reply) => {
    const owner = await ownerOf(request.params.username);
    const recent = await maps.recent({ ownerId: owner.id }, request.viewer, RECENT_ON_PAGE);
    return sendHtml(reply, views.mapPage({ viewer: request.viewer, csrfToken: memberCsrfToken(request), messages: request.messages(), settings, username: owner.username, recent }));
  });
}
