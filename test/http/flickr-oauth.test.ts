import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { OAuth } from "flickr-sdk";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient, type Member } from "../helpers/client.ts";
import { authorize, buildApiKey, call, callJson, grantInBrowser, parseForm, send, signedParams, type AppKey } from "../helpers/flickr.ts";

let server: TestServer;
let member: Member;
let app: AppKey;
before(async () => {
  server = await startServer();
  member = await buildMember(server);
  app = await buildApiKey(server, member);
});
after(async () => server.close());

const codeOf = (text: string) => JSON.parse(text).code as number | undefined;
const json = { format: "json", nojsoncallback: "1" };

test("a signature over this site's URL or over the matching flickr.com URL is accepted; over any other URL it is not", async () => {
  const token = await authorize(server, app, member, "read");
  const over = async (url: string, path = "/services/rest/") => call(server, "flickr.test.login", json, { app, token, signOver: url, path });
  assert.equal(JSON.parse((await over(`${server.url}/services/rest/`)).text).stat, "ok");
  assert.equal(JSON.parse((await over("https://api.flickr.com/services/rest/")).text).stat, "ok");
  assert.equal(JSON.parse((await over("https://api.flickr.com/services/rest", "/services/rest")).text).stat, "ok");
  assert.equal(codeOf((await over("https://evil.example/services/rest/")).text), 96);
  assert.equal(codeOf((await over("https://up.flickr.com/services/rest/")).text), 96, "the REST API is api.flickr.com, not up.flickr.com");
  assert.equal(codeOf((await over(`${server.url}/services/upload/`)).text), 96);
});

test("a replayed nonce, a stale or future timestamp, a changed parameter and a wrong method are refused", async () => {
  const token = await authorize(server, app, member, "read");
  const params = signedParams(server, "GET", "/services/rest/", { method: "flickr.test.login", ...json }, { app, token });
  assert.equal(JSON.parse((await send(server, "/services/rest/", params)).text).stat, "ok");
  const replay = await send(server, "/services/rest/", params);
  assert.equal(replay.status, 200);
  assert.equal(codeOf(replay.text), 96, replay.text);
  assert.match(JSON.parse(replay.text).message, /nonce/);

  const now = Math.floor(Date.now() / 1000);
  for (const timestamp of [now - 6 * 60, now + 6 * 60]) {
    const stale = await call(server, "flickr.test.login", json, { app, token, oauth: { oauth_timestamp: String(timestamp) } });
    assert.equal(codeOf(stale.text), 96, stale.text);
    assert.match(JSON.parse(stale.text).message, /timestamp/);
  }
  const withinWindow = await call(server, "flickr.test.login", json, { app, token, oauth: { oauth_timestamp: String(now - 4 * 60) } });
  assert.equal(JSON.parse(withinWindow.text).stat, "ok", "four minutes off is still fine");

  const signed = signedParams(server, "GET", "/services/rest/", { method: "flickr.test.echo", value: "a", ...json }, { app, token });
  const tampered = await send(server, "/services/rest/", { ...signed, value: "b" });
  assert.equal(codeOf(tampered.text), 96);
  const postedAsGet = signedParams(server, "POST", "/services/rest/", { method: "flickr.test.echo", ...json }, { app, token });
  assert.equal(codeOf((await send(server, "/services/rest/", postedAsGet, "GET")).text), 96, "the HTTP method is part of what is signed");
  const plaintext = await call(server, "flickr.test.login", json, { app, token, oauth: { oauth_signature_method: "PLAINTEXT" } });
  assert.equal(codeOf(plaintext.text), 96);
});

test("the OAuth header (python-flickrapi's way) is read as well as parameters", async () => {
  const token = await authorize(server, app, member, "read");
  const oauth = new OAuth(app.key, app.secret);
  const query = { method: "flickr.test.login", ...json };
  const header: Record<string, string> = { ...oauth.params(), oauth_token: token.token };
  const url = `${server.url}/services/rest/`;
  header.oauth_signature = oauth.signature("POST", url, { ...query, ...header }, token.secret);
  const authorization = `OAuth realm="", ${Object.entries(header).map(([k, v]) => `${k}="${encodeURIComponent(v)}"`).join(", ")}`;
  const response = await fetch(`${url}?${new URLSearchParams(query)}`, { method: "POST", headers: { authorization } });
  assert.equal(JSON.parse(await response.text()).user.username._content, member.username);
});

test("the authorize page sends a visitor to log in, then grants; a verifier works once and only with its token", async () => {
  const requested = parseForm((await send(server, "/services/oauth/request_token", signedParams(server, "GET", "/services/oauth/request_token", { oauth_callback: "https://app.example/cb?state=1" }, { app }))).text);
  const verifier = await grantInBrowser(server, member, `/services/oauth/authorize?oauth_token=${encodeURIComponent(requested.oauth_token!)}&perms=write`, "write", "https://app.example/cb?state=1&");
  const requestToken = { token: requested.oauth_token!, secret: requested.oauth_token_secret! };
  const exchange = (v: string) => send(server, "/services/oauth/access_token", signedParams(server, "GET", "/services/oauth/access_token", { oauth_verifier: v }, { app, token: requestToken }));

  const asAccess = await call(server, "flickr.test.login", json, { app, token: requestToken });
  assert.equal(codeOf(asAccess.text), 98, "a request token is not an access token");
  const wrong = await exchange("0".repeat(16));
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /oauth_problem=verifier_invalid/);
  const right = await exchange(verifier);
  assert.equal(right.status, 200, right.text);
  const access = parseForm(right.text);
  assert.equal(access.username, member.username);
  assert.match(access.user_nsid!, /^\d+@N00$/);
  const again = await exchange(verifier);
  assert.equal(again.status, 401, "the request token is spent");

  const login = await callJson(server, "flickr.test.login", {}, { app, token: { token: access.oauth_token!, secret: access.oauth_token_secret! } });
  assert.equal(login.user.username._content, member.username);
  const otherApp = await buildApiKey(server, member, "Other app");
  const borrowed = await call(server, "flickr.test.login", json, { app: otherApp, token: { token: access.oauth_token!, secret: access.oauth_token_secret! } });
  assert.equal(codeOf(borrowed.text), 98, "a token works only with the key it was issued to");
});

test("oob shows the verifier on the page; denying ends the request token", async () => {
  const start = async () => parseForm((await send(server, "/services/oauth/request_token", signedParams(server, "GET", "/services/oauth/request_token", { oauth_callback: "oob" }, { app }))).text);
  const oob = await start();
  const verifier = await grantInBrowser(server, member, `/services/oauth/authorize?oauth_token=${encodeURIComponent(oob.oauth_token!)}&perms=read`, "read", null);
  assert.match(verifier, /^[0-9a-f]{16}$/);

  const denied = await start();
  const web = new WebClient(server);
  await web.logIn(member);
  const page = await web.get(`/services/oauth/authorize?oauth_token=${encodeURIComponent(denied.oauth_token!)}`);
  assert.equal(page.status, 200);
  assert.match(page.html, /Test app/);
  const answer = await web.post("/services/oauth/authorize", { oauth_token: denied.oauth_token!, decision: "deny" });
  assert.equal(answer.status, 200);
  assert.match(answer.html, /did not allow/);
  assert.equal((await web.get(`/services/oauth/authorize?oauth_token=${encodeURIComponent(denied.oauth_token!)}`)).status, 404);
  const forged = await web.post("/services/oauth/authorize", { oauth_token: oob.oauth_token!, decision: "grant" }, { withCsrf: false });
  assert.equal(forged.status, 403, "the grant form needs the CSRF token");

  const badCallback = await send(server, "/services/oauth/request_token", signedParams(server, "GET", "/services/oauth/request_token", { oauth_callback: "javascript:alert(1)" }, { app }));
  assert.equal(badCallback.status, 401);
  assert.match(badCallback.text, /oauth_problem=parameter_rejected/);
  const unsigned = await send(server, "/services/oauth/request_token", { oauth_consumer_key: app.key, oauth_callback: "oob" });
  assert.equal(unsigned.status, 401);
});

test("members create, list and revoke keys (API and /settings/apps); a revoked key and its tokens stop working", async () => {
  const owner = await buildMember(server);
  const stranger = await buildMember(server);
  assert.equal((await api(server, "GET", "/api/v1/me/api-keys")).status, 401);
  assert.equal((await api(server, "POST", "/api/v1/me/api-keys", { token: owner.token, json: { name: "" } })).status, 400);
  const created = await api(server, "POST", "/api/v1/me/api-keys", { token: owner.token, json: { name: "Uploader" } });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^[0-9a-f]{32}$/);
  assert.match(created.body.secret, /^[0-9a-f]{16}$/);
  const listed = await api(server, "GET", "/api/v1/me/api-keys", { token: owner.token });
  assert.deepEqual(listed.body.keys.map((k: { key: string; secret: string }) => [k.key, k.secret]), [[created.body.key, created.body.secret]]);
  assert.deepEqual((await api(server, "GET", "/api/v1/me/api-keys", { token: stranger.token })).body.keys, []);

  const key = { key: created.body.key as string, secret: created.body.secret as string };
  const token = await authorize(server, key, owner, "read");
  assert.equal((await callJson(server, "flickr.test.login", {}, { app: key, token })).stat, "ok");
  assert.equal((await api(server, "DELETE", `/api/v1/me/api-keys/${created.body.id}`, { token: stranger.token })).status, 404, "nobody else revokes my key");
  assert.equal((await api(server, "DELETE", `/api/v1/me/api-keys/${created.body.id}`, { token: owner.token })).status, 204);
  assert.equal((await callJson(server, "flickr.test.login", {}, { app: key, token })).code, 100);
  assert.equal((await api(server, "DELETE", `/api/v1/me/api-keys/${created.body.id}`, { token: owner.token })).status, 404);

  const web = new WebClient(server);
  await web.logIn(owner);
  assert.equal((await web.post("/settings/apps", { name: "From the page" })).status, 303);
  const page = await web.get("/settings/apps");
  assert.match(page.html, /From the page/);
  const shown = /<code class="key">([0-9a-f]{32})<\/code><\/td><td><code class="secret">([0-9a-f]{16})<\/code>/.exec(page.html);
  assert.ok(shown, "the key and its secret are shown to their owner");
  const id = /action="\/settings\/apps\/(\d+)\/revoke"/.exec(page.html)![1]!;
  assert.equal((await web.post("/settings/apps", { name: "No token" }, { withCsrf: false })).status, 403);
  assert.equal((await web.post(`/settings/apps/${id}/revoke`, {})).status, 303);
  assert.doesNotMatch((await web.get("/settings/apps")).html, /From the page/);
  assert.equal((await new WebClient(server).get("/settings/apps")).status, 401, "a visitor gets no keys page");
});

test("refusals about keys and authorisations are in the member's language: the apps page, the authorize page and the API's localizedMessage", async () => {
  const owner = await buildMember(server);
  const web = new WebClient(server);
  await web.logIn(owner);
  await web.get("/language?lang=fr&return=/settings/apps");
  await web.get("/settings/apps");
  const unnamed = await web.post("/settings/apps", { name: "   " });
  assert.equal(unnamed.status, 400);
  assert.match(unnamed.html, /<p class="alert error" role="alert">Donnez un nom à l’application, pour savoir quelle clé est laquelle\.<\/p>/);
  const expired = await web.get("/services/oauth/authorize?oauth_token=no-such-token");
  assert.equal(expired.status, 404);
  assert.match(expired.html, /Cette demande d’autorisation a expiré ou a déjà reçu une réponse ; recommencez depuis l’application\./);

  const revoked = await api(server, "DELETE", "/api/v1/me/api-keys/99999999", { token: owner.token, headers: { "accept-language": "ja" } });
  assert.equal(revoked.status, 404);
  assert.equal(revoked.body.error.message, "You have no such API key.");
  assert.equal(revoked.body.error.localizedMessage, "そのような API キーはありません。");
});

test("a suspended member's tokens stop working; in read-only maintenance writes answer 105 and reads go on", async () => {
  const someone = await buildMember(server);
  const key = await buildApiKey(server, someone);
  const token = await authorize(server, key, someone, "write");
  await server.context.maintenance.set(true, "Moving house");
  try {
    const write = await callJson(server, "flickr.photos.setMeta", { photo_id: "1", title: "x" }, { app: key, token, http: "POST" });
    assert.equal(write.code, 105);
    assert.equal((await callJson(server, "flickr.test.login", {}, { app: key, token, http: "POST" })).stat, "ok", "a read POSTed (as python-flickrapi does) still works");
  } finally {
    await server.context.maintenance.set(false);
  }
  await server.context.users.setSuspended((await server.context.users.findPublicUser(someone.username))!.id, true);
  assert.equal((await callJson(server, "flickr.test.login", {}, { app: key, token })).code, 100, "a suspended member's keys are gone too");
});
