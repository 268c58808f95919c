import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { AppError, wording } from "../errors.ts";
import { withErrors } from "../web/api-schema.ts";
import * as schema from "./schema.ts";
import type { EmbedService } from "./service.ts";
import { isOpenToEveryone } from "./sizes.ts";
import { oembedXml, photoPreviewHead, sharePanel } from "./views.ts";

class FormatNotImplemented extends AppError {
  constructor() {
    super(wording("embeds.errors.format"), 501, "format_not_implemented");
  }
}

export function registerEmbedRoutes(app: FastifyInstance, context: AppContext, embeds: EmbedService): void {
  const handler = async (request: { query: Static<typeof schema.OEmbedQuery> }, reply: import("fastify").FastifyReply) => {
    const { url, maxwidth, maxheight, format } = request.query;
    // oEmbed says an unknown format is a 501, not a 400.
    if (format !== undefined && format !== "json" && format !== "xml") throw new FormatNotImplemented();
    const answer = await embeds.oembed(url, maxwidth, maxheight);
    reply.header("access-control-allow-origin", "*").header("cache-control", "public, max-age=3600");
    if (format === "xml") return reply.type("text/xml; charset=utf-8").send(oembedXml(answer));
    return reply.type("application/json; charset=utf-8").send(answer);
  };
  for (const path of ["/services/oembed", "/services/oembed/"]) {
    app.get<{ Querystring: Static<typeof schema.OEmbedQuery> }>(
      path,
      {
        config: { access: "no-session" },
        schema: {
          tags: ["embeds"],
          description: "oEmbed 1.0 for photo pages anyone may see: type photo, in the largest size within maxwidth × maxheight. JSON, or XML with format=xml.",
          querystring: schema.OEmbedQuery,
          hide: path.endsWith("/"),
          response: withErrors({ 200: schema.OEmbedJson }, 400, 404, 501),
        },
      },
      handler,
    );
  }

  context.photoPageSections.add(async ({ photo, request }) => {
    const open = isOpenToEveryone(photo);
    const messages = request.messages();
    return { head: open ? photoPreviewHead(photo, context.config.baseUrl) : null, body: sharePanel(photo, open, messages), lang: messages.locale };
  }, { sameForVisitors: true });
}
