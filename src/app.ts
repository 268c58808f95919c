import http from "node:http";
import path from "node:path";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";
import { openDatabase, type DatabaseHandle } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { systemClock, type Clock } from "./clock.ts";
import { LocalDiskStore } from "./storage/local-disk.ts";
import type { BlobStore } from "./storage/blob-store.ts";
import { loadSigningSecret } from "./ops/secrets.ts";
import { CsrfTokens } from "./web/csrf.ts";
import { installAccessControl } from "./web/access.ts";
import { installErrorHandler } from "./web/error-handler.ts";
import { registerAssetRoutes } from "./web/assets.ts";
import { installSecurityHeaders } from "./web/security-headers.ts";
import { UsersRepository } from "./users/repository.ts";
import { UserService } from "./users/service.ts";
import { argon2idHasher, type PasswordHasher } from "./users/passwords.ts";
import { LogMailer, SmtpMailer, type Mailer } from "./users/mailer.ts";
import { registerUserRoutes } from "./users/routes.ts";
import { PhotosRepository } from "./photos/repository.ts";
import { PhotoService } from "./photos/service.ts";
import { registerPhotoRoutes } from "./photos/routes.ts";
import { ImageCache } from "./images/image-cache.ts";
import { ImageServer } from "./images/routes.ts";
import { SharpImageProcessor, type ImageProcessor } from "./images/processor.ts";
import { registerHealthRoutes } from "./ops/health-routes.ts";
import { HttpDrain } from "./ops/drain.ts";
import { IMAGE_ROUTE, Metrics, UNMATCHED_ROUTE } from "./ops/metrics.ts";
import { registerMetricsRoutes } from "./ops/metrics-routes.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "./web/request-id.ts";

export interface AppContext {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  store: BlobStore;
  users: UserService;
  photos: PhotoService;
  imageCache: ImageCache;
  metrics: Metrics;
  /** Stops the HTTP server gracefully (SIGTERM, rolling reload); see src/ops/drain.ts. */
  drain: HttpDrain;
}

/** Seams tests may replace; everything else is built from the config. */
export interface AppOverrides {
  mailer?: Mailer;
  clock?: Clock;
  hasher?: PasswordHasher;
  logger?: Logger;
  imageProcessor?: ImageProcessor;
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<{ app: FastifyInstance; context: AppContext }> {
  const log = overrides.logger ?? pino({ level: config.logLevel });
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);

  const clock = overrides.clock ?? systemClock;
  const store = new LocalDiskStore(path.join(config.dataDir, "files"), path.join(config.dataDir, "tmp"));
  const mailer = overrides.mailer ?? (config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new LogMailer(log));
  const users = new UserService({
    users: new UsersRepository(database.db),
    hasher: overrides.hasher ?? argon2idHasher,
    mailer,
    clock,
    baseUrl: config.baseUrl,
  });
  const imageCache = new ImageCache(config.imageCacheBytes);
  const photos = new PhotoService({
    photos: new PhotosRepository(database.db),
    store,
    images: overrides.imageProcessor ?? new SharpImageProcessor({ maxPixels: config.maxPixels }),
    imageCache,
    clock,
    baseUrl: config.baseUrl,
  });
  const metrics = new Metrics({ poolStats: () => database.poolStats(), storageBytes: () => store.usedBytes() });
  const drain = new HttpDrain();
  const context: AppContext = { config, log, database, store, users, photos, imageCache, metrics, drain };

  const images = new ImageServer({ store, cache: imageCache, log });
  const serveImage = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    response.once("finish", () => metrics.observeRequest(request.method ?? "GET", IMAGE_ROUTE, response.statusCode, (performance.now() - started) / 1000));
    images.serve(request, response);
  };
  const app = Fastify({
    serverFactory: (handler) => {
      const server = http.createServer(drain.wrap((request, response) => (images.handles(request) ? serveImage(request, response) : handler(request, response))));
      // Fastify's own default, lost when we make the server: longer than the idle timeout of the
      // load balancers in front of us, so they never reuse a connection we are closing.
      server.keepAliveTimeout = 72_000;
      drain.attach(server);
      return server;
    },
    loggerInstance: log as FastifyBaseLogger,
    trustProxy: process.env.PINHOLE_TRUST_PROXY === "1",
    bodyLimit: 1024 * 1024,
    // Not requestIdHeader, which takes whatever a client sends: an id is checked, or replaced.
    genReqId: requestIdOf,
    // Per-request lines cost more than the image URLs they describe; errors are still logged.
    logController: new LogController({ disableRequestLogging: process.env.PINHOLE_LOG_REQUESTS !== "1" }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", useDefaults: true } },
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook("onClose", async () => {
    metrics.stop();
    await database.close();
  });
  metrics.start();

  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: "Pinhole API", version: "1" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: ({ schema, url }) => ({ schema: url.startsWith("/api/") ? schema : { ...schema, hide: true }, url }),
  });
  installErrorHandler(app, config.maxUploadBytes);
  installAccessControl(app, {
    users,
    csrf: new CsrfTokens(loadSigningSecret(config.dataDir, process.env.PINHOLE_SECRET)),
    secureCookies: config.secureCookies,
    operatorToken: config.metricsToken,
  });

  registerAssetRoutes(app);

  await app.register(async (web) => {
    installSecurityHeaders(web, { https: config.secureCookies });
    registerHealthRoutes(web, context);
    registerMetricsRoutes(web, context);
    registerUserRoutes(web, context);
    registerPhotoRoutes(web, context);
    web.get("/api/v1/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
  });

  return { app, context };
}
