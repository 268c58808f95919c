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
    [{ PINHOLE_QUOTA_PHOTOS: "many" }, "PINHOLE_QUOTA_PHOTOS"],
    [{ PINHOLE_QUOTA_PHOTOS: "-1" }, "PINHOLE_QUOTA_PHOTOS"],
    [{ PINHOLE_QUOTA_MB: "1.5" }, "PINHOLE_QUOTA_MB"],
    [{ PINHOLE_PRO_QUOTA_PHOTOS: "10k" }, "PINHOLE_PRO_QUOTA_PHOTOS"],
    [{ PINHOLE_PRO_QUOTA_MB: "99999999999" }, "PINHOLE_PRO_QUOTA_MB"],
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

test("quotas are unlimited unless set; megabytes become bytes", () => {
  assert.deepEqual(loadConfig({}).quotas, { photos: null, bytes: null, proPhotos: null, proBytes: null });
  const config = loadConfig({ PINHOLE_QUOTA_PHOTOS: "500", PINHOLE_QUOTA_MB: "1000", PINHOLE_PRO_QUOTA_PHOTOS: "", PINHOLE_PRO_QUOTA_MB: "20000" });
  assert.deepEqual(config.quotas, { photos: 500, bytes: 1000 * 1024 * 1024, proPhotos: null, proBytes: 20000 * 1024 * 1024 });
});
