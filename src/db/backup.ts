import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { sqliteConnection, type DatabaseHandle } from "./database.ts";

/**
 * Copies of the database for backups, and putting one back. Everything here talks to a
 * driver or to PostgreSQL's own tools, so it lives in src/db; src/ops/ decides when and where.
 */

/**
 * Copies a live SQLite database through SQLite's online backup API, then turns the copy into
 * one self-contained file (journal_mode DELETE, no -wal beside it).
 */
export async function backupSqlite(handle: DatabaseHandle, destFile: string): Promise<void> {
  // All remaining pages in one step: a write by another process between two steps restarts
  // the copy, so under steady uploads a copy in small steps might never finish. One step
  // holds a read snapshot for its duration, which in WAL mode blocks no writer.
  await sqliteConnection(handle).backup(destFile, { progress: () => 0x7fffffff });
  const copy = new SqliteDatabase(destFile, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

/** `PRAGMA integrity_check` on a database file: no lines when it is sound, otherwise what is wrong. */
export function checkSqliteFile(file: string): string[] {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return [(error as Error).message];
  }
  try {
    const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).filter((line) => line !== "ok");
  } catch (error) {
    return [(error as Error).message];
  } finally {
    db.close();
  }
}

/** Whether a SQLite file exists and holds any table (a file SQLite merely created is empty). */
export function sqliteFileHasTables(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const row = db.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number };
    return row.n > 0;
  } finally {
    db.close();
  }
}

// --- PostgreSQL, through pg_dump and pg_restore -------------------------------------------

export const POSTGRES_CLIENT_PACKAGE = "postgresql-client-15";

export class ProgramMissingError extends Error {}

/** The path of an executable found on PATH, or null. */
export function findProgram(name: string, pathEnv: string = process.env.PATH ?? ""): string | null {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

export function requirePostgresTool(name: "pg_dump" | "pg_restore", pathEnv?: string): string {
  const found = findProgram(name, pathEnv);
  if (!found) throw new ProgramMissingError(`${name} is not installed; install ${POSTGRES_CLIENT_PACKAGE}`);
  return found;
}

/** The URL without its password (which goes into PGPASSWORD, so `ps` never shows it). */
function toolConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { dbname: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function runTool(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const detail = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-3).join(" / ");
      reject(new Error(`${path.basename(program)} failed (${signal ?? `exit ${code}`}): ${detail || "no message"}`));
    });
  });
}

/** A consistent dump (one snapshot) of the whole database in pg_dump's custom format. */
export async function dumpPostgres(url: string, destFile: string, pathEnv?: string): Promise<void> {
  const program = requirePostgresTool("pg_dump", pathEnv);
  const { dbname, env } = toolConnection(url);
  await runTool(program, ["--format=custom", `--file=${destFile}`, `--dbname=${dbname}`], env);
}

/** Restores a custom-format dump into a database, all or nothing. */
export async function restorePostgres(url: string, dumpFile: string, pathEnv?: string): Promise<void> {
  const program = requirePostgresTool("pg_restore", pathEnv);
  const { dbname, env } = toolConnection(url);
  await runTool(program, ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", `--dbname=${dbname}`, dumpFile], env);
}

/** The entries of a dump's table of contents (a check that it is complete and readable). */
export async function listPostgresDump(dumpFile: string, pathEnv?: string): Promise<number> {
  const program = requirePostgresTool("pg_restore", pathEnv);
  const listing = await runTool(program, ["--list", dumpFile], process.env);
  return listing.split("\n").filter((line) => line.trim() !== "" && !line.startsWith(";")).length;
}

export interface DumpCheck {
  method: "test-restore" | "list";
  detail: string;
  /** The newest migration found in the restored copy (test-restore only). */
  schemaVersion: string | null;
}

/**
 * Proves a dump restores: into a scratch database made beside the site's, which is dropped
 * afterwards. Without the right to create databases, falls back to reading the dump's table
 * of contents, and says so.
 */
export async function checkPostgresDump(url: string, dumpFile: string, pathEnv?: string): Promise<DumpCheck> {
  const scratch = `pinhole_restore_check_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    try {
      await admin.query(`create database ${scratch}`);
    } catch (error) {
      const entries = await listPostgresDump(dumpFile, pathEnv);
      return { method: "list", detail: `could not make a scratch database for a test restore (${(error as Error).message}); read the dump's table of contents instead: ${entries} entries`, schemaVersion: null };
    }
    try {
      const scratchUrl = withDatabaseName(url, scratch);
      await restorePostgres(scratchUrl, dumpFile, pathEnv);
      const client = new pg.Client({ connectionString: scratchUrl });
      await client.connect();
      try {
        const tables = await client.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`);
        const version = await client.query<{ name: string }>(`select name from kysely_migration order by name desc limit 1`).catch(() => ({ rows: [] as Array<{ name: string }> }));
        const schemaVersion = version.rows[0]?.name ?? null;
        return { method: "test-restore", detail: `restored into a scratch database: ${Number(tables.rows[0]?.n ?? 0)} tables, schema ${schemaVersion ?? "none"}`, schemaVersion };
      } finally {
        await client.end();
      }
    } finally {
      await admin.query(`drop database if exists ${scratch} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

/** Every table outside PostgreSQL's own schemas, as schema.table. */
export async function postgresTables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'
       order by table_schema, table_name`,
    );
    return rows.map((r) => `${r.table_schema}.${r.table_name}`);
  } finally {
    await client.end();
  }
}

/** Drops every table (and what hangs on them) so a dump can be restored in their place. */
export async function dropPostgresTables(url: string): Promise<void> {
  const tables = await postgresTables(url);
  if (tables.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const names = tables.map((qualified) => qualified.split(".").map((part) => client.escapeIdentifier(part)).join("."));
    await client.query(`drop table if exists ${names.join(", ")} cascade`);
  } finally {
    await client.end();
  }
}
