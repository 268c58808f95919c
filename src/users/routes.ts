import type { FastifyInstance, FastifyReply } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { requireViewer, SESSION_COOKIE } from "../web/access.ts";
import { handleForm, safeNextPath, sendHtml } from "../web/forms.ts";
import { withErrors } from "../web/api-schema.ts";
import * as schema from "./schema.ts";
import * as views from "./views.ts";

const WEB_SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

/**
 * Logging in and out stay open in read-only maintenance ("allowed"): they write only
 * sessions, members keep seeing what only they may see, and an admin can always log in to
 * switch maintenance off.
 */
export function registerUserRoutes(app: FastifyInstance, context: AppContext): void {
  const { users, config } = context;

  const startWebSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "lax", secure: config.secureCookies, maxAge: WEB_SESSION_MAX_AGE_S });

  // ---- JSON API ----
  app.post<{ Body: Static<typeof schema.CreateUserBody> }>(
    "/api/v1/users",
    { config: { access: "public" }, schema: { tags: ["users"], body: schema.CreateUserBody, response: withErrors({ 201: schema.PublicUserJson }, 400, 409) } },
    async (request, reply) => reply.code(201).send(await users.signUp(request.body, request.log)),
  );

  app.post<{ Body: Static<typeof schema.CreateSessionBody> }>(
    "/api/v1/sessions",
    { config: { access: "public", maintenance: "allowed" }, schema: { tags: ["users"], body: schema.CreateSessionBody, response: withErrors({ 201: schema.SessionJson }, 400, 401, 429) } },
    async (request, reply) => reply.code(201).send(await users.logIn({ ...request.body, ip: request.ip, kind: "api" })),
  );

  app.delete(
    "/api/v1/sessions/current",
    { config: { access: "member", maintenance: "allowed" }, schema: { tags: ["users"], security: [{ bearer: [] }], response: withErrors({ 204: { type: "null" } }, 401) } },
    async (request, reply) => {
      await users.logOut(requireViewer(request));
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/me",
    { config: { access: "member" }, schema: { tags: ["users"], security: [{ bearer: [] }], response: withErrors({ 200: schema.MeJson }, 401) } },
    async (request) => {
      const viewer = requireViewer(request);
      return { id: viewer.id, username: viewer.username, isAdmin: viewer.isAdmin, emailConfirmed: viewer.emailConfirmed, showsRestricted: viewer.showsRestricted };
    },
  );

  app.put<{ Body: Static<typeof schema.RestrictedSettingBody> }>(
    "/api/v1/me/settings/restricted",
    {
      config: { access: "member" },
      schema: {
        tags: ["users"],
        security: [{ bearer: [] }],
        description: "Opt in to (or out of) photos their owners marked restricted, not for all audiences.",
        body: schema.RestrictedSettingBody,
        response: withErrors({ 200: schema.RestrictedSettingJson }, 400, 401),
      },
    },
    async (request) => ({ show: (await users.setShowsRestricted(requireViewer(request), request.body.show)).showsRestricted }),
  );

  app.post<{ Body: Static<typeof schema.ChangePasswordBody> }>(
    "/api/v1/me/password",
    { config: { access: "member" }, schema: { tags: ["users"], security: [{ bearer: [] }], body: schema.ChangePasswordBody, response: withErrors({ 204: { type: "null" } }, 400, 401) } },
    async (request, reply) => {
      await users.changePassword(requireViewer(request), request.body.currentPassword, request.body.newPassword);
      return reply.code(204).send();
    },
  );

  // ---- Web pages ----
  app.get("/signup", { config: { access: "public" } }, async (request, reply) =>
    sendHtml(reply, views.signUpPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), values: {} })),
  );

  app.post<{ Body: Static<typeof schema.SignUpForm> }>("/signup", { config: { access: "public" }, schema: { body: schema.SignUpForm } }, async (request, reply) => {
    const { username, email, password } = request.body;
    const done = await handleForm(reply, () => users.signUp({ username, email, password }, request.log), (error) =>
      views.signUpPage({ viewer: null, csrfToken: request.csrfToken(), messages: request.messages(), error, values: { username, email } }),
    );
    if (!done) return reply;
    const { token } = await users.logIn({ username, password, ip: request.ip, kind: "web" });
    return startWebSession(reply, token).redirect("/upload", 303);
  });

  app.get<{ Querystring: { next?: string } }>(
    "/login",
    { config: { access: "public" }, schema: { querystring: { type: "object", properties: { next: { type: "string", maxLength: 2000 } } } } },
    async (request, reply) =>
      sendHtml(reply, views.logInPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), values: {}, next: safeNextPath(request.query.next, "") })),
  );

  app.post<{ Body: Static<typeof schema.LogInForm> }>("/login", { config: { access: "public", maintenance: "allowed" }, schema: { body: schema.LogInForm } }, async (request, reply) => {
    const { username, password } = request.body;
    let token = "";
    const done = await handleForm(
      reply,
      async () => ({ token } = await users.logIn({ username, password, ip: request.ip, kind: "web" })),
      (error) => views.logInPage({ viewer: null, csrfToken: request.csrfToken(), messages: request.messages(), error, values: { username }, next: safeNextPath(request.body.next, "") }),
    );
    if (!done) return reply;
    return startWebSession(reply, token).redirect(safeNextPath(request.body.next, `/photos/${username.trim()}`), 303);
  });

  app.post("/logout", { config: { access: "public", maintenance: "allowed" }, schema: { body: schema.CsrfOnlyForm } }, async (request, reply) => {
    if (request.viewer) await users.logOut(request.viewer);
    return reply.clearCookie(SESSION_COOKIE, { path: "/" }).redirect("/", 303);
  });

  app.get("/settings", { config: { access: "member" } }, async (request, reply) =>
    sendHtml(reply, views.settingsPage({ viewer: requireViewer(request), csrfToken: request.csrfToken(), messages: request.messages() })),
  );

  app.post<{ Body: Static<typeof schema.ChangePasswordForm> }>(
    "/settings/password",
    { config: { access: "member" }, schema: { body: schema.ChangePasswordForm } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const render = (error: string | null, notice: string | null) => views.settingsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), error, notice });
      const done = await handleForm(reply, () => users.changePassword(viewer, request.body.currentPassword, request.body.newPassword), (error) => render(error, null));
      return done ? sendHtml(reply, render(null, request.messages().t("settings.passwordChanged"))) : reply;
    },
  );

  app.post<{ Body: Static<typeof schema.RestrictedSettingForm> }>(
    "/settings/restricted",
    { config: { access: "member" }, schema: { body: schema.RestrictedSettingForm } },
    async (request, reply) => {
      const viewer = await users.setShowsRestricted(requireViewer(request), request.body.show === "1");
      const notice = request.messages().t(viewer.showsRestricted ? "settings.restrictedShown" : "settings.restrictedHidden");
      return sendHtml(reply, views.settingsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), notice }));
    },
  );

  app.post("/settings/confirmation", { config: { access: "member" }, schema: { body: schema.CsrfOnlyForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    await users.resendConfirmation(viewer, request.log);
    return sendHtml(reply, views.settingsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), notice: request.messages().t("settings.confirmationSent") }));
  });

  app.get<{ Params: Static<typeof schema.TokenParams> }>(
    "/confirm-email/:token",
    { config: { access: "public" }, schema: { params: schema.TokenParams } },
    async (request, reply) => {
      const shell = { viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages() };
      // The one refusal confirmEmail has is a link that is unknown, used or expired, which the page words in its language.
      const done = await handleForm(reply, () => users.confirmEmail(request.params.token), () => views.confirmationFailedPage(shell));
      return done ? sendHtml(reply, views.emailConfirmedPage(shell)) : reply;
    },
  );

  app.get("/reset-password", { config: { access: "public" } }, async (request, reply) =>
    sendHtml(reply, views.requestResetPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages() })),
  );

  app.post<{ Body: Static<typeof schema.RequestResetForm> }>(
    "/reset-password",
    { config: { access: "public" }, schema: { body: schema.RequestResetForm } },
    async (request, reply) => {
      await users.requestPasswordReset(request.body.account, request.log);
      const messages = request.messages();
      return sendHtml(reply, views.requestResetPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages, notice: messages.t("reset.sent") }));
    },
  );

  app.get<{ Params: Static<typeof schema.TokenParams> }>(
    "/reset-password/:token",
    { config: { access: "public" }, schema: { params: schema.TokenParams } },
    async (request, reply) => {
      const shell = { viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages() };
      if (!(await users.isUsableResetToken(request.params.token))) return sendHtml(reply, views.resetLinkExpiredPage(shell), 400);
      return sendHtml(reply, views.chooseNewPasswordPage({ ...shell, token: request.params.token }));
    },
  );

  app.post<{ Params: Static<typeof schema.TokenParams>; Body: Static<typeof schema.ResetForm> }>(
    "/reset-password/:token",
    { config: { access: "public" }, schema: { params: schema.TokenParams, body: schema.ResetForm } },
    async (request, reply) => {
      const { token } = request.params;
      const done = await handleForm(reply, () => users.resetPassword(token, request.body.password), (error) =>
        views.chooseNewPasswordPage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), token, error }),
      );
      if (!done) return reply;
      return sendHtml(reply, views.logInPage({ viewer: null, csrfToken: request.csrfToken(), messages: request.messages(), values: {}, next: "", notice: request.messages().t("reset.done") }));
    },
  );
}
