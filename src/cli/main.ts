import cluster from "node:cluster";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, parseRole, type Config } from "../config.ts";
import { openDatabase, sqliteFilePath, type DatabaseHandle } from "../db/database.ts";
import { isPostDeployment, migrator, pendingMigrations } from "../db/migrate.ts";
import { buildApp } from "../app.ts";
import { shutDown } from "../ops/drain.ts";
import { UsersRepository } from "../users/repository.ts";
import { UserService } from "../users/service.ts";
import { argon2idHasher } from "../users/passwords.ts";
import { systemClock } from "../clock.ts";
import { MaintenanceMode } from "../ops/maintenance.ts";
import { SettingsRepository } from "../ops/settings-repository.ts";
import { AppError } from "../errors.ts";
import { joinDrainNotice, joinImageCacheInvalidation, joinMetricsAggregation, runPrimary } from "./cluster.ts";
import { formatBytes, TerminalProgress } from "./progress.ts";
import { copySqliteToPostgres, CopyRefused } from "../db/copy.ts";
import { migrateWithBackup } from "../ops/safe-migrate.ts";
import { runBackup } from "../ops/backup.ts";
import { runRestore } from "../ops/restore.ts";
import { verifyStorage } from "../ops/verify.ts";
import { DeletionGate } from "../ops/deletion-gate.ts";
import { openOneStore, openStore } from "../storage/open-store.ts";
import { migrateStorage } from "../storage/migrate.ts";
import { cleanScratch } from "../storage/scratch.ts";
import { PhotosRepository } from "../photos/repository.ts";
import { PhotoFiles } from "../photos/files.ts";
import { SharpImageProcessor } from "../images/processor.ts";
import { ImageCache } from "../images/image-cache.ts";

const USAGE = `usage: pinhole <command>
  serve [--workers N] [--role R]          start the server (N processes sharing the port); R (or PINHOLE_ROLE):
                                          web (pages and API, no jobs), worker (jobs and periodic tasks;
                                          only /healthz, /readyz, /metrics over HTTP) or all (default)
  migrate [status|up [--post-deployment]] show or apply database migrations (backing the database up first);
                                          --post-deployment also applies the destructive ones, once every server runs this release
  backup DEST [--keep N]                  back the site up into the folder DEST while it serves
  restore SRC [--force]                   restore a backup (SRC: one backup, or a folder of them: its newest)
                                          into an empty data dir and database (the files into the bucket on S3)
  verify [--repair]                       check every photo file; --repair makes damaged sizes again
  user create NAME --email E [--admin] [--password P]
                                          create a member (a password is generated when not given)
  maintenance on|off [--message TEXT]     read-only maintenance for every server (within 2 s)
  storage migrate --to s3|local           copy every photo file from PINHOLE_STORAGE_FALLBACK into PINHOLE_STORAGE
                                          while the site serves, each checked by sha256; resumable (README)
  copy-database --to postgres://…         copy this SQLite site's database into an empty PostgreSQL database
                                          (stop the servers or turn maintenance on first; files stay where they are)`;

class UsageError extends Error {}
/** The command ran and found things wrong; they are already printed, one per line. */
class CommandFailed extends Error {}

function migrateOptions(config: Config, database: DatabaseHandle) {
  return {
    database,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    allowWithoutBackup: config.migrateWithoutBackup,
    clock: systemClock,
    say: (level: "info" | "warn", message: string) => console.error(`pinhole: ${level === "warn" ? "warning: " : ""}${message}`),
  };
}


/** Opens the site's database for a command that must not create one. */
function openExisting(config: Config): DatabaseHandle {
  if (!config.databaseUrl && !fs.existsSync(sqliteFilePath(config.dataDir))) {
    throw new CommandFailed(`there is no site in ${config.dataDir} (no ${path.basename(sqliteFilePath(config.dataDir))}): is PINHOLE_DATA_DIR right?`);
  }
  return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
}

/** SIGINT and SIGTERM ask the work to stop cleanly (a half-made backup is removed) instead of killing it. */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: string) => controller.abort(new Error(`stopped by ${signal}`));
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  return controller.signal;
}

async function backup(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { keep: { type: "string" }, scheduled: { type: "boolean", default: false } } });
  const [dest] = positionals;
  if (!dest || positionals.length > 1) throw new UsageError("give one folder to back up into: pinhole backup DEST");
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) throw new UsageError("--keep takes a whole number from 1");
  const database = openExisting(config);
  try {
    const settings = new SettingsRepository(database.db);
    const result = await runBackup(
      { database, databaseUrl: config.databaseUrl, store: openStore(config), settings, gate: new DeletionGate(settings, systemClock), clock: systemClock },
      { dest, kind: values.scheduled ? "scheduled" : "manual", keep, progress: new TerminalProgress(), signal: stopSignal(), dataDir: config.dataDir },
    );
    const { info } = result;
    const files = info.files;
    console.log(`backup complete: ${result.dir}`);
    console.log(`  database: ${info.database.kind}, ${formatBytes(info.database.bytes)}, ${info.database.check}; schema ${info.schemaVersion ?? "none"}, Pinhole ${info.appVersion}`);
    if (files) console.log(`  files: ${files.count} (${formatBytes(files.bytes)}); ${files.copied} new (${formatBytes(files.copiedBytes)}) copied, the rest already in ${path.join(path.dirname(result.dir), "objects")}`);
    if (result.pruned.length) console.log(`  removed older backups: ${result.pruned.join(", ")}`);
    for (const line of info.notIncluded) console.log(`  not in the backup: ${line}`);
  } finally {
    await database.close();
  }
}

async function restore(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: "boolean", default: false } } });
  const [source] = positionals;
  if (!source || positionals.length > 1) throw new UsageError("give one backup to restore: pinhole restore SRC [--force]");
  // On S3 the files go back into the bucket (PINHOLE_STORAGE), not onto this machine's disk.
  const store = config.storage.kind === "s3" ? openOneStore(config.dataDir, config.storage) : null;
  const result = await runRestore({ source, dataDir: config.dataDir, databaseUrl: config.databaseUrl, force: values.force ?? false, clock: systemClock, progress: new TerminalProgress(), store });
  const database = config.databaseUrl ? "the database at DATABASE_URL" : config.dataDir;
  const into = store ? `${database}, the files into ${store.location}` : config.databaseUrl ? `${config.dataDir} and ${database}` : database;
  console.log(`restored ${result.dir} (made ${result.info.completedAt} by Pinhole ${result.info.appVersion}, schema ${result.info.schemaVersion ?? "none"}) into ${into}`);
  if (result.info.files) console.log(`  files: ${result.files} of ${result.info.files.count} (${formatBytes(result.bytes)}), each checked against its sha256`);
  if (result.storageId) console.log(`  storage marker and database agree: storage ${result.storageId}`);
  const secret = process.env.PINHOLE_SECRET ? "PINHOLE_SECRET is set here" : `copy secret.key from the old server into ${config.dataDir} before starting, or set PINHOLE_SECRET`;
  console.log(`  the signing secret is never in a backup: ${secret}; without it a new one is made and forms open in browsers must be reloaded (sessions and API tokens keep working)`);
  for (const problem of result.problems) console.log(problem);
  if (result.problems.length) {
    throw new CommandFailed(`${result.problems.length} file(s) could not be restored as backed up (listed above); start the server and run pinhole verify --repair to make damaged sizes again; originals can only come from another backup`);
  }
}

async function verify(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { repair: { type: "boolean", default: false } } });
  const database = openExisting(config);
  try {
    const store = openStore(config);
    const photos = new PhotosRepository(database.db);
    const settings = new SettingsRepository(database.db);
    const files = new PhotoFiles({
      photos,
      store,
      images: new SharpImageProcessor({ maxPixels: config.maxPixels }),
      imageCache: new ImageCache(0),
      clock: systemClock,
      deletionGate: new DeletionGate(settings, systemClock),
    });
    const result = await verifyStorage({ photos, store, files }, { repair: values.repair ?? false, progress: new TerminalProgress() });
    for (const line of result.repaired) console.log(`repaired: ${line}`);
    for (const line of result.problems) console.log(line);
    const repaired = result.repaired.length ? `, ${result.repaired.length} photo(s) repaired` : "";
    if (result.problems.length) throw new CommandFailed(`verified ${result.photos} photo(s): ${result.problems.length} problem(s)${repaired}`);
    console.log(`verified ${result.photos} photo(s): all well${repaired}`);
  } finally {
    await database.close();
  }
}

async function serve(baseConfig: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { workers: { type: "string", default: "1" }, role: { type: "string" } } });
  const config: Config = values.role === undefined ? baseConfig : { ...baseConfig, role: parseRole(values.role, "--role") };
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError("--workers takes a whole number from 1 to 64");
  if (workers > 1 && cluster.isPrimary) {
    // Migrate once, here, before any worker opens the database; temp files of uploads a crash
    // cut short are removed (those of live processes stay) before any worker starts one.
    await migrate(config, ["up"], true);
    await cleanScratch(path.join(config.dataDir, "tmp"), 60 * 60_000);
    runPrimary(workers, { graceMs: config.shutdownGraceMs, noticeMs: config.shutdownNoticeMs, log: (message) => console.error(`pinhole: ${message}`) });
    return;
  }
  const { app, context } = await buildApp(config);
  joinImageCacheInvalidation(context.imageCache);
  joinMetricsAggregation(context.metrics);
  joinDrainNotice(context.drain);
  let stopping = false;
  const shutdown = async (signal: string) => {
    stopping = true;
    try {
      // Under serve --workers the primary gives the notice to all workers before a stop, and
      // none when it retires one in a reload while the others keep the port.
      await shutDown(app, context.drain, { signal, graceMs: config.shutdownGraceMs, noticeMs: cluster.isWorker ? 0 : config.shutdownNoticeMs });
    } catch (error) {
      app.log.error({ err: error }, "shutting down failed");
      process.exit(1);
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => {
    if (!stopping) void shutdown("SIGTERM");
  });
  // Repeated signals change nothing: under bin/pinhole.js one Ctrl-C arrives twice (from the
  // terminal and forwarded by the launcher), and the cluster primary follows SIGINT with SIGTERM.
  process.on("SIGINT", () => {
    if (!stopping) void shutdown("SIGINT");
  });
  process.on("SIGHUP", () => {
    // In a worker the primary reloads; left to Node's default, SIGHUP would end the process.
    if (!cluster.isWorker) app.log.warn("SIGHUP: a rolling reload needs serve --workers N (2 or more); this server keeps running");
  });
  await app.listen({ port: config.port, host: config.host });
  const does = { web: "the site and the API; jobs are left to workers", worker: "jobs and periodic tasks; HTTP only /healthz, /readyz and /metrics", all: "the site, the API, jobs and periodic tasks" };
  app.log.info({ role: config.role }, `role ${config.role}: ${does[config.role]}`);
}

async function migrate(config: Config, args: string[], quiet = false): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "post-deployment": { type: "boolean", default: false } } });
  const action = positionals[0] ?? "up";
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (action === "up") {
      const { applied } = await migrateWithBackup({ ...migrateOptions(config, database), postDeployment: values["post-deployment"] ?? false });
      if (!quiet || applied.length) console.log(applied.length ? `applied: ${applied.join(", ")}` : "the database is up to date");
      const waiting = (await pendingMigrations(database.db, undefined, { postDeployment: true })).filter(isPostDeployment);
      if (waiting.length > 0 && !quiet) console.log(`post-deployment migrations wait for every server to run this release: ${waiting.join(", ")}; then run pinhole migrate up --post-deployment`);
    } else if (action === "status") {
      for (const m of await migrator(database.db).getMigrations()) console.log(`${m.executedAt ? "applied" : "pending"}  ${m.name}${isPostDeployment(m.name) ? "  (post-deployment)" : ""}`);
    } else {
      throw new UsageError(`unknown migrate action "${action}"; use status or up`);
    }
  } finally {
    await database.close();
  }
}

async function createUser(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { email: { type: "string" }, admin: { type: "boolean", default: false }, password: { type: "string" } },
  });
  const [name] = positionals;
  if (!name || !values.email) throw new UsageError("give a name and an email: pinhole user create NAME --email E [--admin]");
  const generated = values.password ? null : crypto.randomBytes(15).toString("base64url");
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateWithBackup(migrateOptions(config, database));
    const service = new UserService({
      users: new UsersRepository(database.db),
      hasher: argon2idHasher,
      mailer: { send: async () => {} },
      clock: systemClock,
      baseUrl: config.baseUrl,
    });
    const user = await service.createUser({ username: name, email: values.email, password: values.password ?? generated ?? "", admin: values.admin ?? false });
    console.log(`created ${user.isAdmin ? "admin" : "member"} ${user.username}${generated ? ` with password ${generated}` : ""}`);
  } finally {
    await database.close();
  }
}

/** Writes the shared switch the servers poll; it does not migrate, so it works during an upgrade. */
async function maintenance(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { message: { type: "string" } } });
  const [action, extra] = positionals;
  if ((action !== "on" && action !== "off") || extra !== undefined) throw new UsageError("use: pinhole maintenance on|off [--message TEXT]");
  if (action === "off" && values.message !== undefined) throw new UsageError("--message goes with maintenance on");
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const state = await new MaintenanceMode(new SettingsRepository(database.db), systemClock).set(action === "on", values.message);
    console.log(state.enabled ? `maintenance on: every server refuses changes within 2 s, showing: ${state.message}` : "maintenance off: every server accepts changes again within 2 s");
  } finally {
    await database.close();
  }
}

/**
 * The copy step of moving storage: the servers already write to PINHOLE_STORAGE and fall back to
 * PINHOLE_STORAGE_FALLBACK, so this command's configuration is the servers' own.
 */
async function storageMigrate(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { to: { type: "string" } } });
  if (positionals[0] !== "migrate" || positionals.length > 1) throw new UsageError("the storage command knows: storage migrate --to s3|local");
  const to = values.to;
  if (to !== "s3" && to !== "local") throw new UsageError("give the store to move the files to: --to s3 or --to local");
  const from = to === "s3" ? "local" : "s3";
  if (config.storage.kind !== to || config.storageFallback?.kind !== from) {
    throw new CommandFailed(
      `to move files to ${to}, the servers must already write there and read ${from} as a fallback: set PINHOLE_STORAGE=${to} and PINHOLE_STORAGE_FALLBACK=${from} (with the PINHOLE_S3_* settings) for every server and this command, restart the servers, then run this again (README: "Moving photos between local disk and S3")`,
    );
  }
  const database = openExisting(config);
  try {
    const settings = new SettingsRepository(database.db);
    const storageId = await settings.get("storage_id");
    if (storageId === null) throw new CommandFailed("this site has no storage id yet: start the server once, then run this");
    const photos = new PhotosRepository(database.db);
    const gate = new DeletionGate(settings, systemClock);
    const source = openOneStore(config.dataDir, config.storageFallback);
    const target = openOneStore(config.dataDir, config.storage);
    // Temp files of a run that was killed go now; the servers' uploads in flight stay.
    await cleanScratch(target.scratchDir, 60 * 60_000);
    const result = await migrateStorage(
      { from: source, to: target, storageId, photoFiles: (id) => photos.findFiles(id), deletionsHeldUntil: () => gate.heldUntil(), clock: systemClock },
      { journalDir: path.join(config.dataDir, "storage-migration"), progress: new TerminalProgress(), signal: stopSignal() },
    );
    for (const line of result.problems) console.log(line);
    const summary = `${result.copied} copied now (${formatBytes(result.copiedBytes)}), ${result.skipped} copied and verified by an earlier run, ${result.alreadyThere} found there and checked, ${result.vanished} deleted by the site while copied, ${result.staleRemoved} no longer used removed from ${target.location}, ${result.leftBehind} no longer used left in ${source.location}; ${result.passes} pass(es)`;
    if (result.problems.length) throw new CommandFailed(`${result.problems.length} file(s) could not be moved (listed above): ${summary}`);
    if (result.unfinished) throw new CommandFailed(`files kept appearing in ${source.location} (a server still writing there, without PINHOLE_STORAGE=${to}?); run this again once every server is restarted: ${summary}`);
    console.log(`every file of ${source.location} is in ${target.location}, each checked by sha256: ${result.files} file(s), ${formatBytes(result.bytes)}`);
    console.log(`  ${summary}`);
    console.log(`  next: remove PINHOLE_STORAGE_FALLBACK from every server and restart them; ${source.location} is left as it was (the way back, until you delete it)`);
  } finally {
    await database.close();
  }
}

async function copyDatabase(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { to: { type: "string" } } });
  if (!values.to || !/^postgres(ql)?:\/\//.test(values.to)) throw new UsageError("give the empty PostgreSQL database to copy into: pinhole copy-database --to postgres://…");
  if (config.databaseUrl) throw new UsageError("the copy reads the SQLite database in PINHOLE_DATA_DIR: unset DATABASE_URL");
  try {
    const result = await copySqliteToPostgres({ dataDir: config.dataDir, databaseUrl: values.to, say: (line) => console.log(line) });
    const rows = result.tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`copied ${rows} rows in ${result.tables.length} tables; set DATABASE_URL to that database and start the servers (the photo files stay in ${config.dataDir})`);
  } catch (error) {
    if (error instanceof CopyRefused) throw new CommandFailed(error.message);
    throw new CommandFailed(`the copy failed and was undone (the PostgreSQL database is empty again): ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command ?? "") {
    case "serve":
      return serve(config, rest);
    case "migrate":
      return migrate(config, rest);
    case "backup":
      return backup(config, rest);
    case "restore":
      return restore(config, rest);
    case "verify":
      return verify(config, rest);
    case "user":
      if (rest[0] !== "create") throw new UsageError("the user command knows: user create NAME --email E [--admin]");
      return createUser(config, rest.slice(1));
    case "maintenance":
      return maintenance(config, rest);
    case "storage":
      return storageMigrate(config, rest);
    case "copy-database":
      return copyDatabase(config, rest);
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

try {
  await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`pinhole: ${error.message}\n${USAGE}`);
  } else if (error instanceof ConfigError || error instanceof AppError || error instanceof CommandFailed) {
    console.error(`pinhole: ${error.message}`);
  } else {
    console.error(`pinhole: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
