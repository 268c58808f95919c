import assert from "node:assert/strict";
import { OAuth } from "flickr-sdk";
import { api, WebClient, type Member } from "./client.ts";
import type { TestServer } from "./server.ts";

/**
 * A Flickr API client for tests, signing with flickr-sdk's own OAuth code (not the server's
 * library), so a signature the server accepts is one a real client makes.
 */
export interface AppKey {
  key: string;
  secret: string;
}

export interface Token {
  token: string;
  secret: string;
}

/** Factory: an API key made through the JSON API by a member. */
export async function buildApiKey(server: TestServer, member: Member, name = "Test app"): Promise<AppKey> {
  const created = await api(server, "POST", "/api/v1/me/api-keys", { token: member.token, json: { name } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { key: created.body.key, secret: created.body.secret };
}

export interface CallOptions {
  app: AppKey;
  token?: Token;
  /** GET (default), POST as a form, or POST as multipart. */
  http?: "GET" | "POST" | "MULTIPART";
  /** The URL the signature is made over; the request always goes to the test server. */
  signOver?: string;
  /** No signature: the key alone as api_key. */
  unsigned?: boolean;
  /** Change the parameters after signing (to test tampering, replays, stale timestamps). */
  oauth?: Partial<Record<string, string>>;
  path?: string;
}

export function signedParams(server: TestServer, httpMethod: string, path: string, params: Record<string, string>, options: Pick<CallOptions, "app" | "token" | "signOver" | "oauth">): Record<string, string> {
  const oauth = new OAuth(options.app.key, options.app.secret);
  const all: Record<string, string> = { ...params, ...oauth.params(), ...(options.oauth ?? {}) } as Record<string, string>;
  if (options.token) all.oauth_token = options.token.token;
  const url = options.signOver ?? server.url + path;
  all.oauth_signature = oauth.signature(httpMethod, url, all, options.token?.secret);
  return all;
}

/** Sends already-made parameters to a path, as GET, a form POST or a multipart POST. */
export async function send(server: TestServer, path: string, params: Record<string, string>, http: CallOptions["http"] = "GET"): Promise<{ status: number; text: string; type: string }> {
  let response: Response;
  if (http === "GET") {
    response = await fetch(`${server.url}${path}?${new URLSearchParams(params)}`);
  } else if (http === "POST") {
    response = await fetch(server.url + path, { method: "POST", body: new URLSearchParams(params) });
  } else {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) form.set(k, v);
    response = await fetch(server.url + path, { method: "POST", body: form });
  }
  return { status: response.status, text: await response.text(), type: response.headers.get("content-type") ?? "" };
}

/** Calls a method; answers the raw response (format as asked in params). */
export async function call(server: TestServer, method: string, params: Record<string, string>, options: CallOptions): Promise<{ status: number; text: string; type: string }> {
  const path = options.path ?? "/services/rest/";
  const httpMethod = options.http === "GET" || options.http === undefined ? "GET" : "POST";
  const base = { method, ...params };
  const all = options.unsigned ? { ...base, api_key: options.app.key } : signedParams(server, httpMethod, path, base, options);
  return send(server, path, all, options.http);
}

/** Calls a method with format=json&nojsoncallback=1 and answers the parsed JSON. */
export async function callJson(server: TestServer, method: string, params: Record<string, string>, options: CallOptions): Promise<any> {
  const answer = await call(server, method, { ...params, format: "json", nojsoncallback: "1" }, options);
  assert.equal(answer.status, 200, answer.text);
  return JSON.parse(answer.text);
}

export function parseForm(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * The whole OAuth 1.0a dance as a member does it: the app gets a request token, the member
 * logs in on the authorize page and grants `perms`, the browser follows the callback carrying
 * the verifier, and the app exchanges it for an access token.
 */
export async function authorize(server: TestServer, app: AppKey, member: Member, perms: "read" | "write" | "delete"): Promise<Token & { nsid: string; username: string }> {
  const callback = "http://app.example/callback";
  const requested = await send(server, "/services/oauth/request_token", signedParams(server, "GET", "/services/oauth/request_token", { oauth_callback: callback }, { app }));
  assert.equal(requested.status, 200, requested.text);
  const request = parseForm(requested.text);
  assert.equal(request.oauth_callback_confirmed, "true");
  const verifier = await grantInBrowser(server, member, `/services/oauth/authorize?oauth_token=${encodeURIComponent(request.oauth_token!)}&perms=${perms}`, perms, callback);
  const exchanged = await send(server, "/services/oauth/access_token", signedParams(server, "GET", "/services/oauth/access_token", { oauth_verifier: verifier }, { app, token: { token: request.oauth_token!, secret: request.oauth_token_secret! } }));
  assert.equal(exchanged.status, 200, exchanged.text);
  const access = parseForm(exchanged.text);
  return { token: access.oauth_token!, secret: access.oauth_token_secret!, nsid: access.user_nsid!, username: access.username! };
}

/** A member opens the authorize page (logging in on the way), grants, and the verifier comes back on the callback. */
export async function grantInBrowser(server: TestServer, member: Member, authorizePath: string, perms: string, callbackPrefix: string | null): Promise<string> {
  const web = new WebClient(server);
  const first = await web.get(authorizePath);
  assert.equal(first.status, 303, "an anonymous visitor is sent to log in first");
  const login = first.headers.get("location")!;
  assert.match(login, /^\/login\?next=/);
  await web.get(login);
  const loggedIn = await web.post("/login", { username: member.username, password: member.password, next: new URL(login, server.url).searchParams.get("next")! });
  assert.equal(loggedIn.status, 303);
  assert.equal(loggedIn.location, authorizePath, "after logging in the member is back on the authorize page");
  const page = await web.get(authorizePath);
  assert.equal(page.status, 200, page.html.slice(0, 300));
  const token = new URL(authorizePath, server.url).searchParams.get("oauth_token")!;
  const granted = await web.post("/services/oauth/authorize", { oauth_token: token, perms, decision: "grant" });
  if (callbackPrefix === null) {
    assert.equal(granted.status, 200);
    return /id="oauth-verifier">([^<]+)</.exec(granted.html)![1]!;
  }
  assert.equal(granted.status, 303, granted.html.slice(0, 300));
  const location = new URL(granted.location!);
  assert.ok(granted.location!.startsWith(callbackPrefix), granted.location!);
  assert.equal(location.searchParams.get("oauth_token"), token);
  return location.searchParams.get("oauth_verifier")!;
}
