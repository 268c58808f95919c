import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer } from "../web/access.ts";
import { safeNextPath, sendHtml } from "../web/forms.ts";
import { withErrors } from "../web/api-schema.ts";
import * as views from "../users/views.ts";
import { LANG_COOKIE } from "./negotiate.ts";
import * as schema from "./schema.ts";

const LANG_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

/** The page the picker was on, when the form could not say (a page whose view is not converted yet): only from this site. */
function sameSiteReferer(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (!referer || !request.host) return undefined;
  try {
    const url = new URL(referer);
    return url.host === request.host ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Choosing the language: the footer's picker (anyone; a cookie on this browser) and a member's
 * saved setting (the settings page and the API; it follows them to other browsers).
 */
export function registerLanguageRoutes(app: FastifyInstance, context: AppContext): void {
  const { users } = context;

  // A GET form, so it works on every page without JavaScript and without a CSRF token (anonymous
  // pages carry none). It changes only this browser's preference, which another site could at
  // worst set to another language, as a link with ?lang= would.
  app.get<{ Querystring: Static<typeof schema.LanguagePickerQuery> }>(
    "/language",
    // "no-session": the choice is the browser's, so no session lookup; it works while the database is down.
    { config: { access: "no-session" }, schema: { querystring: schema.LanguagePickerQuery } },
    async (request, reply) => {
      reply.setCookie(LANG_COOKIE, request.query.lang, { path: "/", maxAge: LANG_COOKIE_MAX_AGE_S, sameSite: "lax", httpOnly: true, secure: context.config.secureCookies });
      return reply.redirect(safeNextPath(request.query.return ?? sameSiteReferer(request), "/"), 303);
    },
  );

  const writer = { tags: ["settings"], security: [{ bearer: [] }] };
  app.get("/api/v1/me/settings/locale", { config: { access: "member" }, schema: { ...writer, response: withErrors({ 200: schema.LocaleSettingJson }, 401) } }, async (request) => ({
    locale: (requireViewer(request).locale ?? null) as Static<typeof schema.LocaleSettingJson>["locale"],
  }));

  app.put<{ Body: Static<typeof schema.LocaleSettingJson> }>(
    "/api/v1/me/settings/locale",
    {
      config: { access: "member" },
      schema: { ...writer, description: "The language of your pages on every browser where you have not picked one in the footer.", body: schema.LocaleSettingJson, response: withErrors({ 200: schema.LocaleSettingJson }, 400, 401) },
    },
    async (request) => {
      await users.setLocale(requireViewer(request), request.body.locale);
      return { locale: request.body.locale };
    },
  );

  app.get<{ Querystring: Static<typeof schema.SavedQuery> }>("/settings/language", { config: { access: "member" }, schema: { querystring: schema.SavedQuery } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, views.languageSettingsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), saved: request.query.saved === "1" }));
  });

  app.post<{ Body: Static<typeof schema.LocaleSettingForm> }>("/settings/language", { config: { access: "member" }, schema: { body: schema.LocaleSettingForm } }, async (request, reply) => {
    await users.setLocale(requireViewer(request), request.body.locale || null);
    // Saving here is the member's newest choice: this browser's footer pick must not hide it.
    reply.clearCookie(LANG_COOKIE, { path: "/" });
    return reply.redirect("/settings/language?saved=1", 303);
  });
}
