import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { startServer, type TestServer } from "../helpers/server.ts";
import { api, buildMember } from "../helpers/client.ts";

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

const lines: LogLine[] = [];
let server: TestServer;
before(async () => {
  // Every JSON line the server writes, as an operator's log shipper would read it; no SMTP,
  // so mails are written to the log by a service (the log mailer).
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  server = await startServer({ PINHOLE_SMTP_URL: "" }, { logger });
});
after(async () => {
  await server.close().catch(() => {});
});

const linesOf = (reqId: string) => lines.filter((line) => line.reqId === reqId);

test("a refused request's log line carries the id that its response names in x-request-id", async () => {
  const member = await buildMember(server);
  const refused = await api(server, "POST", "/api/v1/sessions", { json: { username: member.username, password: "not the password" } });
  assert.equal(refused.status, 401);
  const id = refused.headers.get("x-request-id");
  assert.ok(id);
  const logged = linesOf(id);
  assert.ok(logged.some((line) => line.status === 401 && line.level === 30), JSON.stringify(logged));
});

test("a line a service logs during a request (the log mailer at sign-up) carries the request's id", async () => {
  const email = `rid${Date.now()}@example.test`;
  const signUp = await api(server, "POST", "/api/v1/users", { json: { username: `rid${Date.now() % 1e6}`, email, password: "a long enough password 1" } });
  assert.equal(signUp.status, 201);
  const id = signUp.headers.get("x-request-id")!;
  const mail = lines.find((line) => /mail was not sent/.test(line.msg) && line.mailTo === email);
  assert.ok(mail, "the log mailer wrote the mail to the log");
  assert.equal(mail.reqId, id);
});

test("an acceptable incoming x-request-id is kept; one too long or with spaces or markup is replaced", async () => {
  const kept = await api(server, "GET", "/no-such-page", { headers: { "x-request-id": "lb-7f3a:42/abc=" } });
  assert.equal(kept.headers.get("x-request-id"), "lb-7f3a:42/abc=");
  for (const bad of ["x".repeat(129), "two words", "<script>", "a;b", "\"quoted\""]) {
    const replaced = await api(server, "GET", "/healthz", { headers: { "x-request-id": bad } });
    const id = replaced.headers.get("x-request-id")!;
    assert.notEqual(id, bad);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `a new random id for ${JSON.stringify(bad)}`);
  }
});

test("a request failing on our side (the database gone) logs the failure with the request's id and answers 503 with it", async () => {
  const member = await buildMember(server);
  await server.context.database.close();
  const failed = await api(server, "GET", `/api/v1/users/${member.username}/photos`, { headers: { "x-request-id": "failing-request-1" } });
  assert.equal(failed.status, 503, "the database being gone is an outage, not a bug");
  assert.equal(failed.headers.get("x-request-id"), "failing-request-1");
  const warnings = linesOf("failing-request-1").filter((line) => line.level === 40);
  assert.equal(warnings.length, 1, JSON.stringify(linesOf("failing-request-1")));
  assert.equal(warnings[0]!.msg, "database unavailable");
  assert.ok(warnings[0]!.err, "the cause is on the line");
});
