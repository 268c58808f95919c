import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

test("defaults give a site on port 3000 with SQLite under ./data", () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.databaseUrl, null);
  assert.match(config.dataDir, /\/data$/);
  assert.equal(config.baseUrl, "http://localhost:3000");
  assert.equal(config.maxUploadBytes, 200 * 1024 * 1024);
  assert.equal(config.secureCookies, false);
  assert.equal(config.shutdownGraceMs, 25_000);
  assert.equal(config.metricsToken, null);
});

test("each bad value is refused with one line naming its variable", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://localhost/x" }, "DATABASE_URL"],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
    [{ PINHOLE_BASE_URL: "example.com" }, "PINHOLE_BASE_URL"],
    [{ PINHOLE_BASE_URL: "ftp://example.com" }, "PINHOLE_BASE_URL"],
    [{ PINHOLE_MAX_UPLOAD_MB: "0" }, "PINHOLE_MAX_UPLOAD_MB"],
    [{ PINHOLE_MAX_UPLOAD_MB: "-5" }, "PINHOLE_MAX_UPLOAD_MB"],
    [{ PINHOLE_SMTP_URL: "http://mail" }, "PINHOLE_SMTP_URL"],
    [{ HOST: "bad host!" }, "HOST"],
    [{ PINHOLE_SHUTDOWN_GRACE_SECONDS: "0" }, "PINHOLE_SHUTDOWN_GRACE_SECONDS"],
    [{ PINHOLE_SHUTDOWN_GRACE_SECONDS: "soon" }, "PINHOLE_SHUTDOWN_GRACE_SECONDS"],
    [{ PINHOLE_METRICS_TOKEN: "short" }, "PINHOLE_METRICS_TOKEN"],
    [{ PINHOLE_METRICS_TOKEN: "has a space in the middle of it" }, "PINHOLE_METRICS_TOKEN"],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(variable), error.message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

test("a postgres URL selects PostgreSQL and an https base URL makes cookies Secure", () => {
  const config = loadConfig({ DATABASE_URL: "postgres://u@db:5432/pinhole", PINHOLE_BASE_URL: "https://photos.example.org/", PINHOLE_MAX_UPLOAD_MB: "50" });
  assert.equal(config.databaseUrl, "postgres://u@db:5432/pinhole");
  assert.equal(config.baseUrl, "https://photos.example.org");
  assert.equal(config.secureCookies, true);
  assert.equal(config.maxUploadBytes, 50 * 1024 * 1024);
});
