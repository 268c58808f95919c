import type { FastifyInstance, FastifyReply } from "fastify";
import type { Static, TSchema } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { normalizeTag } from "../photos/tags.ts";
import * as schema from "./schema.ts";
import type { FeedService } from "./service.ts";
import { atomFeed, rssFeed, type Feed } from "./views.ts";

const TYPES = { atom: "application/atom+xml; charset=utf-8", rss: "application/rss+xml; charset=utf-8" } as const;

function send(reply: FastifyReply, format: "atom" | "rss", feed: Feed): FastifyReply {
  // Readers poll often; five minutes of caching spares the database without hiding a new photo for long.
  return reply.type(TYPES[format]).header("cache-control", "public, max-age=300").send(format === "atom" ? atomFeed(feed) : rssFeed(feed));
}

/**
 * Atom and RSS at each page's path plus `/feed.atom` or `/feed.rss`. The routes take no session
 * (`no-session`): a feed is the same for everyone, what an anonymous visitor may see.
 */
export function registerFeedRoutes(app: FastifyInstance, _context: AppContext, feeds: FeedService): void {
  const route = <P extends TSchema>(url: string, params: P, build: (p: Static<P>) => Promise<Feed>) => {
    app.get(url, { config: { access: "no-session" }, schema: { tags: ["feeds"], params } }, async (request, reply) => {
      const given = request.params as Static<P> & { format: "atom" | "rss" };
      return send(reply, given.format, await build(given));
    });
  };
  route("/photos/:username/feed.:format", schema.MemberFeedParams, (p) => feeds.photostream(p.username));
  route("/photos/:username/favorites/feed.:format", schema.MemberFeedParams, (p) => feeds.faves(p.username));
  route("/photos/:username/comments/feed.:format", schema.MemberFeedParams, (p) => feeds.comments(p.username));
  route("/photos/tags/:tag/feed.:format", schema.TagFeedParams, (p) => feeds.tag(normalizeTag(p.tag)));
  route("/photos/:username/tags/:tag/feed.:format", schema.MemberTagFeedParams, (p) => feeds.memberTag(p.username, normalizeTag(p.tag)));
  route("/groups/:slug/pool/feed.:format", schema.GroupFeedParams, (p) => feeds.pool(p.slug));
  route("/photos/:username/albums/:id/feed.:format", schema.AlbumFeedParams, (p) => feeds.album(p.username, Number(p.id)));
}
