import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { AppContext } from "../app.ts";
import { AppError } from "../errors.ts";
import { receiveUpload, type ReceivedUpload } from "../photos/upload-receiver.ts";
import { requireViewer } from "../web/access.ts";
import { withErrors } from "../web/api-schema.ts";
import { handleForm, sendHtml } from "../web/forms.ts";
import { authorizationParams, type SignedRequest } from "./oauth.ts";
import * as schema from "./schema.ts";
import { FlickrError, FlickrService, OAuthProblem, type Args, type Caller } from "./service.ts";
import { appsPage, authorizePage, deniedPage, jsonBody, jsonFail, jsonOk, restFail, restOk, textNode, verifierPage, type FlickrNode } from "./views.ts";
import { removeTempFile } from "../storage/scratch.ts";

type Params = Record<string, string | string[]>;

function add(params: Params, name: string, value: string): void {
  const existing = params[name];
  if (existing === undefined) params[name] = value;
  else params[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

/** The query string as sent (Fastify's parsed query may have been coerced by the schema). */
function queryParams(request: FastifyRequest, into: Params): void {
  const raw = request.raw.url ?? "";
  const at = raw.indexOf("?");
  if (at < 0) return;
  for (const [name, value] of new URLSearchParams(raw.slice(at + 1))) add(into, name, value);
}

function headerParams(request: FastifyRequest, into: Params): void {
  for (const [name, value] of Object.entries(authorizationParams(request.headers.authorization) ?? {})) add(into, name, value);
}

/** Every parameter of an API call: query, form or multipart text fields (files refused), and the OAuth header. */
async function restParams(request: FastifyRequest): Promise<Params> {
  const params: Params = {};
  queryParams(request, params);
  if (request.isMultipart()) {
    for await (const part of request.parts()) {
      if (part.type === "file") {
        part.file.resume();
        throw new FlickrError(2, "Files go to /services/upload/, not to the REST API.");
      }
      if (typeof part.value === "string") add(params, part.fieldname, part.value);
    }
  } else if (request.body && typeof request.body === "object") {
    for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "string") add(params, name, v);
    }
  }
  headerParams(request, params);
  return params;
}

function signed(request: FastifyRequest, params: Params): SignedRequest {
  return { method: request.method, path: (request.raw.url ?? "/").split("?")[0] ?? "/", params };
}

function argsOf(params: Params): Args {
  const args: Args = {};
  for (const [name, value] of Object.entries(params)) if (name !== "oauth_signature") args[name] = Array.isArray(value) ? (value[0] ?? "") : value;
  return args;
}

interface Rendering {
  format: "rest" | "json";
  callback: string | null;
}

function renderingOf(args: Args): Rendering | null {
  const format = args.format ?? "rest";
  if (format !== "rest" && format !== "json") return null;
  const callback = args.nojsoncallback === "1" ? null : /^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$/.test(args.jsoncallback ?? "") ? (args.jsoncallback ?? null) : "jsonFlickrApi";
  return { format, callback };
}

function send(reply: FastifyReply, rendering: Rendering, result: FlickrNode[] | FlickrError): FastifyReply {
  reply.code(200).header("cache-control", "private, no-store");
  if (rendering.format === "rest") return reply.type("text/xml; charset=utf-8").send(result instanceof FlickrError ? restFail(result) : restOk(result));
  const body = result instanceof FlickrError ? jsonFail(result) : jsonOk(result);
  return reply.type(rendering.callback === null ? "application/json; charset=utf-8" : "text/javascript; charset=utf-8").send(jsonBody(body, rendering.callback));
}

function oauthRefusal(reply: FastifyReply, problem: OAuthProblem): FastifyReply {
  return reply
    .code(401)
    .type("text/plain; charset=utf-8")
    .header("www-authenticate", 'OAuth realm=""')
    .send(`oauth_problem=${encodeURIComponent(problem.problem)}&oauth_problem_advice=${encodeURIComponent(problem.message)}`);
}

export interface FlickrRouteOptions {
  flickr: FlickrService;
}

export function registerFlickrRoutes(app: FastifyInstance, context: AppContext, { flickr }: FlickrRouteOptions): void {
  const { config, store, metrics } = context;

  // ---- the REST API ----
  const rest = async (request: FastifyRequest, reply: FastifyReply) => {
    let params: Params;
    try {
      params = await restParams(request);
    } catch (error) {
      if (error instanceof FlickrError) return send(reply, { format: "rest", callback: null }, error);
      throw error;
    }
    const args = argsOf(params);
    const rendering = renderingOf(args);
    if (!rendering) return send(reply, { format: "rest", callback: null }, new FlickrError(111, `Format "${args.format ?? ""}" not found`));
    try {
      const caller = await flickr.caller(signed(request, params));
      return send(reply, rendering, await flickr.call(args.method ?? "", args, caller));
    } catch (error) {
      if (error instanceof FlickrError) return send(reply, rendering, error);
      throw error;
    }
  };
  for (const method of ["GET", "POST"] as const) {
    for (const path of ["/services/rest", "/services/rest/"]) {
      app.route({
        method,
        url: path,
        // Signed by OAuth, never by a cookie; reads are often POSTed (python-flickrapi), so
        // read-only maintenance refuses write methods in the service instead (code 105).
        config: { access: "no-session", maintenance: "allowed" },
        schema: {
          tags: ["flickr"],
          description: schema.RestDescription,
          querystring: schema.FlickrParams,
          consumes: ["application/x-www-form-urlencoded", "multipart/form-data"],
          hide: path.endsWith("/"),
          response: { 200: schema.FlickrAnswer },
        },
        handler: rest,
      });
    }
  }

  // ---- uploads ----
  type StoreFile = (caller: Caller, received: ReceivedUpload, async: boolean) => Promise<FlickrNode[]>;
  /**
   * /services/upload/ and /services/replace/: the file is received first (the signature covers
   * the multipart text fields that come with it), then the caller is checked, then `storeFile`
   * runs. Every outcome is counted for /metrics; Flickr's errors are answered as XML.
   */
  const signedUpload = (storeFile: StoreFile) => async (request: FastifyRequest, reply: FastifyReply) => {
    const xml = { format: "rest" as const, callback: null };
    if (!request.isMultipart()) return send(reply, xml, new FlickrError(2, "No photo specified"));
    let received;
    try {
      received = await receiveUpload(request, store.scratchDir, config.maxUploadBytes, "photo", "photo");
    } catch (error) {
      const mapped = FlickrService.uploadError(error);
      if (mapped instanceof FlickrError) {
        metrics.countUpload("rejected");
        return send(reply, xml, mapped);
      }
      throw mapped;
    }
    const params: Params = {};
    queryParams(request, params);
    for (const [name, value] of Object.entries(received.fields)) add(params, name, value);
    headerParams(request, params);
    let caller: Caller;
    try {
      caller = await flickr.caller(signed(request, params));
    } catch (error) {
      await removeTempFile(received.tempPath);
      metrics.countUpload("rejected");
      if (error instanceof FlickrError) return send(reply, xml, error);
      throw error;
    }
    try {
      const answer = await storeFile(caller, received, argsOf(params).async === "1");
      metrics.countUpload("created");
      return send(reply, xml, answer);
    } catch (error) {
      metrics.countUpload(error instanceof FlickrError || (error instanceof AppError && error.status < 500) ? "rejected" : "failed");
      if (error instanceof FlickrError) return send(reply, xml, error);
      throw error;
    }
  };
  const upload = signedUpload(async (caller, received, async) => {
    if (async) return [textNode("ticketid", (await flickr.uploadAsync(caller, received)).ticketId)];
    const { photoId, secret } = await flickr.upload(caller, received);
    return [textNode("photoid", photoId, { secret, originalsecret: secret })];
  });
  // Flickr's async flag: Pinhole has replaced the file before it answers, so the ticket is already complete.
  const replace = signedUpload(async (caller, received, async) => {
    const { photoId, secret } = await flickr.replace(caller, received);
    if (async) return [textNode("ticketid", await flickr.completedTicket(caller, photoId))];
    return [textNode("photoid", photoId, { secret, originalsecret: secret })];
  });
  for (const path of ["/services/upload", "/services/upload/"]) {
    app.post(path, {
      // Read-only maintenance is answered by the service as Flickr's code 105, with HTTP 200.
      config: { access: "no-session", maintenance: "allowed" },
      schema: {
        tags: ["flickr"],
        description: "Flickr's upload API: multipart with photo (the file, its type read from its bytes), title, description, tags, is_public, is_friend, is_family, async; signed with OAuth 1.0a over the text fields (this URL or https://up.flickr.com/services/upload/), with write permission. Answers XML: <photoid>, or with async=1 a <ticketid> for flickr.photos.upload.checkTickets.",
        querystring: schema.FlickrParams,
        consumes: ["multipart/form-data"],
        hide: path.endsWith("/"),
        response: { 200: schema.FlickrAnswer },
      },
      handler: upload,
    });
  }
  for (const path of ["/services/replace", "/services/replace/"]) {
    app.post(path, {
      config: { access: "no-session", maintenance: "allowed" },
      schema: {
        tags: ["flickr"],
        description: "Flickr's replace API: multipart with photo (the new file) and photo_id, signed like an upload, with write permission. The photo keeps its title, tags, comments and albums; its image URLs change. Answers XML: <photoid secret=… originalsecret=…>, or with async=1 a <ticketid>.",
        querystring: schema.FlickrParams,
        consumes: ["multipart/form-data"],
        hide: path.endsWith("/"),
        response: { 200: schema.FlickrAnswer },
      },
      handler: replace,
    });
  }

  // ---- OAuth 1.0a ----
  const oauthEndpoint = (exchange: (request: SignedRequest) => Promise<Record<string, string>>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const params = await restParams(request);
      const answer = await exchange(signed(request, params));
      const body = Object.entries(answer)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join("&");
      return reply.code(200).type("text/plain; charset=utf-8").header("cache-control", "no-store").send(body);
    } catch (error) {
      if (error instanceof OAuthProblem) return oauthRefusal(reply, error);
      if (error instanceof FlickrError) return oauthRefusal(reply, new OAuthProblem("parameter_rejected", error.code, error.message));
      throw error;
    }
  };
  const requestToken = oauthEndpoint(async (request) => {
    const { token, secret } = await flickr.requestToken(request);
    return { oauth_callback_confirmed: "true", oauth_token: token, oauth_token_secret: secret };
  });
  const accessToken = oauthEndpoint(async (request) => {
    const { token, secret, nsid, username } = await flickr.accessToken(request);
    return { fullname: "", oauth_token: token, oauth_token_secret: secret, user_nsid: nsid, username };
  });
  for (const method of ["GET", "POST"] as const) {
    app.route({
      method,
      url: "/services/oauth/request_token",
      config: { access: "no-session" },
      schema: { tags: ["flickr"], description: "OAuth 1.0a: a request token for an API key, signed with its secret; oauth_callback is a URL or oob.", querystring: schema.FlickrParams, response: { 200: schema.OAuthAnswer, 401: schema.OAuthAnswer } },
      handler: requestToken,
    });
    app.route({
      method,
      url: "/services/oauth/access_token",
      config: { access: "no-session" },
      schema: { tags: ["flickr"], description: "OAuth 1.0a: a granted request token and its oauth_verifier exchanged, once, for an access token with the perms the member granted.", querystring: schema.FlickrParams, response: { 200: schema.OAuthAnswer, 401: schema.OAuthAnswer } },
      handler: accessToken,
    });
  }

  app.get<{ Querystring: Static<typeof schema.AuthorizeQuery> }>(
    "/services/oauth/authorize",
    { config: { access: "public" }, schema: { tags: ["flickr"], description: "The page where a member logs in and lets an app read, write or delete (HTML).", querystring: schema.AuthorizeQuery } },
    async (request, reply) => {
      if (!request.viewer) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      const view = await flickr.authorizeRequest(request.query.oauth_token, request.query.perms);
      return sendHtml(reply, authorizePage({ viewer: request.viewer, csrfToken: request.csrfToken(), messages: request.messages(), request: view }));
    },
  );

  app.post<{ Body: Static<typeof schema.AuthorizeForm> }>(
    "/services/oauth/authorize",
    { config: { access: "member" }, schema: { tags: ["flickr"], description: "The member's answer on the authorize page (a form with the CSRF token): grant, with the perms chosen, or deny.", body: schema.AuthorizeForm, consumes: ["application/x-www-form-urlencoded"] } },
    async (request, reply) => {
      const viewer = requireViewer(request);
      const { oauth_token: token, perms, decision } = request.body;
      if (decision === "deny") {
        const { appName } = await flickr.deny(token);
        return sendHtml(reply, String(deniedPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), appName })));
      }
      const granted = await flickr.grant(viewer, token, perms ?? "read");
      if (granted.redirect) return reply.redirect(granted.redirect, 303);
      return sendHtml(reply, verifierPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), appName: granted.appName, verifier: granted.verifier }));
    },
  );

  // ---- API keys: the settings page and the JSON API ----
  app.get("/settings/apps", { config: { access: "member" } }, async (request, reply) => {
    const viewer = requireViewer(request);
    return sendHtml(reply, appsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), keys: await flickr.keys(viewer) }));
  });

  app.post<{ Body: Static<typeof schema.NewKeyForm> }>("/settings/apps", { config: { access: "member" }, schema: { body: schema.NewKeyForm } }, async (request, reply) => {
    const viewer = requireViewer(request);
    const done = await handleForm(
      reply,
      () => flickr.createKey(viewer, request.body.name),
      async (error) => appsPage({ viewer, csrfToken: request.csrfToken(), messages: request.messages(), keys: await flickr.keys(viewer), error }),
    );
    return done ? reply.redirect("/settings/apps", 303) : reply;
  });

  app.post<{ Params: Static<typeof schema.KeyIdParams>; Body: Static<typeof schema.CsrfForm> }>(
    "/settings/apps/:id/revoke",
    { config: { access: "member" }, schema: { params: schema.KeyIdParams, body: schema.CsrfForm } },
    async (request, reply) => {
      await flickr.revokeKey(requireViewer(request), request.params.id);
      return reply.redirect("/settings/apps", 303);
    },
  );

  app.get(
    "/api/v1/me/api-keys",
    { config: { access: "member" }, schema: { tags: ["flickr"], security: [{ bearer: [] }], description: "Your API keys for the Flickr-compatible API, with their secrets.", response: withErrors({ 200: schema.ApiKeyListJson }, 401) } },
    async (request) => ({ keys: await flickr.keys(requireViewer(request)) }),
  );

  app.post<{ Body: Static<typeof schema.NewKeyBody> }>(
    "/api/v1/me/api-keys",
    { config: { access: "member" }, schema: { tags: ["flickr"], security: [{ bearer: [] }], description: "Creates an API key (key and secret) for an app that speaks Flickr's API.", body: schema.NewKeyBody, response: withErrors({ 201: schema.ApiKeyJson }, 400, 401) } },
    async (request, reply) => reply.code(201).send(await flickr.createKey(requireViewer(request), request.body.name)),
  );

  app.delete<{ Params: Static<typeof schema.KeyIdParams> }>(
    "/api/v1/me/api-keys/:id",
    { config: { access: "member" }, schema: { tags: ["flickr"], security: [{ bearer: [] }], description: "Revokes a key: its tokens stop working at once.", params: schema.KeyIdParams, response: withErrors({ 204: { type: "null" } }, 401, 404) } },
    async (request, reply) => {
      await flickr.revokeKey(requireViewer(request), request.params.id);
      return reply.code(204).send();
    },
  );
}

