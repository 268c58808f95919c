import cluster from "node:cluster";
import crypto from "node:crypto";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest, migrator } from "../db/migrate.ts";
import { buildApp } from "../app.ts";
import { UsersRepository } from "../users/repository.ts";
import { UserService } from "../users/service.ts";
import { argon2idHasher } from "../users/passwords.ts";
import { systemClock } from "../clock.ts";
import { MaintenanceMode } from "../ops/maintenance.ts";
import { SettingsRepository } from "../ops/settings-repository.ts";
import { AppError } from "../errors.ts";
import { joinImageCacheInvalidation, runPrimary } from "./cluster.ts";

const USAGE = `usage: pinhole <command>
  serve [--workers N]                     start the web server (N processes sharing the port)
  migrate [status|up]                     show or apply database migrations
  user create NAME --email E [--admin] [--password P]
                                          create a member (a password is generated when not given)
  maintenance on|off [--message TEXT]     read-only maintenance for every server (within 2 s)`;

class UsageError extends Error {}

async function serve(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { workers: { type: "string", default: "1" } } });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError("--workers takes a whole number from 1 to 64");
  if (workers > 1 && cluster.isPrimary) {
    // Migrate once, here, before any worker opens the database.
    await migrate(config, "up", true);
    runPrimary(workers, (message) => console.error(`pinhole: ${message}`));
    return;
  }
  const { app, context } = await buildApp(config);
  joinImageCacheInvalidation(context.imageCache);
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, "shutting down: finishing requests in flight");
    await app.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  await app.listen({ port: config.port, host: config.host });
}

async function migrate(config: Config, action: string, quiet = false): Promise<void> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (action === "up") {
      const applied = await migrateToLatest(database.db);
      if (!quiet || applied.length) console.log(applied.length ? `applied: ${applied.join(", ")}` : "the database is up to date");
    } else if (action === "status") {
      for (const m of await migrator(database.db).getMigrations()) console.log(`${m.executedAt ? "applied" : "pending"}  ${m.name}`);
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
    await migrateToLatest(database.db);
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

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command ?? "") {
    case "serve":
      return serve(config, rest);
    case "migrate":
      return migrate(config, rest[0] ?? "up");
    case "user":
      if (rest[0] !== "create") throw new UsageError("the user command knows: user create NAME --email E [--admin]");
      return createUser(config, rest.slice(1));
    case "maintenance":
      return maintenance(config, rest);
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

try {
  await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`pinhole: ${error.message}\n${USAGE}`);
  } else if (error instanceof ConfigError || error instanceof AppError) {
    console.error(`pinhole: ${error.message}`);
  } else {
    console.error(`pinhole: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
