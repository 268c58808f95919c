import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, sql, SqliteAdapter, SqliteDialect, type DialectAdapter, type RawBuilder, type SqliteDatabase as KyselySqliteDatabase, type SqliteStatement } from "kysely";
import type { Database } from "./schema.ts";

export type DatabaseKind = "sqlite" | "postgres";

/** Connections of a PostgreSQL pool: open, idle among them, and queries waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** The pool's counts, for metrics; null on SQLite, which has one connection and no pool. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
  /**
   * Runs long work (migrations) without the request deadlines the handle may have been opened
   * with: on PostgreSQL on a connection of its own, on SQLite on the one connection.
   */
  withoutDeadlines<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Drops the open connection so that the next query opens it again. SQLite reopens its file
   * (which must still exist); PostgreSQL's pool replaces broken connections by itself, so
   * there it does nothing.
   */
  reconnect(): Promise<void>;
}

/**
 * How long a request may wait on the database, per connection attempt and per statement.
 * Pages answer within 2 s even when the database is unreachable or hangs: the error becomes
 * a 503 page (web/error-handler.ts) instead of a request waiting for TCP to give up.
 */
export const REQUEST_DEADLINE_MS = 1500;

/** Resolves when the database answers a trivial query; rejects with its error otherwise. */
export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  await sql`select 1`.execute(handle.db);
}

/**
 * SQLite can roll back DDL, but Kysely's adapter says it cannot, so its migrator would run
 * SQLite migrations outside a transaction and a failing one would leave half a schema.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PinholeSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/** Errors after which a SQLite connection is not trusted again: the file is gone, is not a database, or its disk failed. */
function breaksSqliteConnection(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^SQLITE_(IOERR|NOTADB|CORRUPT|CANTOPEN|READONLY_DBMOVED)/.test(code);
}

function openSqliteFile(file: string, busyTimeoutMs: number, mustExist: boolean): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(file, { fileMustExist: mustExist });
  try {
    sqlite.pragma("journal_mode = WAL");
    // FULL: a commit is on disk before we answer, so nothing acknowledged is lost on power failure.
    sqlite.pragma("synchronous = FULL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return sqlite;
}

/**
 * The one SQLite connection, behind a stable object that Kysely holds, so that it can be
 * replaced. A connection that fails with an error meaning the file is gone or broken is
 * closed, and the next query opens the file again: the site recovers by itself once the file
 * is back. A reopen never creates a database: an empty one in place of a missing file would
 * be a site that lost everything, and writes that vanish when the real file returns.
 *
 * Kysely prepares every query anew; with better-sqlite3 preparing costs as much as running a
 * simple query. Our queries are a small fixed set of SQL strings (values are parameters), so
 * their prepared statements are kept, a bounded number per connection, most recently used last.
 * A kept statement is still compiled again on each run if the planner read one of its
 * parameters: see `unplanned`.
 */
class ReopeningSqlite implements KyselySqliteDatabase {
  private connection: SqliteDatabase.Database | null;
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly file: string, private busyTimeoutMs: number, private readonly capacity = 500) {
    this.connection = openSqliteFile(file, busyTimeoutMs, false);
  }

  /** How long a query waits for another process's write lock before failing with SQLITE_BUSY. */
  setBusyTimeout(ms: number): void {
    this.busyTimeoutMs = ms;
    this.connection?.pragma(`busy_timeout = ${ms}`);
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.guard(() => this.wrap(this.connect().prepare(sql)));
      if (this.statements.size >= this.capacity) this.statements.delete(this.statements.keys().next().value as string);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  close(): void {
    this.disconnect();
  }

  disconnect(): void {
    const connection = this.connection;
    this.connection = null;
    this.statements.clear();
    try {
      connection?.close();
    } catch {
      // A connection whose file broke may fail to close cleanly; it is dropped either way.
    }
  }

  /** The open connection (opened again if it was dropped), for the backup code in src/db. */
  current(): SqliteDatabase.Database {
    return this.connect();
  }

  private connect(): SqliteDatabase.Database {
    this.connection ??= openSqliteFile(this.file, this.busyTimeoutMs, true);
    return this.connection;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (breaksSqliteConnection(error)) this.disconnect();
      throw error;
    }
  }

  private wrap(statement: SqliteDatabase.Statement): SqliteStatement {
    return {
      reader: statement.reader,
      all: (parameters) => this.guard(() => statement.all(parameters)),
      run: (parameters) => this.guard(() => statement.run(parameters)),
      iterate: (parameters) => this.guard(() => statement.iterate(parameters)),
    };
  }
}

/**
 * A number bound as a parameter that SQLite's planner does not read. When the planner reads a
 * parameter's value, SQLite compiles the statement again every time that parameter is bound,
 * which is on every run: for a bare `limit ?` (SQLite 3.47 and later) and for `column = ?` on
 * the first column of an index that ANALYZE sampled (sqlite_stat4, after `rebuildMap` or an
 * operator's ANALYZE). Kept statements then save nothing, and a large statement costs more to
 * compile than to run: the activity page's two queries took 0.92 and 0.46 ms where their
 * compiled forms run in 0.67 and 0.11 ms. A cast is an expression the planner leaves alone; it
 * still uses the index, and PostgreSQL reads the same bigint.
 */
export function unplanned(value: number): RawBuilder<number> {
  return sql<number>`cast(${value} as bigint)`;
}

/**
 * PostgreSQL plans every unnamed query anew; for the photo page's correlated subqueries
 * planning took longer than running. Queries with parameters become named prepared
 * statements (per connection, named by a hash of their SQL), so their plans are reused.
 * After a migration changes a statement's result shape, PostgreSQL refuses the old prepared
 * statement ("cached plan must not change result type"); the statement then gets a new name
 * and is prepared again.
 */
function preparePostgresStatements(pool: pg.Pool): void {
  const names = new Map<string, { hash: string; generation: number }>();
  const nameOf = (text: string): string => {
    let entry = names.get(text);
    if (!entry) {
      entry = { hash: crypto.createHash("sha1").update(text).digest("base64url"), generation: 0 };
      names.set(text, entry);
    }
    return `p${entry.hash}_${entry.generation}`;
  };
  pool.on("connect", (client) => {
    const rawQuery = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    // A query that timed out on the client leaves the connection waiting for an answer that may
    // never come; ended, it is not handed out again and the pool opens a fresh one.
    const query = async (...args: unknown[]) => {
      try {
        return await rawQuery(...args);
      } catch (error) {
        if ((error as Error)?.message === "Query read timeout") client.end().catch(() => {});
        throw error;
      }
    };
    (client as { query: unknown }).query = async (...args: unknown[]) => {
      const [text, values] = args;
      // A bounded set: statements beyond the first thousand distinct texts run unnamed.
      const eligible = typeof text === "string" && Array.isArray(values) && values.length > 0 && args.length === 2 && (names.has(text) || names.size < 1000);
      if (!eligible) return query(...args);
      const name = nameOf(text);
      try {
        return await query({ name, text, values });
      } catch (error) {
        if (!/cached plan must not change result type/.test((error as Error).message)) throw error;
        const entry = names.get(text);
        if (entry && name === nameOf(text)) entry.generation++;
        return query({ name: nameOf(text), text, values });
      }
    };
  });
}

// BIGINT (epoch ms, photo ids) and NUMERIC come back from pg as strings; every value we
// store fits in a double, so parse them as numbers to keep rows identical to SQLite's.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

/** The better-sqlite3 connection behind each SQLite handle, for the backup code in src/db only. */
const sqliteConnections = new WeakMap<DatabaseHandle, () => SqliteDatabase.Database>();

export function sqliteConnection(handle: DatabaseHandle): SqliteDatabase.Database {
  const connection = sqliteConnections.get(handle);
  if (!connection) throw new Error("not a SQLite database handle");
  return connection();
}

export function sqliteFilePath(dataDir: string): string {
  return path.join(dataDir, "pinhole.sqlite");
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
  /**
   * For the web server: the longest a query may wait to connect, to run (PostgreSQL) or for a
   * lock (SQLite) before it fails. Unset for the command line, whose work may be long.
   */
  requestDeadlineMs?: number;
}

function postgresPool(connectionString: string, max: number, deadlineMs: number | undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: deadlineMs ?? 2000,
    idleTimeoutMillis: 30_000,
    // The server cancels a statement past the deadline; the client gives up a little later on
    // a connection that stopped answering at all (a dead link sends no cancellation).
    ...(deadlineMs ? { statement_timeout: deadlineMs, query_timeout: deadlineMs + 100 } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  // Nor one in use: pg emits "error" on a checked-out client whose connection dies mid-query,
  // and no listener means an uncaught exception. The query itself still fails with the error,
  // and the pool drops the client when it comes back.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

export function openDatabase(options: OpenOptions): DatabaseHandle {
  const deadlineMs = options.requestDeadlineMs;
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const pool = postgresPool(url, options.poolSize ?? 10, deadlineMs);
    preparePostgresStatements(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: "postgres",
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => db.destroy(),
      async withoutDeadlines(work) {
        if (!deadlineMs) return work(db);
        const long = new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(url, 1, undefined) }) });
        try {
          return await work(long);
        } finally {
          await long.destroy();
        }
      },
      reconnect: async () => {},
    };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const busyTimeoutMs = deadlineMs ?? 5000;
  const sqlite = new ReopeningSqlite(sqliteFilePath(options.dataDir), busyTimeoutMs);
  const db = new Kysely<Database>({ dialect: new PinholeSqliteDialect({ database: sqlite }) });
  const handle: DatabaseHandle = {
    db,
    kind: "sqlite",
    poolStats: () => null,
    close: () => db.destroy(),
    async withoutDeadlines(work) {
      sqlite.setBusyTimeout(Math.max(busyTimeoutMs, 5000));
      try {
        return await work(db);
      } finally {
        sqlite.setBusyTimeout(busyTimeoutMs);
      }
    },
    reconnect: async () => sqlite.disconnect(),
  };
  sqliteConnections.set(handle, () => sqlite.current());
  return handle;
}
