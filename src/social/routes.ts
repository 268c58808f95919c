import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import * as schema from "./schema.ts";

type Username = { Params: Static<typeof schema.UsernameParams> };

/** Contacts and blocks through the JSON API; the pages come with the community pages. */
export function registerSocialRoutes(app: FastifyInstance, context: AppContext): void {
  const { social } = context;
  const member = { tags: ["contacts"], security: [{ bearer: [] }], params: schema.UsernameParams };

  app.get(
    "/api/v1/contacts",
    { config: { access: "member" }, schema: { tags: ["contacts"], security: [{ bearer: [] }], response: withErrors({ 200: schema.ContactListJson }, 401) } },
    async (request) => ({ contacts: (await social.contacts(requireViewer(request), 1)).map((c) => ({ username: c.username, friend: c.isFriend, family: c.isFamily })) }),
  );

  app.put<Username & { Body: Static<typeof schema.ContactBody> }>(
    "/api/v1/contacts/:username",
    { config: { access: "member" }, schema: { ...member, body: schema.ContactBody, response: withErrors({ 200: schema.ContactJson, 201: schema.ContactJson }, 400, 401, 403, 404, 429) } },
    async (request, reply) => {
      const { created, ...contact } = await social.setContact(requireViewer(request), request.params.username, request.body ?? {});
      return reply.code(created ? 201 : 200).send(contact);
    },
  );

  app.delete<Username>(
    "/api/v1/contacts/:username",
    { config: { access: "member" }, schema: { ...member, response: withErrors({ 204: { type: "null" } }, 401, 404) } },
    async (request, reply) => {
      await social.removeContact(requireViewer(request), request.params.username);
      return reply.code(204).send();
    },
  );

  app.put<Username>(
    "/api/v1/blocks/:username",
    { config: { access: "member" }, schema: { ...member, tags: ["blocks"], response: withErrors({ 204: { type: "null" } }, 400, 401, 404) } },
    async (request, reply) => {
      await social.block(requireViewer(request), request.params.username);
      return reply.code(204).send();
    },
  );

  app.delete<Username>(
    "/api/v1/blocks/:username",
    { config: { access: "member" }, schema: { ...member, tags: ["blocks"], response: withErrors({ 204: { type: "null" } }, 401, 404) } },
    async (request, reply) => {
      await social.unblock(requireViewer(request), request.params.username);
      return reply.code(204).send();
    },
  );
}
