import http from "node:http";
import path from "node:path";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import pino, { type Logger } from "pino";
import { mapTilesSource, runsJobs, servesSite, type Config } from "./config.ts";
import { openDatabase, REQUEST_DEADLINE_MS, type DatabaseHandle } from "./db/database.ts";
import type { MigrationSet } from "./db/migrate.ts";
import { systemClock, type Clock } from "./clock.ts";
import type { BlobStore } from "./storage/blob-store.ts";
import { loadSigningSecret, secretMatchesSite } from "./ops/secrets.ts";
import { CsrfTokens } from "./web/csrf.ts";
import { html } from "./web/html.ts";
import { installAccessControl } from "./web/access.ts";
import { installErrorHandler } from "./web/error-handler.ts";
import { registerAssetRoutes } from "./web/assets.ts";
import { installSecurityHeaders } from "./web/security-headers.ts";
import { UsersRepository } from "./users/repository.ts";
import { UserService } from "./users/service.ts";
import { argon2idHasher, type PasswordHasher } from "./users/passwords.ts";
import { LogMailer, SmtpMailer, type Mailer } from "./users/mailer.ts";
import { registerUserRoutes } from "./users/routes.ts";
import { catalogs } from "./i18n/messages.ts";
import { installMessages } from "./i18n/request.ts";
import { registerLanguageRoutes } from "./i18n/routes.ts";
import { PhotosRepository } from "./photos/repository.ts";
import { PhotoService } from "./photos/service.ts";
import { registerPhotoRoutes } from "./photos/routes.ts";
import { BatchEditor } from "./photos/batch.ts";
import { FeedService } from "./feeds/service.ts";
import { registerFeedRoutes } from "./feeds/routes.ts";
import { EmbedService } from "./embeds/service.ts";
import { registerEmbedRoutes } from "./embeds/routes.ts";
import { WEBMENTION_JOB, WebmentionService } from "./webmentions/service.ts";
import { WebmentionsRepository } from "./webmentions/repository.ts";
import { registerWebmentionRoutes } from "./webmentions/routes.ts";
import { registerBatchRoutes } from "./photos/batch-routes.ts";
import { openImageRedirects, openStore, sharedStore } from "./storage/open-store.ts";
import { ResumableUploads } from "./photos/resumable.ts";
import { registerResumableRoutes } from "./photos/resumable-routes.ts";
import { LocalPartsStore, SharedPartsStore } from "./photos/resumable-parts.ts";
import { UploadLocksRepository } from "./photos/upload-locks-repository.ts";
import { ImageCache } from "./images/image-cache.ts";
import { ImageServer } from "./images/routes.ts";
import { SharpImageProcessor, type ImageProcessor } from "./images/processor.ts";
import { registerHealthRoutes } from "./ops/health-routes.ts";
import { HttpDrain } from "./ops/drain.ts";
import { IMAGE_ROUTE, Metrics, UNMATCHED_ROUTE } from "./ops/metrics.ts";
import { registerMetricsRoutes } from "./ops/metrics-routes.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "./web/request-id.ts";
import { PeriodicRunsRepository } from "./ops/periodic-repository.ts";
import { SettingsRepository } from "./ops/settings-repository.ts";
import { DeletionGate } from "./ops/deletion-gate.ts";
import { checkStorageMarker } from "./storage/marker.ts";
import { cleanScratch } from "./storage/scratch.ts";
import { JobsRepository } from "./jobs/repository.ts";
import { JobRunner } from "./jobs/runner.ts";
import { DELETE_FILES_JOB, FINISH_UPLOAD_JOB, PhotoFiles } from "./photos/files.ts";
import { RateLimiter } from "./ops/rate-limits.ts";
import { RateLimitsRepository } from "./ops/rate-limits-repository.ts";
import { RecentErrors } from "./admin/recent-errors.ts";
import { RecentErrorsRepository } from "./admin/recent-errors-repository.ts";
import { UploadQuotas } from "./photos/quotas.ts";
import { QuotaRepository } from "./photos/quota-repository.ts";
import { AdminRepository } from "./admin/repository.ts";
import { AdminService } from "./admin/service.ts";
import { registerAdminRoutes } from "./admin/routes.ts";
import { SocialRepository } from "./social/repository.ts";
import { NotificationsRepository } from "./notifications/repository.ts";
import { Notifier } from "./notifications/service.ts";
import { PhotoPageCache } from "./photos/page-cache.ts";
import { PhotoPageSections, PhotostreamSections } from "./photos/page-sections.ts";
import { SocialService } from "./social/service.ts";
import { registerSocialRoutes } from "./social/routes.ts";
import { FavesRepository } from "./social/faves-repository.ts";
import { CommentsRepository } from "./social/comments-repository.ts";
import { FavesService } from "./social/faves-service.ts";
import { CommentsService } from "./social/comments-service.ts";
import { registerCommunityRoutes } from "./social/community-routes.ts";
import { registerContactPages } from "./social/pages.ts";
import { addSocialSections } from "./social/sections.ts";
import { installUnreadCount, registerNotificationRoutes } from "./notifications/routes.ts";
import { GroupsRepository, photoInAnyPool } from "./groups/repository.ts";
import { GroupService } from "./groups/service.ts";
import { registerGroupRoutes } from "./groups/routes.ts";
import { photoGroupsSection } from "./groups/views.ts";
import { ModerationRepository } from "./moderation/repository.ts";
import { ModerationService } from "./moderation/service.ts";
import { registerModerationRoutes } from "./moderation/routes.ts";
import { reportBox } from "./moderation/views.ts";
import { MaintenanceMode } from "./ops/maintenance.ts";
import { installMaintenanceGuard } from "./web/maintenance-guard.ts";
import { buildStatusService, type StatusService } from "./status/service.ts";
import { registerStatusRoutes } from "./status/routes.ts";
import { migrateWithBackup } from "./ops/safe-migrate.ts";
import { BackupSchedule, spawnScheduledBackup } from "./ops/backup-schedule.ts";
import { NotesRepository, photoHasNotes } from "./notes/repository.ts";
import { NoteService } from "./notes/service.ts";
import { registerNoteRoutes } from "./notes/routes.ts";
import { notesHelp, notesOverlay } from "./notes/views.ts";
import { PhotoViewsRepository } from "./explore/photo-views-repository.ts";
import { PhotoViews } from "./explore/photo-views.ts";
import { ExploreRepository } from "./explore/repository.ts";
import { ExploreService } from "./explore/service.ts";
import { registerExploreRoutes } from "./explore/routes.ts";
import { SearchRepository } from "./search/repository.ts";
import { SearchService } from "./search/service.ts";
import { registerSearchRoutes } from "./search/routes.ts";
import { viewCountLine } from "./explore/views.ts";
import { FlickrRepository } from "./flickr/repository.ts";
import { FlickrService } from "./flickr/service.ts";
import { registerFlickrRoutes } from "./flickr/routes.ts";
import { ActivityRepository } from "./activity/repository.ts";
import { AlbumsRepository, ownerHasSmartAlbums, photoInAnyAlbum } from "./albums/repository.ts";
import { AlbumService } from "./albums/service.ts";
import { registerAlbumRoutes } from "./albums/routes.ts";
import { photoAlbumsSection } from "./albums/views.ts";
import { ActivityService } from "./activity/service.ts";
import { registerActivityRoutes } from "./activity/routes.ts";
import { MapsRepository } from "./maps/repository.ts";
import { registerMapRoutes } from "./maps/routes.ts";
import { MapService } from "./maps/service.ts";
import { MAP_STYLES, PHOTO_MAP_SCRIPTS, photoMapSection } from "./maps/views.ts";
import { TransferRepository } from "./transfer/repository.ts";
import { ExportService } from "./transfer/export.ts";
import { IMPORT_JOB, ImportService } from "./transfer/import.ts";
import { registerTransferRoutes } from "./transfer/routes.ts";
import { albumsForTransfer, type AlbumSink, type AlbumSource } from "./transfer/albums.ts";
import { albumsAsPhotosets, searchAsPort } from "./flickr/adapters.ts";

export interface AppContext {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  store: BlobStore;
  users: UserService;
  photos: PhotoService;
  /** Many photos changed in one request (the API's batch, the Organizr page). */
  photoBatch: BatchEditor;
  /** Albums and collections (the Organizr adds photos to albums). */
  albums: AlbumService;
  /** tus uploads in progress (/api/v1/uploads/), finished through the same ingest. */
  resumable: ResumableUploads;
  photoFiles: PhotoFiles;
  imageCache: ImageCache;
  metrics: Metrics;
  /** Stops the HTTP server gracefully (SIGTERM, rolling reload); see src/ops/drain.ts. */
  drain: HttpDrain;
  jobs: JobRunner;
  settings: SettingsRepository;
  deletionGate: DeletionGate;
  status: StatusService;
  maintenance: MaintenanceMode;
  /** Scheduled backups (PINHOLE_BACKUP_DIR), or null when they are off or jobs do not run here. */
  backupSchedule: BackupSchedule | null;
  /** The id in the storage marker, checked at start and by readiness. */
  storageId: string;
  recentErrors: RecentErrors;
  quotas: UploadQuotas;
  admin: AdminService;
  social: SocialService;
  faves: FavesService;
  comments: CommentsService;
  notifier: Notifier;
  /** Parts of the photo page other domains add (comments, faves, notes, groups, reports). */
  photoPageSections: PhotoPageSections;
  photoPageCache: PhotoPageCache;
  /** Parts of a photostream page other domains add (follow, block, faves). */
  photostreamSections: PhotostreamSections;
  /** Reports from members and the admins' decisions about them. */
  moderation: ModerationService;
  notes: NoteService;
  photoViews: PhotoViews;
  explore: ExploreService;
  activity: ActivityService;
  search: SearchService;
  maps: MapService;
}

/** Seams tests may replace; everything else is built from the config. */
export interface AppOverrides {
  mailer?: Mailer;
  clock?: Clock;
  hasher?: PasswordHasher;
  logger?: Logger;
  imageProcessor?: ImageProcessor;
  /**
   * Run background jobs and periodic tasks in this process (default: as the config's role
   * says); with false, jobs are only recorded (and made due), and tests may drive them by hand.
   */
  runJobs?: boolean;
  /** The migration history, for tests that append a migration to it. */
  migrations?: MigrationSet;
  /**
   * Albums for export and import (src/transfer/albums.ts). The albums domain is built on another
   * branch; until it is wired in below, exports write an empty albums.json and imports keep
   * album definitions without making albums.
   */
  albums?: { source: AlbumSource | null; sink: AlbumSink | null };
}

export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<{ app: FastifyInstance; context: AppContext }> {
  const log = overrides.logger ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  // A web-only server records jobs and leaves them to workers; a worker answers no site.
  const jobsHere = overrides.runJobs ?? runsJobs(config.role);
  const site = servesSite(config.role);
  // Migrations (and the backup before them) may take long: they run on their own connection
  // without the deadlines that keep requests from hanging on a database that is down.
  const migrating = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateWithBackup({
      database: migrating,
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      allowWithoutBackup: config.migrateWithoutBackup,
      clock,
      migrations: overrides.migrations,
      say: (level, message) => log[level](message),
    });
  } finally {
    await migrating.close();
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, requestDeadlineMs: REQUEST_DEADLINE_MS });

  const store = openStore(config);
  const settings = new SettingsRepository(database.db);
  let storageId: string;
  try {
    storageId = await checkStorageMarker(store, settings, clock.now());
  } catch (error) {
    await database.close();
    throw error;
  }
  const deletionGate = new DeletionGate(settings, clock);
  const signingSecret = loadSigningSecret(config.dataDir, process.env.PINHOLE_SECRET);
  if (!(await secretMatchesSite(settings, signingSecret, clock.now()))) {
    log.warn("this server's signing secret differs from the one the previous server started with: if several servers serve this site, give them all the same PINHOLE_SECRET, or a form served by one is refused by another");
  }
  // Temp files of dead processes go; a sibling's uploads in flight stay.
  await cleanScratch(store.scratchDir, 60 * 60_000);
  const mailer = overrides.mailer ?? (config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.mailFrom) : new LogMailer(log));
  const users = new UserService({
    users: new UsersRepository(database.db),
    hasher: overrides.hasher ?? argon2idHasher,
    mailer,
    clock,
    baseUrl: config.baseUrl,
  });
  const imageCache = new ImageCache(config.imageCacheBytes);
  const photosRepository = new PhotosRepository(database.db);
  const imageProcessor = overrides.imageProcessor ?? new SharpImageProcessor({ maxPixels: config.maxPixels });
  const photoFiles = new PhotoFiles({ photos: photosRepository, store, images: imageProcessor, imageCache, clock, deletionGate });
  const jobsRepository = new JobsRepository(database.db);
  const jobs = new JobRunner({
    jobs: jobsRepository,
    clock,
    log,
    handlers: { [FINISH_UPLOAD_JOB]: photoFiles.finishUpload, [DELETE_FILES_JOB]: photoFiles.deleteFiles },
    handOff: !jobsHere,
    leaseMs: config.jobLeaseMs,
  });
  // Uploads a crash interrupted are finished (or cleaned) now rather than after their delay.
  await jobs.releaseDeadLeases();
  await jobsRepository.makeDue(FINISH_UPLOAD_JOB, clock.now());
  const photos = new PhotoService({
    photos: photosRepository,
    store,
    images: imageProcessor,
    imageCache,
    files: photoFiles,
    jobs,
    clock,
    baseUrl: config.baseUrl,
  });
  const metrics = new Metrics({ poolStats: () => database.poolStats(), storageBytes: () => store.usedBytes() });
  const drain = new HttpDrain();
  // The backlog is the work recorded as jobs: uploads to finish, files to delete.
  metrics.setBacklogSource(async () => {
    const { pending, running } = await jobsRepository.backlog();
    return pending + running;
  });
  const notifier = new Notifier({ notifications: new NotificationsRepository(database.db), clock });
  const social = new SocialService({
    social: new SocialRepository(database.db),
    clock,
    notifier: { contactAdded: ({ ownerId, contactId }) => notifier.notify({ userId: contactId, kind: "contact", actorId: ownerId }) },
  });
  const faves = new FavesService({ faves: new FavesRepository(database.db), photos, social, notifier, clock, baseUrl: config.baseUrl });
  const comments = new CommentsService({ comments: new CommentsRepository(database.db), photos, social, notifier, clock });
  const groups = new GroupService({
    groups: new GroupsRepository(database.db),
    clock,
    baseUrl: config.baseUrl,
    photoVisible: (photoId, viewer) => photos.isVisible(photoId, viewer),
    photoIsOwn: async (photoId, viewer) => (await photos.get(photoId, viewer)).canEdit,
    notify: (notification) => notifier.notify(notification),
  });
  const recentErrors = new RecentErrors(new RecentErrorsRepository(database.db), clock, log);
  const quotas = new UploadQuotas(new QuotaRepository(database.db), config.quotas);
  const admin = new AdminService({ admin: new AdminRepository(database.db), users, jobs: jobsRepository, recentErrors, quotaDefaults: config.quotas, dataDir: config.dataDir });
  const status = buildStatusService({ config, database, store, storageId, backlog: jobsRepository, clock, log });
  const maintenance = new MaintenanceMode(settings, clock, log);
  const { backupDir, backupIntervalHours, backupKeep } = config;
  const backupSchedule =
    backupDir && backupIntervalHours > 0 && jobsHere
      ? new BackupSchedule({
          settings,
          clock,
          intervalMs: backupIntervalHours * 60 * 60_000,
          holder: jobs.workerId,
          run: (signal) => spawnScheduledBackup({ dir: backupDir, keep: backupKeep, dataDir: config.dataDir, databaseUrl: config.databaseUrl }, signal),
          say: (level, message) => log[level](message),
        })
      : null;
  const moderation = new ModerationService({ moderation: new ModerationRepository(database.db), photos, users, clock });
  const photoPageSections = new PhotoPageSections();
  // Members may report a photo that is not theirs.
  photoPageSections.add(
    async ({ photo, viewer, csrfToken, request }) => {
      if (!viewer || photo.canEdit) return null;
      const messages = request.messages();
      return { body: html`<section class="photo-report">${reportBox({ kind: "photo", id: photo.id }, csrfToken, messages)}</section>`, lang: messages.locale };
    },
    { sameForVisitors: true },
  );
  const notes = new NoteService({ notes: new NotesRepository(database.db), photos, clock, notifier });
  const photoViews = new PhotoViews({ views: new PhotoViewsRepository(database.db), clock, onError: (error) => log.warn({ err: error }, "could not write photo views") });
  // Periodic tasks run once per period across all servers: the one that claims the period runs it.
  const periodicRuns = new PeriodicRunsRepository(database.db);
  const say = (level: "info" | "warn", message: string) => log[level](message);
  const explore = new ExploreService({ explore: new ExploreRepository(database.db), runs: periodicRuns, holder: jobs.workerId, clock, baseUrl: config.baseUrl, say });
  const activity = new ActivityService({ activity: new ActivityRepository(database.db), runs: periodicRuns, holder: jobs.workerId, clock, baseUrl: config.baseUrl, say });
  const hasNotes = photoPageSections.probe(photoHasNotes);
  photoPageSections.add(
    async ({ photo, viewer, request, has }) => {
      const anyNotes = has(hasNotes);
      // A visitor may add none, so a photo without notes has nothing to show them.
      if (!anyNotes && viewer === null) return null;
      const { notes: list, canAdd } = await notes.forPage(Number(photo.id), viewer, anyNotes);
      const messages = request.messages();
      const overlay = notesOverlay({ photoId: photo.id, notes: list, canAdd, messages });
      return overlay ? { overlay, body: notesHelp(canAdd, photo.canEdit, messages), scripts: ["notes.js"], lang: messages.locale } : null;
    },
    { sameForVisitors: true },
  );
  // A visit to the page is a view (the owner's own visits are not), whether the page was kept or
  // rendered; only the owner sees the count.
  photoPageSections.whenShown(async ({ photoId, ownerVisiting, request }) => {
    // A counter never fails a page, and read-only maintenance writes nothing.
    if (request.method === "GET" && !maintenance.current().enabled) {
      const visitor = request.viewer ? { memberId: request.viewer.id } : { ip: request.ip, userAgent: request.headers["user-agent"] ?? "" };
      await photoViews.visit(photoId, ownerVisiting, visitor).catch((error: unknown) => request.log.warn({ err: error }, "could not count a photo view"));
    }
  });
  photoPageSections.add(
    async ({ photo, request }) => {
      if (!photo.canEdit) return null;
      const messages = request.messages();
      return { body: viewCountLine(await photoViews.count(Number(photo.id)), messages), lang: messages.locale };
    },
    { sameForVisitors: true },
  );
  const rateLimiter = new RateLimiter({ repository: new RateLimitsRepository(database.db), clock });
  const webmentions = new WebmentionService({
    mentions: new WebmentionsRepository(database.db),
    photos,
    jobs,
    clock,
    log,
    baseUrl: config.baseUrl,
    limits: { timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 5, allowLoopback: config.webmentionAllowLoopback },
    rateLimiter,
  });
  jobs.register(WEBMENTION_JOB, webmentions.verify);

  // Parts of unfinished tus uploads: in the bucket when the site has one, so any server takes any
  // request; on one machine's disk, tus's file store in the data dir.
  const shared = sharedStore(store);
  const resumable = new ResumableUploads({
    parts: shared ? new SharedPartsStore(shared, config.resumableExpiryMs, () => clock.now()) : new LocalPartsStore(path.join(config.dataDir, "resumable-uploads"), config.resumableExpiryMs),
    scratchDir: store.scratchDir,
    maxBytes: config.maxUploadBytes,
    expiryMs: config.resumableExpiryMs,
    photos,
    quotas,
    locks: new UploadLocksRepository(database.db),
    runs: periodicRuns,
    clock,
    holder: jobs.workerId,
    log,
  });
  const albums = new AlbumService({ albums: new AlbumsRepository(database.db), clock, baseUrl: config.baseUrl });
  photos.setAlbumsOf((photoId, viewer) => albums.albumsHolding(photoId, viewer));
  const photoBatch = new BatchEditor({ photos: photosRepository, albumOf: (id) => albums.ownership(id), files: photoFiles, jobs, imageCache, clock });
  const search = new SearchService({ search: new SearchRepository(database.db), baseUrl: config.baseUrl });
  const transfer = new TransferRepository(database.db);
  const transferAlbums = overrides.albums ?? albumsForTransfer(albums);
  const exports = new ExportService({ transfer, store, albums: transferAlbums.source, clock, baseUrl: config.baseUrl, log });
  const imports = new ImportService({
    transfer,
    photos,
    quotas,
    people: {
      setContact: (member, username, flags) => social.setContact(member, username, flags),
      fave: (member, photoId) => faves.fave(member, photoId),
      setNotePermission: (member, permission) => notes.setPermission(member, permission),
    },
    albums: transferAlbums.sink,
    jobs,
    clock,
    log,
    store,
    directory: path.join(config.dataDir, "imports"),
    sliceMs: config.importSliceMs,
    maxPhotoBytes: config.maxUploadBytes,
    scratchDir: store.scratchDir,
    baseUrl: config.baseUrl,
  });
  jobs.register(IMPORT_JOB, imports.job);
  const context: AppContext = { config, log, database, store, users, photos, photoBatch, albums, resumable, photoFiles, imageCache, jobs, settings, deletionGate, status, maintenance, storageId, recentErrors, quotas, admin, backupSchedule, metrics, drain, social, faves, comments, notifier, photoPageSections, photoPageCache: new PhotoPageCache(config.pageCacheBytes), photostreamSections: new PhotostreamSections(), moderation, notes, photoViews, explore, activity, search, maps: new MapService({ maps: new MapsRepository(database.db), baseUrl: config.baseUrl }) };
  addSocialSections({ photoPage: context.photoPageSections, photostream: context.photostreamSections, faves, comments, social });
  // "In groups: …" under a photo, and for its owner the form that adds it to one of their groups.
  const inAnyPool = context.photoPageSections.probe(photoInAnyPool);
  context.photoPageSections.add(
    async ({ photo, viewer, csrfToken, request, has }) => {
      const { holding, canAddTo } = await groups.photoGroups(Number(photo.id), viewer, photo.canEdit, has(inAnyPool));
      const messages = request.messages();
      const body = photoGroupsSection({ photoId: photo.id, pagePath: `/photos/${photo.owner.username}/${photo.id}`, csrfToken, messages, holding, canAddTo });
      return body ? { body, lang: messages.locale } : null;
    },
    { sameForVisitors: true },
  );
  // "In albums: …" under a photo (those the viewer may see), and for its owner "Add to album".
  const inAnyAlbum = context.photoPageSections.probe(photoInAnyAlbum);
  const ownerHasSmart = context.photoPageSections.probe(ownerHasSmartAlbums);
  context.photoPageSections.add(
    async ({ photo, viewer, csrfToken, request, has }) => {
      const photoId = Number(photo.id);
      const ownerId = photo.canEdit && viewer ? viewer.id : null;
      const [holding, canAddTo] = await Promise.all([
        albums.albumsHolding(photoId, viewer, { manual: has(inAnyAlbum), smart: has(ownerHasSmart) }),
        ownerId !== null ? albums.albumsToAddTo(ownerId, photoId) : null,
      ]);
      const messages = request.messages();
      const body = photoAlbumsSection({ photoId: photo.id, ownerUsername: photo.owner.username, pagePath: `/photos/${photo.owner.username}/${photo.id}`, csrfToken, messages, holding, canAddTo });
      return body ? { body, lang: messages.locale } : null;
    },
    { sameForVisitors: true },
  );

  // The photo's place on a small map for whoever may see it; its owner sets it by clicking one.
  context.photoPageSections.add(
    async ({ photo, request }) => {
      const messages = request.messages();
      const body = photoMapSection({ settings: { tiles: config.mapTiles }, location: photo.location, canEdit: photo.canEdit, messages });
      return body ? { body, scripts: PHOTO_MAP_SCRIPTS, styles: MAP_STYLES, lang: messages.locale } : null;
    },
    { sameForVisitors: true },
  );

  const redirects = openImageRedirects(config, store);
  if (redirects) imageCache.whenDropped((prefix) => redirects.forget(prefix));
  const images = new ImageServer({ store, cache: imageCache, log, redirects, now: () => clock.now() });
  const serveImage = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    response.once("finish", () => metrics.observeRequest(request.method ?? "GET", IMAGE_ROUTE, response.statusCode, (performance.now() - started) / 1000));
    images.serve(request, response);
  };
  const app = Fastify({
    serverFactory: (handler) => {
      const server = http.createServer(drain.wrap((request, response) => (site && images.handles(request) ? serveImage(request, response) : handler(request, response))));
      // Fastify's own default, lost when we make the server: longer than the idle timeout of the
      // load balancers in front of us, so they never reuse a connection we are closing.
      server.keepAliveTimeout = 72_000;
      drain.attach(server);
      return server;
    },
    loggerInstance: log as FastifyBaseLogger,
    trustProxy: config.trustProxy,
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
  app.addHook("onReady", async () => {
    // The status page's copy of the incidents is for the servers that answer it.
    await Promise.all([site ? status.start() : undefined, maintenance.start()]);
  });
  app.addHook("onClose", async () => {
    metrics.stop();
    maintenance.stop();
    await status.stop();
    await backupSchedule?.stop();
    await explore.stop();
    await activity.stop();
    await resumable.stop();
    await photoViews.flush().catch((error: unknown) => log.warn({ err: error }, "could not write photo views"));
    await jobs.stop();
    await database.close();
  });
  metrics.start();
  if (jobsHere) app.addHook("onReady", async () => jobs.start());
  if (backupSchedule) app.addHook("onReady", async () => backupSchedule.start());
  // Explore is ranked at start and every 15 minutes, by one server of many (ops/periodic.ts).
  if (jobsHere) app.addHook("onReady", async () => explore.start());
  if (jobsHere) app.addHook("onReady", async () => activity.start());
  // Unfinished tus uploads expire once across the site, like the other periodic tasks.
  if (jobsHere) app.addHook("onReady", async () => resumable.start());

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
    // The JSON API, and the Flickr-compatible API at Flickr's own paths.
    transform: ({ schema, url }) => ({ schema: url.startsWith("/api/") || url.startsWith("/services/") ? schema : { ...schema, hide: true }, url }),
  });
  installErrorHandler(app, config.maxUploadBytes, { outage: status, recorder: recentErrors });
  installMaintenanceGuard(app, maintenance);
  installAccessControl(app, {
    users,
    csrf: new CsrfTokens(signingSecret),
    secureCookies: config.secureCookies,
    operatorToken: config.metricsToken,
  });

  // Compiled here so a message that does not compile stops start-up, not a page.
  catalogs((message) => app.log.warn(message));
  installMessages(app);
  if (site) registerAssetRoutes(app);

  await app.register(async (web) => {
    installSecurityHeaders(web, { https: config.secureCookies, mapTilesSource: mapTilesSource(config.mapTiles) });
    if (site) installUnreadCount(web, context);
    registerHealthRoutes(web, context);
    registerMetricsRoutes(web, context);
    // A worker answers only these, for the load balancer's or the supervisor's health checks
    // and for monitoring; everything else is a 404 there.
    if (!site) return;
    registerUserRoutes(web, context);
    registerPhotoRoutes(web, context);
    registerBatchRoutes(web, context);
    registerResumableRoutes(web, context);
    registerAdminRoutes(web, context);
    registerSocialRoutes(web, context);
    registerCommunityRoutes(web, context);
    registerContactPages(web, context);
    registerNotificationRoutes(web, context);
    registerGroupRoutes(web, context, groups);
    registerModerationRoutes(web, context);
    registerStatusRoutes(web, context);
    registerNoteRoutes(web, context);
    registerExploreRoutes(web, context);
    registerSearchRoutes(web, context);
    registerLanguageRoutes(web, context);
    registerActivityRoutes(web, context);
    registerFeedRoutes(web, context, new FeedService({ photos, users, faves, comments, groups, albums, clock, baseUrl: config.baseUrl }));
    registerTransferRoutes(web, context, exports, imports);
    registerEmbedRoutes(web, context, new EmbedService({ photos, baseUrl: config.baseUrl }));
    registerWebmentionRoutes(web, context, webmentions);
    registerAlbumRoutes(web, context, albums);
    registerMapRoutes(web, context);
    const flickr = new FlickrService({
      flickr: new FlickrRepository(database.db),
      users,
      photos,
      faves,
      comments,
      social,
      groups,
      quotas,
      clock,
      baseUrl: config.baseUrl,
      photosets: albumsAsPhotosets(albums, (photoId, viewer) => photos.isVisible(photoId, viewer)),
      search: searchAsPort(search),
      isReadOnly: () => maintenance.current().enabled,
    });
    registerFlickrRoutes(web, context, { flickr });
    web.get("/api/v1/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
  });

  return { app, context };
}
