import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig, mapTilesSource, runsJobs, servesSite } from "./config.ts";

/** Each environment is refused with one line that starts with the variable to blame. */
function refusedInOneLine(cases: Array<[Record<string, string>, string, RegExp]>): void {
  for (const [env, variable, message] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(variable), error.message);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
}

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
  assert.equal(config.role, "all");
  assert.equal(config.shutdownNoticeMs, 0);
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
    [{ PINHOLE_QUOTA_PHOTOS: "many" }, "PINHOLE_QUOTA_PHOTOS"],
    [{ PINHOLE_QUOTA_PHOTOS: "-1" }, "PINHOLE_QUOTA_PHOTOS"],
    [{ PINHOLE_QUOTA_MB: "1.5" }, "PINHOLE_QUOTA_MB"],
    [{ PINHOLE_PRO_QUOTA_PHOTOS: "10k" }, "PINHOLE_PRO_QUOTA_PHOTOS"],
    [{ PINHOLE_PRO_QUOTA_MB: "99999999999" }, "PINHOLE_PRO_QUOTA_MB"],
    [{ PINHOLE_MAP_TILES_URL: "tiles.example.org/{z}/{x}/{y}.png" }, "PINHOLE_MAP_TILES_URL"],
    [{ PINHOLE_MAP_TILES_URL: "ftp://tiles.example.org/{z}/{x}/{y}.png" }, "PINHOLE_MAP_TILES_URL"],
    [{ PINHOLE_MAP_TILES_URL: "https://tiles.example.org/{z}/{x}.png" }, "PINHOLE_MAP_TILES_URL"],
    [{ PINHOLE_MAP_TILES_URL: "https://tiles.example.org/{z}/{x}/{y}.png' data:" }, "PINHOLE_MAP_TILES_URL"],
    [{ PINHOLE_ROLE: "Web" }, "PINHOLE_ROLE"],
    [{ PINHOLE_SHUTDOWN_NOTICE_SECONDS: "301" }, "PINHOLE_SHUTDOWN_NOTICE_SECONDS"],
    [{ PINHOLE_ROLE: "both" }, "PINHOLE_ROLE"],
    [{ PINHOLE_JOB_LEASE_SECONDS: "2" }, "PINHOLE_JOB_LEASE_SECONDS"],
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

test("backups: off by default, daily once a folder is given, kept 7, each bad value refused in one line", () => {
  const none = loadConfig({});
  assert.equal(none.backupDir, null);
  assert.equal(none.backupIntervalHours, 0);
  assert.equal(none.backupKeep, 7);
  assert.equal(none.migrateWithoutBackup, false);
  const daily = loadConfig({ PINHOLE_BACKUP_DIR: "/srv/backups" });
  assert.equal(daily.backupDir, "/srv/backups");
  assert.equal(daily.backupIntervalHours, 24);
  assert.equal(loadConfig({ PINHOLE_BACKUP_DIR: "/srv/backups", PINHOLE_BACKUP_INTERVAL_HOURS: "0" }).backupIntervalHours, 0, "a folder for manual backups only");
  assert.equal(loadConfig({ PINHOLE_BACKUP_DIR: "/srv/backups", PINHOLE_BACKUP_INTERVAL_HOURS: "0.5", PINHOLE_BACKUP_KEEP: "48" }).backupIntervalHours, 0.5);
  assert.equal(loadConfig({ PINHOLE_MIGRATE_WITHOUT_BACKUP: "1" }).migrateWithoutBackup, true);

  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ PINHOLE_BACKUP_DIR: "/b", PINHOLE_BACKUP_INTERVAL_HOURS: "daily" }, "PINHOLE_BACKUP_INTERVAL_HOURS", /a number of hours from 0 \(off\) to 8760/],
    [{ PINHOLE_BACKUP_DIR: "/b", PINHOLE_BACKUP_INTERVAL_HOURS: "-1" }, "PINHOLE_BACKUP_INTERVAL_HOURS", /from 0/],
    [{ PINHOLE_BACKUP_INTERVAL_HOURS: "24" }, "PINHOLE_BACKUP_INTERVAL_HOURS", /needs PINHOLE_BACKUP_DIR/],
    [{ PINHOLE_BACKUP_DIR: "/b", PINHOLE_BACKUP_KEEP: "0" }, "PINHOLE_BACKUP_KEEP", /between 1 and/],
    [{ PINHOLE_DATA_DIR: "/srv/pinhole", PINHOLE_BACKUP_DIR: "/srv/pinhole/files/backups" }, "PINHOLE_BACKUP_DIR", /outside the photo storage/],
    [{ PINHOLE_MIGRATE_WITHOUT_BACKUP: "yes" }, "PINHOLE_MIGRATE_WITHOUT_BACKUP", /1 or 0/],
  ];
  refusedInOneLine(cases);
});

test("map tiles: OpenStreetMap's by default, none when empty, another server's allowed by the CSP", () => {
  assert.deepEqual(loadConfig({}).mapTiles, { url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attribution: "© OpenStreetMap contributors" });
  assert.equal(mapTilesSource(loadConfig({}).mapTiles), "https://tile.openstreetmap.org");
  assert.equal(loadConfig({ PINHOLE_MAP_TILES_URL: "" }).mapTiles, null);
  assert.equal(mapTilesSource(null), null);
  const own = loadConfig({ PINHOLE_MAP_TILES_URL: "https://{s}.tiles.example.org:8443/osm/{z}/{x}/{y}{r}.png", PINHOLE_MAP_TILES_ATTRIBUTION: "© Example" });
  assert.deepEqual(own.mapTiles, { url: "https://{s}.tiles.example.org:8443/osm/{z}/{x}/{y}{r}.png", attribution: "© Example" });
  assert.equal(mapTilesSource(own.mapTiles), "https://*.tiles.example.org:8443");
});

test("storage: how S3 images are served, and the fallback store of a migration; each bad value refused in one line", () => {
  const s3 = { PINHOLE_STORAGE: "s3", PINHOLE_S3_BUCKET: "photos", PINHOLE_S3_ACCESS_KEY_ID: "id", PINHOLE_S3_SECRET_ACCESS_KEY: "secret" };
  assert.deepEqual(loadConfig({}).imageDelivery, { mode: "stream" });
  assert.equal(loadConfig({}).storageFallback, null);
  assert.deepEqual(loadConfig({ ...s3, PINHOLE_S3_SERVE: "presign" }).imageDelivery, { mode: "presign", lifetimeSeconds: 900 });
  assert.deepEqual(loadConfig({ ...s3, PINHOLE_S3_SERVE: "public", PINHOLE_S3_PUBLIC_BASE_URL: "https://cdn.example.org/p/" }).imageDelivery, { mode: "public", baseUrl: "https://cdn.example.org/p" });
  const moving = loadConfig({ ...s3, PINHOLE_STORAGE_FALLBACK: "local" });
  assert.equal(moving.storage.kind, "s3");
  assert.deepEqual(moving.storageFallback, { kind: "local" });
  const back = loadConfig({ ...s3, PINHOLE_STORAGE: "local", PINHOLE_STORAGE_FALLBACK: "s3" });
  assert.deepEqual([back.storage.kind, back.storageFallback?.kind], ["local", "s3"]);

  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ ...s3, PINHOLE_S3_SERVE: "cdn" }, "PINHOLE_S3_SERVE", /stream, presign or public/],
    [{ ...s3, PINHOLE_S3_SERVE: "public" }, "PINHOLE_S3_PUBLIC_BASE_URL", /must be set/],
    [{ ...s3, PINHOLE_S3_SERVE: "public", PINHOLE_S3_PUBLIC_BASE_URL: "ftp://cdn" }, "PINHOLE_S3_PUBLIC_BASE_URL", /http\(s\)/],
    [{ ...s3, PINHOLE_S3_SERVE: "presign", PINHOLE_S3_PRESIGN_SECONDS: "10" }, "PINHOLE_S3_PRESIGN_SECONDS", /between 60 and 604800/],
    [{ PINHOLE_S3_SERVE: "presign" }, "PINHOLE_S3_SERVE", /needs PINHOLE_STORAGE=s3/],
    [{ ...s3, PINHOLE_STORAGE_FALLBACK: "s3" }, "PINHOLE_STORAGE_FALLBACK", /the other store/],
    [{ PINHOLE_STORAGE_FALLBACK: "disk" }, "PINHOLE_STORAGE_FALLBACK", /local or s3/],
    [{ PINHOLE_STORAGE_FALLBACK: "s3" }, "PINHOLE_S3_BUCKET", /when PINHOLE_STORAGE_FALLBACK=s3/],
  ];
  refusedInOneLine(cases);
});

test("roles: web answers the site and runs no jobs, worker the reverse, all both", () => {
  assert.deepEqual(
    (["web", "worker", "all"] as const).map((role) => {
      const config = loadConfig({ PINHOLE_ROLE: role });
      return [config.role, servesSite(config.role), runsJobs(config.role)];
    }),
    [["web", true, false], ["worker", false, true], ["all", true, true]],
  );
});
