import crypto from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { ForbiddenError, UnauthenticatedError, wording } from "../errors.ts";
import type { UserService, Viewer } from "../users/service.ts";
import { CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, type CsrfTokens } from "./csrf.ts";

/**
 * Who may call a route. Every route must declare one (start-up fails otherwise), so nothing
 * is public by accident.
 *  - "public": anyone; the viewer, if logged in, is known to the handler.
 *  - "member" / "admin": a logged-in member / an admin, else 401 / 403.
 *  - "no-session": served without looking at cookies, so without the session lookup in the
 *    database (assets; the status page, its feed and the incidents list, which must answer
 *    while the database is down).
 *  - "operator": for monitoring (metrics): a client on this machine connecting directly
 *    (loopback, and no X-Forwarded-For or Forwarded header: a request relayed by a proxy on
 *    this machine is not the proxy's own), or one sending the operator token as a bearer
 *    token; no session, no database. Else 401 (a wrong token) or 403.
 */
export type Access = "public" | "member" | "admin" | "no-session" | "operator";

export const SESSION_COOKIE = "pinhole_session";
/** How an API client sends its token, as refusals tell it. */
export const BEARER_HEADER = "Authorization: Bearer <token>";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    viewer: Viewer | null;
    /** The CSRF token to put in this page's forms; sets the CSRF cookie when missing. */
    csrfToken(): string;
    /**
     * Who sent the request (session cookie or bearer token), for a refusal made before the
     * route's access check runs: read-only maintenance's page then speaks the member's saved
     * language like every other page. Null for a visitor, or a token or session that fails.
     */
    identify(): Promise<Viewer | null>;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function requireViewer(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new UnauthenticatedError();
  return request.viewer;
}

export function installAccessControl(app: FastifyInstance, deps: { users: UserService; csrf: CsrfTokens; secureCookies: boolean; operatorToken: string | null }): void {
  app.decorateRequest("viewer", null);
  const csrfCookiesToSet = new WeakMap<FastifyRequest, string>();
  app.decorateRequest("csrfToken", function (this: FastifyRequest) {
    let cookie = this.cookies[CSRF_COOKIE];
    if (!cookie) {
      cookie = deps.csrf.newCookieValue();
      this.cookies[CSRF_COOKIE] = cookie;
      csrfCookiesToSet.set(this, cookie);
    }
    return deps.csrf.tokenFor(cookie);
  });
  app.decorateRequest("identify", async function (this: FastifyRequest) {
    return resolveViewer(this, deps.users).catch(() => null);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const cookie = csrfCookiesToSet.get(request);
    if (cookie) {
      reply.setCookie(CSRF_COOKIE, cookie, { path: "/", httpOnly: true, sameSite: "lax", secure: deps.secureCookies });
    }
    return payload;
  });

  app.addHook("onRoute", (route: RouteOptions) => {
    const access = route.config?.access;
    if (!access) {
      // HEAD routes are generated from GET ones and inherit their config.
      throw new Error(`route ${String(route.method)} ${route.url} declares no access policy (config.access)`);
    }
    if (access === "no-session") return;
    if (access === "operator") {
      const operatorGuard = async (request: FastifyRequest) => checkOperator(request, deps.operatorToken);
      const existingOnRequest = route.onRequest;
      route.onRequest = existingOnRequest ? [operatorGuard, ...(Array.isArray(existingOnRequest) ? existingOnRequest : [existingOnRequest])] : [operatorGuard];
      return;
    }
    const guard = async (request: FastifyRequest, _reply: FastifyReply) => {
      request.viewer = await resolveViewer(request, deps.users);
      if (access === "member" && !request.viewer) throw new UnauthenticatedError();
      if (access === "admin") {
        if (!request.viewer) throw new UnauthenticatedError();
        if (!request.viewer.isAdmin) throw new ForbiddenError(wording("errors.adminOnly"));
      }
      if (!SAFE_METHODS.has(request.method)) checkCsrf(request, deps.csrf);
    };
    const existing = route.preHandler;
    route.preHandler = existing ? [guard, ...(Array.isArray(existing) ? existing : [existing])] : [guard];
  });
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Whether the request comes from the operator: loopback directly, or the operator token. */
export function isOperator(request: FastifyRequest, token: string | null): boolean {
  return operatorVerdict(request, token) === "operator";
}

function checkOperator(request: FastifyRequest, token: string | null): void {
  const verdict = operatorVerdict(request, token);
  if (verdict === "wrong-token") throw new UnauthenticatedError(wording("errors.token.notForHere"));
  if (verdict === "elsewhere") throw new ForbiddenError(wording("errors.operatorOnly"));
}

function operatorVerdict(request: FastifyRequest, token: string | null): "operator" | "wrong-token" | "elsewhere" {
  const authorization = request.headers.authorization;
  const given = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  if (token && given && sameSecret(given, token)) return "operator";
  // The socket's address, not request.ip: with PINHOLE_TRUST_PROXY that comes from a header a client can write.
  const direct = request.headers["x-forwarded-for"] === undefined && request.headers.forwarded === undefined;
  if (direct && LOOPBACK.has(request.socket.remoteAddress ?? "")) return "operator";
  return authorization ? "wrong-token" : "elsewhere";
}

function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => crypto.createHash("sha256").update(value).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

async function resolveViewer(request: FastifyRequest, users: UserService): Promise<Viewer | null> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError(wording("errors.token.header", { header: BEARER_HEADER }));
    const viewer = await users.authenticate(match[1], "bearer");
    if (!viewer) throw new UnauthenticatedError(wording("errors.token.invalid"));
    return viewer;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  return cookie ? users.authenticate(cookie, "cookie") : null;
}

/**
 * Writes made with the browser's ambient credentials (the session cookie) or by a plain HTML
 * form must carry the CSRF token; bearer-token API calls cannot be forged by another site.
 */
function checkCsrf(request: FastifyRequest, csrf: CsrfTokens): void {
  if (request.viewer?.via === "bearer") return;
  const contentType = request.headers["content-type"] ?? "";
  const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i.test(contentType);
  const hasSessionCookie = Boolean(request.cookies[SESSION_COOKIE]);
  if (!isForm && !hasSessionCookie) return;
  const body = request.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body[CSRF_FIELD] === "string" ? (body[CSRF_FIELD] as string) : undefined;
  // Multipart bodies are read by the handler, after this check: forms put the token in the URL.
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query && typeof query[CSRF_FIELD] === "string" ? (query[CSRF_FIELD] as string) : undefined;
  const submitted = (request.headers[CSRF_HEADER] as string | undefined) ?? fromBody ?? fromQuery;
  if (!csrf.isValid(request.cookies[CSRF_COOKIE], submitted)) {
    throw new ForbiddenError(wording("errors.csrf"));
  }
}
