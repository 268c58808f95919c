import path from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** A postgres:// URL, or null for SQLite in the data dir. */
  databaseUrl: string | null;
  baseUrl: string;
  maxUploadBytes: number;
  /** What a member may store unless an admin set their own quota; null means no limit. */
  quotas: QuotaDefaults;
  smtpUrl: string | null;
  mailFrom: string;
  /** Serve cookies with Secure; derived from the base URL. */
  secureCookies: boolean;
  /** Bytes of hot derivatives kept in memory for fast image URLs. */
  imageCacheBytes: number;
  /** Memory for photo pages kept for visitors who are not logged in (`PhotoPageCache`), per process. */
  pageCacheBytes: number;
  /** Pixel limit checked from the header before any decoding. */
  maxPixels: number;
  logLevel: string;
  /** How long a SIGTERM'd server keeps finishing requests in flight before cutting them. */
  shutdownGraceMs: number;
  /**
   * How long a SIGTERM'd server keeps serving with /readyz at 503 before it drains, so a load
   * balancer's health checks take it out first (PINHOLE_SHUTDOWN_NOTICE_SECONDS; 0: none).
   */
  shutdownNoticeMs: number;
  /** Bearer token that opens /metrics to non-loopback scrapers; null: loopback only. */
  metricsToken: string | null;
  /** Readiness fails below this much free space where the data dir is. */
  minFreeDiskBytes: number;
  /** Where scheduled backups go, or null for none. */
  backupDir: string | null;
  /** Hours between scheduled backups; 0 means none. */
  backupIntervalHours: number;
  /** Scheduled backups kept; older ones are removed after each new one. */
  backupKeep: number;
  /** Migrate even when no backup could be made first (PINHOLE_MIGRATE_WITHOUT_BACKUP=1). */
  migrateWithoutBackup: boolean;
  /** Behind a reverse proxy (PINHOLE_TRUST_PROXY=1): client addresses come from X-Forwarded-For. */
  trustProxy: boolean;
  /** Let webmention fetches reach loopback addresses (PINHOLE_WEBMENTION_ALLOW_LOOPBACK=1): for tests only; private networks stay closed. */
  webmentionAllowLoopback: boolean;
  /** How long an unfinished resumable (tus) upload is kept before its parts are removed. */
  resumableExpiryMs: number;
  /** Where originals and derivatives live and new ones are written: files under the data dir, or an S3-compatible bucket. */
  storage: StorageConfig;
  /**
   * While files move between stores (`pinhole storage migrate`): the store they come from, read
   * when a key is not in `storage` and deleted from too (PINHOLE_STORAGE_FALLBACK); null otherwise.
   */
  storageFallback: StorageConfig | null;
  /** How image URLs are answered when `storage` is S3 (PINHOLE_S3_SERVE); always "stream" on local disk. */
  imageDelivery: ImageDelivery;
  /** Map tiles, a Leaflet URL template ({z}/{x}/{y}, optionally {s} and {r}) and its attribution (plain text); null: maps with no tiles. */
  mapTiles: { url: string; attribution: string } | null;
  /** The largest zip a member may import (a Flickr data export or a Pinhole export); PINHOLE_MAX_IMPORT_MB. */
  maxImportBytes: number;
  /** How long an import job works before handing back to other jobs; it resumes where it stopped (PINHOLE_IMPORT_SLICE_SECONDS). */
  importSliceMs: number;
  /**
   * A running job's lease (PINHOLE_JOB_LEASE_SECONDS): renewed while its server lives, so the
   * jobs of a server that died are taken over by another this long after.
   */
  jobLeaseMs: number;
  /** What this server does (PINHOLE_ROLE, or serve --role): see ServerRole. */
  role: ServerRole;
}

/**
 * `web` answers the site and the API and runs no jobs or periodic tasks (the jobs its requests
 * record are left to workers); `worker` runs jobs and periodic tasks and answers only
 * /healthz, /readyz and /metrics; `all` (the default, one machine) does both.
 */
export type ServerRole = "web" | "worker" | "all";
export const SERVER_ROLES: readonly ServerRole[] = ["web", "worker", "all"];

export function parseRole(raw: string | undefined, source = "PINHOLE_ROLE"): ServerRole {
  if (raw === undefined || raw === "") return "all";
  const role = SERVER_ROLES.find((r) => r === raw.trim());
  if (!role) throw new ConfigError(`${source} must be web, worker or all, got "${raw}"`);
  return role;
}

/** Whether a server of this role answers the site (pages, API, image URLs). */
export function servesSite(role: ServerRole): boolean {
  return role !== "worker";
}

/** Whether a server of this role runs jobs and periodic tasks. */
export function runsJobs(role: ServerRole): boolean {
  return role !== "web";
}

export type StorageConfig =
  | { kind: "local" }
  | { kind: "s3"; endpoint: string | null; region: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };

export type S3StorageConfig = Extract<StorageConfig, { kind: "s3" }>;

/**
 * stream: the server reads the file from the bucket and sends it (through its memory cache).
 * presign: a redirect to a signed GET URL of the bucket that lives `lifetimeSeconds`.
 * public: a redirect to `baseUrl` + the object's key (a CDN or a public-read bucket).
 */
export type ImageDelivery = { mode: "stream" } | { mode: "presign"; lifetimeSeconds: number } | { mode: "public"; baseUrl: string };

export interface QuotaDefaults {
  photos: number | null;
  bytes: number | null;
  proPhotos: number | null;
  proBytes: number | null;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** An optional limit: unset or empty means none. */
function limit(env: Env, name: string, unit: string, max: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return null;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number of ${unit} (unset it for no limit), got "${raw}"`);
  const value = Number(raw);
  if (value > max) throw new ConfigError(`${name} must be at most ${max}, got ${value}`);
  return value;
}

function quotas(env: Env): QuotaDefaults {
  const MB = 1024 * 1024;
  const megabytes = (name: string) => {
    const value = limit(env, name, "megabytes", 1_000_000_000);
    return value === null ? null : value * MB;
  };
  return {
    photos: limit(env, "PINHOLE_QUOTA_PHOTOS", "photos", 1_000_000_000),
    bytes: megabytes("PINHOLE_QUOTA_MB"),
    proPhotos: limit(env, "PINHOLE_PRO_QUOTA_PHOTOS", "photos", 1_000_000_000),
    proBytes: megabytes("PINHOLE_PRO_QUOTA_MB"),
  };
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "" || raw === "0") return false;
  if (raw === "1") return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

function storageKind(env: Env, name: string): "local" | "s3" | null {
  const raw = env[name];
  if (raw === undefined || raw === "") return null;
  if (raw !== "local" && raw !== "s3") throw new ConfigError(`${name} must be local or s3, got "${raw}"`);
  return raw;
}

/** The bucket's settings (PINHOLE_S3_*), needed whenever either store is S3. */
export function s3Storage(env: Env, neededBy = "PINHOLE_STORAGE=s3"): S3StorageConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new ConfigError(`${name} must be set when ${neededBy}`);
    return value;
  };
  const endpoint = env.PINHOLE_S3_ENDPOINT || null;
  if (endpoint !== null && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) throw new ConfigError(`PINHOLE_S3_ENDPOINT must be an http(s) URL with no path, got "${endpoint}"`);
  const bucket = required("PINHOLE_S3_BUCKET");
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`PINHOLE_S3_BUCKET must be a bucket name (3–63 of a-z 0-9 . -), got "${bucket}"`);
  const rawPrefix = (env.PINHOLE_S3_PREFIX ?? "").replace(/^\/+|\/+$/g, "");
  if (rawPrefix !== "" && !/^[a-z0-9][a-z0-9_.-]*(\/[a-z0-9][a-z0-9_.-]*)*$/.test(rawPrefix)) throw new ConfigError(`PINHOLE_S3_PREFIX must be lower-case path segments (a-z 0-9 _ . -), got "${env.PINHOLE_S3_PREFIX}"`);
  const pathStyle = env.PINHOLE_S3_PATH_STYLE;
  if (pathStyle !== undefined && pathStyle !== "" && pathStyle !== "0" && pathStyle !== "1") throw new ConfigError(`PINHOLE_S3_PATH_STYLE must be 1 or 0, got "${pathStyle}"`);
  return {
    kind: "s3",
    endpoint: endpoint?.replace(/\/$/, "") ?? null,
    region: env.PINHOLE_S3_REGION || "us-east-1",
    bucket,
    prefix: rawPrefix === "" ? "" : `${rawPrefix}/`,
    accessKeyId: required("PINHOLE_S3_ACCESS_KEY_ID"),
    secretAccessKey: required("PINHOLE_S3_SECRET_ACCESS_KEY"),
    // Self-hosted servers (Ceph, MinIO) want bucket names in the path; AWS itself takes either.
    forcePathStyle: pathStyle === undefined || pathStyle === "" ? endpoint !== null : pathStyle === "1",
  };
}

function storage(env: Env): Pick<Config, "storage" | "storageFallback" | "imageDelivery"> {
  const kind = storageKind(env, "PINHOLE_STORAGE") ?? "local";
  const fallbackKind = storageKind(env, "PINHOLE_STORAGE_FALLBACK");
  if (fallbackKind === kind) throw new ConfigError(`PINHOLE_STORAGE_FALLBACK must name the other store than PINHOLE_STORAGE (the one files are moving from), got "${fallbackKind}" for both`);
  const s3 = kind === "s3" || fallbackKind === "s3" ? s3Storage(env, kind === "s3" ? "PINHOLE_STORAGE=s3" : "PINHOLE_STORAGE_FALLBACK=s3") : null;
  const of = (k: "local" | "s3"): StorageConfig => (k === "local" ? { kind: "local" } : s3!);
  return { storage: of(kind), storageFallback: fallbackKind ? of(fallbackKind) : null, imageDelivery: imageDelivery(env, kind) };
}

function imageDelivery(env: Env, kind: "local" | "s3"): ImageDelivery {
  const mode = env.PINHOLE_S3_SERVE || "stream";
  if (mode !== "stream" && mode !== "presign" && mode !== "public") throw new ConfigError(`PINHOLE_S3_SERVE must be stream, presign or public, got "${mode}"`);
  if (mode !== "stream" && kind !== "s3") throw new ConfigError(`PINHOLE_S3_SERVE=${mode} needs PINHOLE_STORAGE=s3 (images on local disk are always streamed); unset it or set it to stream`);
  if (mode === "stream") return { mode };
  // Signatures last at most 7 days (SigV4); under a minute, a slow client may follow an expired one.
  if (mode === "presign") return { mode, lifetimeSeconds: integer(env, "PINHOLE_S3_PRESIGN_SECONDS", 900, 60, 604_800) };
  const raw = env.PINHOLE_S3_PUBLIC_BASE_URL;
  if (!raw) throw new ConfigError("PINHOLE_S3_PUBLIC_BASE_URL must be set when PINHOLE_S3_SERVE=public: the URL the bucket's objects are read from (a CDN), before the key");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PINHOLE_S3_PUBLIC_BASE_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.search || url.hash) throw new ConfigError(`PINHOLE_S3_PUBLIC_BASE_URL must be an http(s) URL without ? or #, got "${raw}"`);
  return { mode, baseUrl: raw.replace(/\/+$/, "") };
}

function backups(env: Env, dataDir: string): Pick<Config, "backupDir" | "backupIntervalHours" | "backupKeep"> {
  const dir = env.PINHOLE_BACKUP_DIR ? path.resolve(env.PINHOLE_BACKUP_DIR) : null;
  const files = path.join(dataDir, "files");
  if (dir && (dir === files || dir.startsWith(files + path.sep))) {
    throw new ConfigError(`PINHOLE_BACKUP_DIR must be outside the photo storage (${files}), ideally on another disk, got "${env.PINHOLE_BACKUP_DIR}"`);
  }
  const rawInterval = env.PINHOLE_BACKUP_INTERVAL_HOURS;
  let interval = dir ? 24 : 0;
  if (rawInterval !== undefined && rawInterval !== "") {
    if (!/^\d+(\.\d+)?$/.test(rawInterval.trim()) || Number(rawInterval) > 8760) {
      throw new ConfigError(`PINHOLE_BACKUP_INTERVAL_HOURS must be a number of hours from 0 (off) to 8760, got "${rawInterval}"`);
    }
    interval = Number(rawInterval);
  }
  if (interval > 0 && !dir) throw new ConfigError("PINHOLE_BACKUP_INTERVAL_HOURS needs PINHOLE_BACKUP_DIR: set the folder scheduled backups go to");
  return { backupDir: dir, backupIntervalHours: interval, backupKeep: integer(env, "PINHOLE_BACKUP_KEEP", 7, 1, 10_000) };
}

function databaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL;
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL, got "${raw}"`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL (unset it to use SQLite), got "${url.protocol}//…"`);
  }
  return raw;
}

function baseUrl(env: Env, host: string, port: number): string {
  const raw = env.PINHOLE_BASE_URL;
  if (!raw) return `http://${host === "0.0.0.0" || host === "::" ? "localhost" : host}:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PINHOLE_BASE_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`PINHOLE_BASE_URL must start with http:// or https://, got "${raw}"`);
  }
  return url.toString().replace(/\/$/, "");
}

function smtpUrl(env: Env): string | null {
  const raw = env.PINHOLE_SMTP_URL;
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new Error();
  } catch {
    throw new ConfigError(`PINHOLE_SMTP_URL must be an smtp:// or smtps:// URL, got "${raw}"`);
  }
  return raw;
}

function host(env: Env): string {
  const raw = env.HOST;
  if (!raw) return "0.0.0.0";
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(raw)) throw new ConfigError(`HOST must be a host name or IP address, got "${raw}"`);
  return raw;
}

function metricsToken(env: Env): string | null {
  const raw = env.PINHOLE_METRICS_TOKEN;
  if (!raw) return null;
  if (!/^[\x21-\x7e]{16,256}$/.test(raw)) throw new ConfigError("PINHOLE_METRICS_TOKEN must be 16 to 256 printable characters without spaces");
  return raw;
}

export const OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const OSM_ATTRIBUTION = "© OpenStreetMap contributors";

/** PINHOLE_MAP_TILES_URL: unset means OpenStreetMap's standard tiles; empty means none (markers on a plain background). */
function mapTiles(env: Env): Config["mapTiles"] {
  const raw = env.PINHOLE_MAP_TILES_URL;
  const attribution = env.PINHOLE_MAP_TILES_ATTRIBUTION;
  if (attribution !== undefined && attribution.length > 300) throw new ConfigError("PINHOLE_MAP_TILES_ATTRIBUTION must be at most 300 characters");
  if (raw === undefined) return { url: OSM_TILES_URL, attribution: attribution || OSM_ATTRIBUTION };
  if (raw.trim() === "") return null;
  const url = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\{s\}/g, "a"));
  } catch {
    throw new ConfigError(`PINHOLE_MAP_TILES_URL must be an http(s) URL with {z}, {x} and {y} (empty for no tiles), got "${raw}"`);
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !["{z}", "{x}", "{y}"].every((part) => url.includes(part)) || /["'\s]/.test(url)) {
    throw new ConfigError(`PINHOLE_MAP_TILES_URL must be an http(s) URL with {z}, {x} and {y} (empty for no tiles), got "${raw}"`);
  }
  return { url, attribution: attribution ?? "" };
}

/**
 * Where tiles come from, for the Content-Security-Policy's img-src: the template's scheme and
 * host, with a {s} subdomain as a wildcard.
 */
export function mapTilesSource(tiles: Config["mapTiles"]): string | null {
  if (!tiles) return null;
  const match = /^(https?:\/\/)([^/?#]+)/.exec(tiles.url);
  return match ? `${match[1]}${match[2]!.replace(/\{s\}/g, "*")}` : null;
}

/** Environment → typed config. Throws ConfigError naming the one variable that is wrong. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, "PORT", 3000, 0, 65535);
  const hostName = host(env);
  const base = baseUrl(env, hostName, port);
  const dataDir = path.resolve(env.PINHOLE_DATA_DIR || "data");
  return {
    port,
    host: hostName,
    dataDir,
    databaseUrl: databaseUrl(env),
    baseUrl: base,
    maxUploadBytes: integer(env, "PINHOLE_MAX_UPLOAD_MB", 200, 1, 100_000) * 1024 * 1024,
    quotas: quotas(env),
    smtpUrl: smtpUrl(env),
    mailFrom: env.PINHOLE_MAIL_FROM || "Pinhole <no-reply@localhost>",
    secureCookies: base.startsWith("https:"),
    imageCacheBytes: integer(env, "PINHOLE_IMAGE_CACHE_MB", 256, 0, 100_000) * 1024 * 1024,
    pageCacheBytes: integer(env, "PINHOLE_PAGE_CACHE_MB", 64, 0, 100_000) * 1024 * 1024,
    maxPixels: integer(env, "PINHOLE_MAX_MEGAPIXELS", 100, 1, 1000) * 1_000_000,
    logLevel: env.PINHOLE_LOG_LEVEL || "info",
    shutdownGraceMs: integer(env, "PINHOLE_SHUTDOWN_GRACE_SECONDS", 25, 1, 3600) * 1000,
    shutdownNoticeMs: integer(env, "PINHOLE_SHUTDOWN_NOTICE_SECONDS", 0, 0, 300) * 1000,
    metricsToken: metricsToken(env),
    minFreeDiskBytes: integer(env, "PINHOLE_MIN_FREE_DISK_MB", 512, 0, 10_000_000) * 1024 * 1024,
    ...backups(env, dataDir),
    migrateWithoutBackup: flag(env, "PINHOLE_MIGRATE_WITHOUT_BACKUP"),
    trustProxy: flag(env, "PINHOLE_TRUST_PROXY"),
    webmentionAllowLoopback: flag(env, "PINHOLE_WEBMENTION_ALLOW_LOOPBACK"),
    resumableExpiryMs: integer(env, "PINHOLE_RESUMABLE_EXPIRY_SECONDS", 86_400, 1, 30 * 86_400) * 1000,
    ...storage(env),
    mapTiles: mapTiles(env),
    maxImportBytes: integer(env, "PINHOLE_MAX_IMPORT_MB", 10_240, 1, 10_000_000) * 1024 * 1024,
    importSliceMs: integer(env, "PINHOLE_IMPORT_SLICE_SECONDS", 60, 0, 3600) * 1000,
    jobLeaseMs: integer(env, "PINHOLE_JOB_LEASE_SECONDS", 60, 5, 3600) * 1000,
    role: parseRole(env.PINHOLE_ROLE),
  };
}
