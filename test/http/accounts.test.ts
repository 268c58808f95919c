import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember, WebClient } from "../helpers/client.ts";

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

describe("sign up", () => {
  test("the first account is the admin, later ones are not", async () => {
    const first = await api(server, "POST", "/api/v1/users", { json: { username: "founder", email: "founder@example.test", password: "a long enough secret" } });
    assert.equal(first.status, 201);
    assert.deepEqual({ username: first.body.username, isAdmin: first.body.isAdmin }, { username: "founder", isAdmin: true });
    const second = await buildMember(server);
    const me = await api(server, "GET", "/api/v1/me", { token: second.token });
    assert.equal(me.body.isAdmin, false);
  });

  test("usernames are unique whatever their case", async () => {
    await buildMember(server, { username: "CaseTest" });
    const clash = await api(server, "POST", "/api/v1/users", { json: { username: "casetest", email: "x@example.test", password: "another fine secret" } });
    assert.equal(clash.status, 409);
    assert.match(clash.body.error.message, /taken/);
  });

  test("bad usernames, emails and passwords get a 4xx that says what is wrong, and create nothing", async () => {
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ username: "ab", email: "a@example.test", password: "long enough pw 1" }, 400, /3 to 32/],
      [{ username: "has space", email: "a@example.test", password: "long enough pw 1" }, 400, /3 to 32/],
      [{ username: "x".repeat(33), email: "a@example.test", password: "long enough pw 1" }, 400, /3 to 32/],
      [{ username: "valid_name", email: "not-an-email", password: "long enough pw 1" }, 400, /email/],
      [{ username: "valid_name", email: "a@example.test", password: "short" }, 400, /at least 10/],
      [{ username: "valid_name", email: "a@example.test", password: "password123" }, 400, /common/],
      [{ username: "valid_name", email: "a@example.test", password: "qwertyuiop" }, 400, /common/],
      [{ username: "valid_name", email: "a@example.test", password: "1234567890" }, 400, /common/],
      [{ username: "tags", email: "a@example.test", password: "long enough pw 1" }, 409, /taken/],
    ];
    for (const [json, status, message] of cases) {
      const response = await api(server, "POST", "/api/v1/users", { json });
      assert.equal(response.status, status, JSON.stringify(json));
      assert.match(response.body.error.message, message);
    }
    const login = await api(server, "POST", "/api/v1/sessions", { json: { username: "valid_name", password: "long enough pw 1" } });
    assert.equal(login.status, 401);
  });
});

describe("sessions", () => {
  test("a bearer token identifies the member until it is deleted", async () => {
    const member = await buildMember(server);
    const me = await api(server, "GET", "/api/v1/me", { token: member.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, member.username);
    assert.equal((await api(server, "DELETE", "/api/v1/sessions/current", { token: member.token })).status, 204);
    const after = await api(server, "GET", "/api/v1/me", { token: member.token });
    assert.equal(after.status, 401);
  });

  test("a wrong password is refused without saying which part was wrong", async () => {
    const member = await buildMember(server);
    const wrong = await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: "not the password" } });
    const unknown = await api(server, "POST", "/api/v1/sessions", { json: { username: "nobody-here", password: "not the password" } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error.message, unknown.body.error.message);
  });

  test("after five failures the account is throttled, even for the right password", async () => {
    const member = await buildMember(server);
    for (let i = 0; i < 5; i++) {
      assert.equal((await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: `wrong ${i} password` } })).status, 401);
    }
    const throttled = await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: member.password } });
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get("retry-after")) > 0);
    assert.match(throttled.body.error.message, /Too many failed log-ins/);
  });

  test("web log-in sets an HttpOnly, SameSite=Lax session cookie and log-out ends the session", async () => {
    const member = await buildMember(server);
    const web = new WebClient(server);
    await web.get("/login");
    const login = await web.post("/login", { username: member.username, password: member.password });
    assert.equal(login.status, 303);
    const setCookie = login.headers.getSetCookie().find((c) => c.startsWith("pinhole_session="));
    assert.ok(setCookie);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.doesNotMatch(setCookie, /Secure/i, "plain http base URL: no Secure flag");
    const settings = await web.get("/settings");
    assert.equal(settings.status, 200);
    const token = web.cookie("pinhole_session");
    await web.post("/logout", {});
    assert.equal((await web.get("/settings")).status, 401);
    // The old cookie value no longer works either.
    const replay = await fetch(`${server.url}/settings`, { headers: { cookie: `pinhole_session=${token}`, accept: "text/html" } });
    assert.equal(replay.status, 401);
  });

  test("a session token is stored only as a hash", async () => {
    const member = await buildMember(server);
    const rows = await server.context.database.db.selectFrom("sessions").select("token_hash").execute();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.token_hash !== member.token && /^[0-9a-f]{64}$/.test(r.token_hash)));
  });
});

describe("CSRF", () => {
  test("a form post without the CSRF token is refused and changes nothing", async () => {
    const member = await buildMember(server);
    const web = new WebClient(server);
    await web.logIn(member);
    const refused = await web.post("/settings/password", { currentPassword: member.password, newPassword: "a brand new secret" }, { withCsrf: false });
    assert.equal(refused.status, 403);
    assert.equal((await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: member.password } })).status, 201);
  });

  test("a sign-up form from another site (no CSRF cookie) is refused", async () => {
    const response = await fetch(`${server.url}/signup`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ username: "forged", email: "f@example.test", password: "forged password here", _csrf: "guess" }),
      redirect: "manual",
    });
    assert.equal(response.status, 403);
  });

  test("cookie-authenticated JSON writes need the CSRF header", async () => {
    const member = await buildMember(server);
    const web = new WebClient(server);
    await web.logIn(member);
    await web.get("/settings");
    const cookie = `pinhole_session=${web.cookie("pinhole_session")}; pinhole_csrf=${web.cookie("pinhole_csrf")}`;
    const body = JSON.stringify({ currentPassword: member.password, newPassword: "x fresh password 1" });
    const without = await fetch(`${server.url}/api/v1/me/password`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body });
    assert.equal(without.status, 403);
    const withHeader = await fetch(`${server.url}/api/v1/me/password`, { method: "POST", headers: { cookie, "content-type": "application/json", "x-csrf-token": web.csrf }, body });
    assert.equal(withHeader.status, 204);
  });
});

describe("passwords and mail", () => {
  test("sign-up on the web sends a confirmation mail whose link confirms the address", async () => {
    const web = new WebClient(server);
    await web.get("/signup");
    const username = `mail${Date.now() % 100000}`;
    const signup = await web.post("/signup", { username, email: `${username}@example.test`, password: "a good long secret" });
    assert.equal(signup.status, 303);
    assert.equal(signup.location, "/upload");
    const link = await server.mailbox.waitFor(`${username}@example.test`, /(http:\/\/\S+\/confirm-email\/\S+)/);
    assert.match((await web.get("/settings")).html, /not confirmed yet/);
    const confirmed = await web.get(new URL(link).pathname);
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.html, /Email confirmed/);
    assert.match((await web.get("/settings")).html, /is confirmed/);
    assert.equal((await web.get(new URL(link).pathname)).status, 400, "a confirmation link works once");
  });

  test("a password reset by mail sets a new password, ends old sessions, and the link works once", async () => {
    const member = await buildMember(server);
    const web = new WebClient(server);
    await web.get("/reset-password");
    const requested = await web.post("/reset-password", { account: member.email });
    assert.equal(requested.status, 200);
    assert.match(requested.html, /If that account exists/);
    const link = await server.mailbox.waitFor(member.email, /(http:\/\/\S+\/reset-password\/\S+)/);
    const form = await web.get(new URL(link).pathname);
    assert.equal(form.status, 200);
    const weak = await web.post(new URL(link).pathname, { password: "short" });
    assert.equal(weak.status, 400, "a refused password does not use up the link");
    const done = await web.post(new URL(link).pathname, { password: "my new long password" });
    assert.equal(done.status, 200);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: member.token })).status, 401);
    assert.equal((await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: "my new long password" } })).status, 201);
    assert.equal((await web.post(new URL(link).pathname, { password: "yet another password" })).status, 400);
  });

  test("a reset request for an unknown account looks the same and sends nothing", async () => {
    const web = new WebClient(server);
    await web.get("/reset-password");
    const before = server.mailbox.mails.length;
    const response = await web.post("/reset-password", { account: "nobody@example.test" });
    assert.equal(response.status, 200);
    assert.match(response.html, /If that account exists/);
    assert.equal(server.mailbox.mails.length, before);
  });

  test("changing the password needs the current one and logs out other sessions", async () => {
    const member = await buildMember(server);
    const wrong = await api(server, "POST", "/api/v1/me/password", { token: member.token, json: { currentPassword: "not it at all", newPassword: "completely new secret" } });
    assert.equal(wrong.status, 400);
    const other = await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: member.password } });
    const changed = await api(server, "POST", "/api/v1/me/password", { token: member.token, json: { currentPassword: member.password, newPassword: "completely new secret" } });
    assert.equal(changed.status, 204);
    assert.equal((await api(server, "GET", "/api/v1/me", { token: member.token })).status, 200, "this session stays");
    assert.equal((await api(server, "GET", "/api/v1/me", { token: other.body.token })).status, 401, "others end");
  });
});

describe("pages", () => {
  test("member-only pages send anonymous visitors a 401 page, not a crash", async () => {
    for (const path of ["/upload", "/settings"]) {
      const response = await fetch(`${server.url}${path}`, { headers: { accept: "text/html" } });
      assert.equal(response.status, 401, path);
      assert.match(await response.text(), /Log in/);
    }
  });

  test("pages carry a strict Content-Security-Policy and security headers", async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: "text/html" } });
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.ok(response.headers.get("referrer-policy"));
  });

  test("the OpenAPI description lists the API routes with their schemas", async () => {
    const spec = await api(server, "GET", "/api/v1/openapi.json");
    assert.equal(spec.status, 200);
    for (const path of ["/api/v1/users", "/api/v1/sessions", "/api/v1/photos", "/api/v1/photos/{id}", "/api/v1/users/{username}/photos"]) {
      assert.ok(spec.body.paths[path], `${path} is described`);
    }
    assert.ok(spec.body.paths["/api/v1/photos/{id}"].get.responses["200"]);
    assert.equal(spec.body.paths["/signup"], undefined, "HTML pages are not part of the API");
  });
});

describe("throttling by address", () => {
  test("after thirty failures from one address, log-ins from it are refused for a while, for any account", async () => {
    const isolated = await startServer();
    try {
      const member = await buildMember(isolated);
      for (let i = 0; i < 30; i++) {
        const response = await api(isolated, "POST", "/api/v1/sessions", { json: { username: `guess${i}`, password: "some password guess" } });
        assert.equal(response.status, 401);
      }
      const blocked = await api(isolated, "POST", "/api/v1/sessions", { json: { username: member.username, password: member.password } });
      assert.equal(blocked.status, 429);
      assert.match(blocked.body.error.message, /Try again in \d+ minutes/);
    } finally {
      await isolated.close();
    }
  });
});
